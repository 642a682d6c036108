"""Pongo's consent form: sending the merchant there, and reading the redirect that comes back.

Authlib builds the consent URL and keeps its single-use state and PKCE verifier in the
server-side session; the code itself is exchanged by portal.pongo.tokens, like every
other call to Pongo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, session
from werkzeug.wrappers import Response

from portal import config
from portal.models.merchant import Merchant
from portal.pongo import endpoints
from portal.pongo.merchant import pongo_settings

EXTENSION = "portal.oauth"
# The merchant whose session started the attempt: a callback completes it for that one only.
MERCHANT_KEY = "oauth_merchant_id"


def init_app(app: Flask) -> None:
    """Register Pongo's consent form with Authlib, from the settings."""
    settings = pongo_settings(config.of(app))
    # One registry per app: Authlib caches clients on the registry, and each app has its settings.
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth
    oauth.register(
        name="pongo",
        client_id=settings.client_id,
        authorize_url=settings.url(endpoints.OAUTH_FORM.path),
        client_kwargs={
            # Pongo prints its scopes comma-separated; a string is sent as it is.
            "scope": settings.scope_param,
            "code_challenge_method": "S256",
        },
    )


def _pongo_oauth() -> Any:
    """The registered Pongo OAuth client (Authlib is untyped)."""
    return current_app.extensions[EXTENSION].create_client("pongo")


def start_authorization(merchant: Merchant) -> Response:
    """Remember who is connecting, then redirect to the consent form (state and PKCE kept)."""
    session[MERCHANT_KEY] = merchant.id
    response: Response = _pongo_oauth().authorize_redirect(
        redirect_uri=pongo_settings().redirect_uri
    )
    return response


@dataclass(frozen=True, repr=False)
class Callback:
    """Pongo's redirect, checked against the attempt this session started."""

    started_here: bool
    error: str | None
    code: str | None
    # None when the state is not one this session is waiting for.
    code_verifier: str | None
    state_known: bool


def take_callback(merchant: Merchant, args: Mapping[str, str]) -> Callback:
    """Read the redirect and end the pending attempt: a state is good for one callback."""
    started_here = session.pop(MERCHANT_KEY, None) == merchant.id
    state = args.get("state")
    data = None
    if state:
        framework = _pongo_oauth().framework
        data = framework.get_state_data(session, state)
        framework.clear_state_data(session, state)
    return Callback(
        started_here=started_here,
        error=args.get("error") or None,
        code=args.get("code") or None,
        code_verifier=(data or {}).get("code_verifier"),
        state_known=data is not None,
    )
