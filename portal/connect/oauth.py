"""The Authlib OAuth registry entry for Pongo, with the adjustments Pongo's docs call for."""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

from portal.config import Settings

EXTENSION = "portal.oauth"

# Token-endpoint connect timeout in seconds; Authlib sets none by default. The read
# timeout is the interactive deadline: a person waits on the callback page.
TOKEN_CONNECT_TIMEOUT = 3.0


def init_app(app: Flask) -> None:
    """Register Pongo as an OAuth client from the settings."""
    settings: Settings = app.extensions["portal.settings"]
    base = settings.pongo_base_url.rstrip("/")
    # One registry per app: Authlib caches clients on the registry, and each app has its settings.
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth
    oauth.register(
        name="pongo",
        client_id=settings.pongo_client_id,
        client_secret=settings.pongo_client_secret,
        authorize_url=f"{base}/v1/oauth/form",
        access_token_url=f"{base}{settings.pongo_token_path}",
        client_kwargs={
            # Pongo prints its scopes comma-separated; a string is sent as it is.
            "scope": settings.pongo_scopes,
            "code_challenge_method": "S256",
            # Pongo wants client_id and client_secret in the body.
            "token_endpoint_auth_method": "client_secret_post",
            "default_timeout": (
                min(TOKEN_CONNECT_TIMEOUT, settings.pongo_interactive_deadline_s),
                settings.pongo_interactive_deadline_s,
            ),
        },
    )


def pongo_oauth() -> Any:
    """The registered Pongo OAuth client (Authlib is untyped)."""
    return current_app.extensions[EXTENSION].create_client("pongo")
