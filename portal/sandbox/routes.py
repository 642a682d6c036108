"""Every path, scope and response shape the sandbox serves, with how sure we are of it.

Tags follow PONGO-API.md: "C" confirmed by a captured docs page, "I" inferred
(verify before relying on it), "U" unknown at Pongo so the emulator chose, and
"emulator" for pages that only exist here (the steps inside Pongo's hosted form).
When a real path or shape is learned, change it here and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    """One endpoint of the emulated API."""

    endpoint: str
    method: str
    path: str
    scope: str | None
    source: str


OAUTH_FORM = Route("oauth_form", "GET", "/v1/oauth/form", None, "C")
OAUTH_SIGN_IN = Route("oauth_sign_in", "POST", "/v1/oauth/form/sign-in", None, "emulator")
OAUTH_DECISION = Route("oauth_decision", "POST", "/v1/oauth/form/decision", None, "emulator")
TOKEN = Route("token", "POST", "/v1/oauth/token", None, "I")
ME = Route("me", "GET", "/v1/oauth/me", None, "C")
# "Test the token" exists in the sidebar (GET) [C-nav]; its path is a guess [I].
TEST_TOKEN = Route("test_token", "GET", "/v1/oauth/test", None, "I")
# Pongo documents no store scope [U]. The documented "basic" scope set has no
# store.* entry and the guides call GET stores right after OAuth, so any valid
# token may list its account's stores. Set a scope here to emulate otherwise.
STORES = Route("stores", "GET", "/v1/stores", None, "I")
REWARDS = Route("rewards", "GET", "/v1/rewards", "reward.read", "C")
# Path [I], scope and the 202 replay answer [C].
CREATE_ORDER = Route("create_order", "POST", "/v1/orders", "order.create", "I")

# "Update order status" is only a sidebar entry (PATCH) [C-nav]: path, body, values [I].
# The id is the one Pongo gave the order; an order it does not have is a 404.
UPDATE_ORDER_STATUS = Route(
    "update_order_status", "PATCH", "/v1/orders/<order_id>", "order.update", "I"
)

API_ROUTES = (
    OAUTH_FORM,
    OAUTH_SIGN_IN,
    OAUTH_DECISION,
    TOKEN,
    ME,
    TEST_TOKEN,
    STORES,
    REWARDS,
    CREATE_ORDER,
    UPDATE_ORDER_STATUS,
)

CONTROLS_PREFIX = "/_sandbox"

# Scopes printed in the authentication page's "basic" set [C].
KNOWN_SCOPES = frozenset(
    {
        "customer.create",
        "customer.read",
        "customer.update",
        "reward.create",
        "reward.read",
        "reward.update",
        "contest-game.create",
        "contest-game.read",
        "contest-game.update",
        "order.create",
        "order.read",
        "order.update",
        "checkin.create",
    }
)
# Scopes are comma-separated in the docs [C]; spaces and "+" are tolerated [I].
SCOPE_SEPARATOR = re.compile(r"[,\s+]+")
# Granted scopes are echoed comma-separated, like the request [I].
SCOPE_JOINER = ","

# Token grants. The reference (getaccesstoken-1) documents two and only two [C]:
# client_credentials + code (the exchange) and password (fields unnamed). Anything else
# is refused, as Pongo would; a fixture's "refresh_grant": true (or the controls) adds a
# refresh grant, to emulate a Pongo that offers one. Token answers then carry a
# refresh_token; without it they carry none.
GRANT_CODE_DOCUMENTED = "client_credentials"
GRANT_PASSWORD = "password"  # noqa: S105 - a grant type name, not a secret
GRANT_REFRESH = "refresh_token"  # undocumented; off unless switched on [I]
# Field names for the password grant [I]; the first one present is used.
PASSWORD_GRANT_LOGIN_FIELDS = ("username", "login", "email")

DEFAULT_TOKEN_LIFETIME = 3600  # seconds [U]
CODE_LIFETIME = 60  # seconds [U]
PENDING_SIGN_IN_LIFETIME = 900  # seconds the hosted form stays usable (emulator)

# Laravel-style pagination [I].
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100

# Laravel-style messages [I], except the 202 order replay message [C].
UNAUTHENTICATED = "Unauthenticated."
MISSING_SCOPE = "Invalid scope(s) provided."
ALREADY_PROCESSED = "This order has already been processed."
VALID_BEARER = "The token is valid."  # [I]
VALIDATION_FAILED = "The given data was invalid."
ORDER_NOT_FOUND = "No query results for model [Order]."  # Laravel's 404 [I]
ORDER_ID_PREFIX = "ord_"  # [I]

# Reward keys that restrict who sees a reward (emulator extras, [I] semantics):
# "store_slugs" limits a reward to those stores, "customers" to those customers.
REWARD_STORE_RESTRICTION = "store_slugs"
REWARD_CUSTOMER_RESTRICTION = "customers"
