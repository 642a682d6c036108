"""API keys: made once, shown once, stored as a SHA-256 hash, checked on every API call."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.models.api_key import ApiKey
from portal.models.base import utcnow

# Recording every use would write on every read request; once a minute is enough to see
# which keys are alive.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    """A key just made: the full secret exists only in this object."""

    key: ApiKey
    plaintext: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(*, name: str) -> NewKey:
    """Make a key `pk_<prefix>_<secret>`; the secret is random, 256 bits, never stored."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(name=name, prefix=prefix, secret_hash=_hash(secret))
    db.session.add(key)
    db.session.flush()
    return NewKey(key=key, plaintext=f"pk_{prefix}_{secret}")


def prefix_of(presented: str) -> str | None:
    """The prefix part of a presented key, or None when it is not shaped like one."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "pk" or not parts[1] or not parts[2]:
        return None
    return parts[1]


def verify_key(presented: str) -> ApiKey | None:
    """The live key matching what the caller presented, or None; notes when it was last used."""
    prefix = prefix_of(presented)
    if prefix is None:
        return None
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, _hash(presented.split("_", 2)[2])):
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION:
        key.last_used_at = now
    return key


def revoke_key(*, prefix: str) -> ApiKey | None:
    """Revoke the key with this prefix; None when there is no such key."""
    key = db.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is not None and key.revoked_at is None:
        key.revoked_at = utcnow()
        db.session.flush()
    return key


def list_keys() -> list[ApiKey]:
    """Every key, newest first."""
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))
