"""Talk to Pongo's token endpoint: the code exchange that completes a connection, and refreshes.

Pongo's docs exchange the code with grant_type=client_credentials plus the code;
the grant type and token path come from PongoSettings. Token calls are never
repeated once sent: codes are single-use and refresh tokens rotate.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict, Unpack

import httpx

from portal.pongo import endpoints, inferred
from portal.pongo.errors import ClientRejected, GrantRejected, Rejected, UnexpectedResponse
from portal.pongo.settings import PongoSettings, parse_scopes
from portal.pongo.transport import Reply, Transport, raise_for_status


@dataclass(frozen=True, repr=False)
class TokenSet:
    """Tokens Pongo issued for one merchant."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scopes: tuple[str, ...]

    def __repr__(self) -> str:
        # Tokens stay out of logs and tracebacks.
        return f"TokenSet(expires_at={self.expires_at!r}, scopes={self.scopes!r})"


class TokenCalls(TypedDict, total=False):
    """What a token call runs on, each replaceable in tests: HTTP client, sleep and clocks."""

    http: httpx.Client | None
    sleep: Callable[[float], None]
    clock: Callable[[], float]
    now: Callable[[], datetime]


def exchange_code(
    settings: PongoSettings,
    code: str,
    code_verifier: str | None = None,
    **calls: Unpack[TokenCalls],
) -> TokenSet:
    """Trade the code from the OAuth redirect for tokens."""
    form = {
        "grant_type": settings.token_grant_type,
        "code": code,
        "redirect_uri": settings.redirect_uri,
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
    }
    if code_verifier:
        form["code_verifier"] = code_verifier
    return _token_request(settings, form, **calls)


def refresh_access_token(
    settings: PongoSettings,
    refresh_token: str,
    **calls: Unpack[TokenCalls],
) -> TokenSet:
    """Get a fresh access token (and the rotated refresh token)."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
    }
    return _token_request(settings, form, **calls)


def _token_request(
    settings: PongoSettings,
    form: Mapping[str, str],
    *,
    http: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> TokenSet:
    transport = Transport(settings, http=http, sleep=sleep, clock=clock)
    try:
        reply = transport.send(
            "POST",
            # PONGO_TOKEN_PATH, or the guessed path when it is not set.
            settings.url(settings.token_path or endpoints.TOKEN.path),
            what="token",
            idempotent=False,
            headers=lambda: {"Accept": "application/json"},
            form=form,
        )
    finally:
        transport.close()
    if reply.status_code in (400, 401):
        _raise_oauth_error(reply)
    raise_for_status(reply, "token")
    return _parse_token_set(reply.json("token"), settings, now())


def _raise_oauth_error(reply: Reply) -> None:
    try:
        body = reply.json("token")
    except UnexpectedResponse:
        body = {}
    error = body.get("error") if isinstance(body, dict) else None
    status = reply.status_code
    if error == "invalid_grant":
        raise GrantRejected("token: Pongo rejected the grant (invalid_grant)", status_code=status)
    if error == "invalid_client":
        raise ClientRejected("token: Pongo rejected the client credentials", status_code=status)
    raise Rejected(
        f"token: Pongo refused the request ({error or 'no error code'})", status_code=status
    )


# A lifetime longer than this is not one the portal can plan a refresh around.
MAX_LIFETIME = timedelta(days=3650)


def expiry(
    issued_at: datetime, *, expires_in: Any = None, expires_at: Any = None
) -> datetime | None:
    """When a token expires, from its lifetime or its epoch time; None when absent or absurd."""
    if isinstance(expires_in, str) and expires_in.isascii() and expires_in.isdigit():
        expires_in = int(expires_in) if len(expires_in) <= 12 else None
    if isinstance(expires_at, str) and expires_at.isascii() and expires_at.isdigit():
        expires_at = int(expires_at) if len(expires_at) <= 12 else None
    try:
        if _number(expires_in):
            lifetime = timedelta(seconds=float(expires_in))
        elif _number(expires_at):
            lifetime = datetime.fromtimestamp(float(expires_at), tz=UTC) - issued_at
        else:
            return None
    except (OverflowError, ValueError, OSError):  # far beyond what a clock can hold
        return None
    return issued_at + lifetime if lifetime <= MAX_LIFETIME else None


def _number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 < value < 1e12
    )


def _parse_token_set(body: Any, settings: PongoSettings, issued_at: datetime) -> TokenSet:
    if not isinstance(body, dict):
        raise UnexpectedResponse("token: expected an object")
    access = body.get(inferred.TOKEN_ACCESS)
    if not isinstance(access, str) or not access or len(access) > 8192:
        raise UnexpectedResponse(f"token: no {inferred.TOKEN_ACCESS} in the answer")
    token_type = body.get(inferred.TOKEN_TYPE, "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise UnexpectedResponse("token: not a Bearer token")
    refresh = body.get(inferred.TOKEN_REFRESH)
    expires_at = expiry(issued_at, expires_in=body.get(inferred.TOKEN_EXPIRES_IN))
    scope = body.get(inferred.TOKEN_SCOPE)
    scopes = parse_scopes(scope) if isinstance(scope, str) else tuple(settings.scopes)
    return TokenSet(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_at=expires_at,
        scopes=scopes,
    )
