"""Every Pongo call the portal makes: method, path and scope, each marked confirmed or inferred.

Confirmed means a captured page of Pongo's docs states it; inferred means a
reasoned guess to check with Pongo (see PONGO-API.md). The token path is only a default:
PONGO_TOKEN_PATH overrides it.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.config.schema import TOKEN_PATH


@dataclass(frozen=True)
class Endpoint:
    """One Pongo API call."""

    name: str
    method: str
    path: str
    scope: str | None


# Confirmed path; no scope needed. Response shape inferred.
ME = Endpoint("me", "GET", "/v1/oauth/me", None)
# Inferred path; scope unknown at Pongo (none asked). Pagination inferred (Laravel).
STORES = Endpoint("stores", "GET", "/v1/stores", None)
# Confirmed path and scope (reward.read); pagination inferred (Laravel).
REWARDS = Endpoint("rewards", "GET", "/v1/rewards", "reward.read")
# Inferred path; confirmed scope (order.create) and 202 "already processed" answer.
CREATE_ORDER = Endpoint("create_order", "POST", "/v1/orders", "order.create")
# Confirmed path of the hosted consent form the merchant's browser is sent to.
OAUTH_FORM = Endpoint("oauth_form", "GET", "/v1/oauth/form", None)
# Inferred path of the token endpoint (code exchange and refresh).
TOKEN = Endpoint("token", "POST", TOKEN_PATH, None)

ALL = (ME, STORES, REWARDS, CREATE_ORDER, OAUTH_FORM, TOKEN)
