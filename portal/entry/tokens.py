"""Signing and checking launch tokens (HS256 JWTs from the POS back-end); no Flask here."""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from email_validator import EmailNotValidError, validate_email
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from portal.untrusted import has_control

AUDIENCE = "pongo-portal"
ALGORITHM = "HS256"
MAX_LIFETIME = 300  # seconds between iat and exp
LEEWAY = 60  # clock skew tolerated in both directions
REQUIRED = ("iss", "aud", "sub", "merchant_name", "email", "name", "iat", "exp", "jti")
MAX_TOKEN_LENGTH = 8192


class LaunchFailure(StrEnum):
    """Why a launch token was refused; each maps to a page and an HTTP status."""

    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    MISSING_CLAIM = "missing_claim"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    TOO_LONG_LIVED = "too_long_lived"
    REPLAYED = "replayed"


class LaunchRefused(Exception):
    """A launch token failed a check."""

    def __init__(self, failure: LaunchFailure, detail: str = "") -> None:
        super().__init__(failure.value)
        self.failure = failure
        self.detail = detail


@dataclass(frozen=True)
class LaunchClaims:
    """The checked content of a launch token."""

    merchant_ref: str
    merchant_name: str
    email: str
    name: str
    jti: str
    expires_at: int
    locale: str | None
    target: str | None
    target_ref: str | None
    unsafe_return_url: str | None


def sign_launch_token(
    secret: str,
    *,
    issuer: str,
    merchant_ref: str,
    merchant_name: str,
    email: str,
    name: str,
    lifetime: int = 120,
    now: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """A launch token as the POS back-end signs it."""
    issued = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": merchant_ref,
        "merchant_name": merchant_name,
        "email": email,
        "name": name,
        "iat": issued,
        "exp": issued + lifetime,
        "jti": secrets.token_urlsafe(16),
        **(extra or {}),
    }
    return jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, claims, OctKey.import_key(secret))


def _text(claims: Mapping[str, Any], name: str, limit: int = 320) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit or has_control(value):
        raise LaunchRefused(LaunchFailure.MISSING_CLAIM, name)
    return value.strip()


def _email(claims: Mapping[str, Any]) -> str:
    """The one address the change digests go to; a list of addresses, or no address, is refused.

    Checked by syntax only (no DNS look-up): a launch must not wait on the network.
    """
    raw = _text(claims, "email")
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise LaunchRefused(LaunchFailure.MISSING_CLAIM, "email") from exc


def _optional_text(claims: Mapping[str, Any], name: str, limit: int = 2048) -> str | None:
    value = claims.get(name)
    if not isinstance(value, str) or has_control(value):
        return None
    return value if 0 < len(value) <= limit else None


def _target(raw: object) -> tuple[str | None, str | None]:
    """`locations`, `locations:L1` or {"page": "locations", "ref": "L1"} → (page, ref)."""
    if isinstance(raw, Mapping):
        page, ref = raw.get("page"), raw.get("ref")
    elif isinstance(raw, str):
        page, _, ref = raw.partition(":")
    else:
        return None, None
    page_ok = isinstance(page, str) and page.isidentifier() and len(page) <= 40
    ref_ok = isinstance(ref, str) and 0 < len(ref) <= 200 and not has_control(ref)
    return (page if page_ok else None), (ref if page_ok and ref_ok else None)


def verify_launch_token(token: object, *, secret: str, issuer: str, now: int) -> LaunchClaims:
    """Check signature, algorithm, claims and freshness; raise LaunchRefused on any failure."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise LaunchRefused(LaunchFailure.MALFORMED)
    try:
        decoded = jwt.decode(token, OctKey.import_key(secret), algorithms=[ALGORITHM])
    except (JoseError, ValueError, TypeError) as exc:
        raise LaunchRefused(LaunchFailure.BAD_SIGNATURE, type(exc).__name__) from exc
    if decoded.header.get("alg") != ALGORITHM:
        raise LaunchRefused(LaunchFailure.BAD_SIGNATURE, "algorithm")
    claims = decoded.claims
    missing = [name for name in REQUIRED if name not in claims]
    if missing:
        raise LaunchRefused(LaunchFailure.MISSING_CLAIM, ",".join(missing))
    if claims["iss"] != issuer:
        raise LaunchRefused(LaunchFailure.WRONG_ISSUER)
    audience = claims["aud"]
    if audience != AUDIENCE and not (isinstance(audience, list) and AUDIENCE in audience):
        raise LaunchRefused(LaunchFailure.WRONG_AUDIENCE)
    iat, exp = claims["iat"], claims["exp"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (iat, exp)):
        raise LaunchRefused(LaunchFailure.MALFORMED, "iat/exp")
    if exp - iat > MAX_LIFETIME or exp < iat:
        raise LaunchRefused(LaunchFailure.TOO_LONG_LIVED)
    if iat > now + LEEWAY or ("nbf" in claims and _number(claims["nbf"]) > now + LEEWAY):
        raise LaunchRefused(LaunchFailure.NOT_YET_VALID)
    # The skew allowance never stretches a link's age past the five-minute window.
    if exp + LEEWAY < now or now - iat > MAX_LIFETIME:
        raise LaunchRefused(LaunchFailure.EXPIRED)
    page, ref = _target(claims.get("target"))
    return LaunchClaims(
        merchant_ref=_text(claims, "sub", 128),
        merchant_name=_text(claims, "merchant_name", 200),
        email=_email(claims),
        name=_text(claims, "name", 200),
        jti=_text(claims, "jti", 200),
        expires_at=exp,
        locale=_optional_text(claims, "locale", 10),
        target=page,
        target_ref=ref,
        unsafe_return_url=_optional_text(claims, "return_url"),
    )


def _number(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise LaunchRefused(LaunchFailure.MALFORMED, "nbf")
