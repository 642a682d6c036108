"""Launch tokens the POS admin panel signs, and entering the portal with them."""

from __future__ import annotations

import time
from typing import Any

from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import OctKey

from portal.entry.tokens import sign_launch_token

LAUNCH_SECRET = "test-launch-secret-0123456789abcdef0123456789"
ISSUER = "pos-admin"


def launch_token(**overrides: Any) -> str:
    """A valid launch token for merchant M1 unless told otherwise."""
    fields: dict[str, Any] = {
        "issuer": ISSUER,
        "merchant_ref": "M1",
        "merchant_name": "Boulangerie Lumière",
        "email": "owner@example.com",
        "name": "Camille Martin",
    }
    extra = overrides.pop("extra", None)
    fields.update(overrides)
    return sign_launch_token(LAUNCH_SECRET, extra=extra, **fields)


def launch(client: FlaskClient, **overrides: Any) -> Any:
    """Enter the portal as a merchant, the way the POS admin panel sends people."""
    return client.get("/launch", query_string={"token": launch_token(**overrides)})


def claims(**changes: Any) -> dict[str, Any]:
    """Valid launch claims, changed as asked (None removes a claim)."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": "pongo-portal",
        "sub": "M1",
        "merchant_name": "Boulangerie Lumière",
        "email": "owner@example.com",
        "name": "Camille Martin",
        "iat": now,
        "exp": now + 120,
        "jti": f"jti-{time.perf_counter_ns()}",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def open_link(client: FlaskClient, token: str) -> Any:
    """Follow a link-out carrying `token`, whatever it holds."""
    return client.get("/launch", query_string={"token": token})


def signed(payload: dict[str, Any], key: str = LAUNCH_SECRET, alg: str = "HS256") -> str:
    """Any payload signed as a launch token, with `key` and `alg`."""
    return jwt.encode({"alg": alg}, payload, OctKey.import_key(key), algorithms=[alg])
