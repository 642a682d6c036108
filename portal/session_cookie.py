"""An anonymous visitor's session in a signed cookie: no row is written until sign-in.

A visit to a sign-in page needs only a CSRF token (and perhaps a language or a flashed
message); keeping those in a signed cookie means anonymous traffic writes nothing to the
database. Anything else in the session, or a sign-in, moves it to a server-side row.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from itsdangerous import BadSignature, URLSafeTimedSerializer

# What an anonymous session may hold; nothing here is personal or a credential.
ANONYMOUS_KEYS = frozenset({"csrf_token", "locale", "_flashes"})
# Cookie values of this form are signed data; any other value is a server-side session token.
PREFIX = "a."


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key or "", salt="portal-anonymous-session")


def is_anonymous(data: dict[str, Any]) -> bool:
    """True when the session holds only what an anonymous visit may keep client-side."""
    return set(data) <= ANONYMOUS_KEYS


def dumps(app: Flask, data: dict[str, Any]) -> str:
    """The cookie value holding `data`, signed with the app's secret key."""
    return PREFIX + _serializer(app).dumps(data)


def loads(app: Flask, value: str) -> dict[str, Any] | None:
    """The data of a signed cookie value; None when it is not one, forged or too old."""
    if not value.startswith(PREFIX):
        return None
    max_age = app.config["SESSION_IDLE_MINUTES"] * 60
    try:
        data = _serializer(app).loads(value[len(PREFIX) :], max_age=max_age)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and is_anonymous(data) else None
