"""Turning a checked launch token into a merchant and a fresh session."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal.audit.actor import merchant_user
from portal.audit.services import record
from portal.entry.tokens import LaunchClaims, LaunchFailure, LaunchRefused, verify_launch_token
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.models.session import UsedLaunchToken
from portal.sessions import begin_session
from portal.sync.services import note_launch


def check_launch(raw_token: object, *, secret: str, issuer: str) -> LaunchClaims:
    """Verify the token and spend its `jti`; a second use raises REPLAYED."""
    claims = verify_launch_token(raw_token, secret=secret, issuer=issuer, now=int(time.time()))
    db.session.execute(delete(UsedLaunchToken).where(UsedLaunchToken.expires_at < utcnow()))
    expires = datetime.fromtimestamp(claims.expires_at + 120, tz=UTC)
    try:
        with db.session.begin_nested():
            db.session.add(
                UsedLaunchToken(
                    jti=claims.jti, merchant_ref=claims.merchant_ref, expires_at=expires
                )
            )
    except IntegrityError as exc:
        raise LaunchRefused(LaunchFailure.REPLAYED) from exc
    return claims


def upsert_merchant(*, ref: str, name: str) -> Merchant:
    """Create the merchant if new, or update its name; flushes."""
    merchant = db.session.scalar(select(Merchant).where(Merchant.ref == ref))
    if merchant is None:
        merchant = Merchant(ref=ref, name=name)
        db.session.add(merchant)
    else:
        merchant.name = name
    db.session.flush()
    return merchant


def enter(claims: LaunchClaims, *, return_url: str | None, locale: str | None) -> Merchant:
    """Create or update the merchant, start a brand-new session for it, and audit the launch."""
    merchant = upsert_merchant(ref=claims.merchant_ref, name=claims.merchant_name)
    data: dict[str, object] = {
        "merchant_id": merchant.id,
        "user": {"email": claims.email, "name": claims.name},
    }
    if return_url:
        data["return_url"] = return_url
    if locale:
        data["locale"] = locale
    begin_session(**data)
    note_launch(merchant, email=claims.email, locale=locale, return_url=return_url)
    record(
        "launch",
        actor=merchant_user(claims.email),
        merchant=merchant,
        details={"user": claims.email},
    )
    return merchant
