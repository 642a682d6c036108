"""Offboarding: a merchant leaves, and what the portal held for it goes.

Its sessions end, its Pongo tokens are destroyed (Pongo documents no revocation), its
unsent orders end `cancelled` and then, with everything else it pushed or the portal
fetched for it, are deleted. Its audit events stay until PORTAL_AUDIT_DAYS, detached from
the merchant, with every e-mail address and person's name replaced by a pseudonym. Every
table is cleared by name rather than left to ON DELETE CASCADE, which SQLite does not
enforce. Verbs flush and never commit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, func, select, update

from portal import config
from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.base import Base
from portal.models.connection import PongoConnection
from portal.models.locations import Location, PongoStore
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayAttempt, RelayStatus
from portal.models.products import Product
from portal.models.rewards import PongoReward, ReviewedReward
from portal.models.session import WebSession
from portal.privacy.counts import Counts
from portal.privacy.permits import Permit, audit_permit

EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
# Kept as they are: they name systems, not people.
NOT_PEOPLE = ("pos", "system", "anonymous")


@dataclass
class OffboardReport(Counts):
    """What offboarding a merchant removes (or removed)."""

    locations: int = 0
    products: int = 0
    orders: int = 0
    unsent_orders: int = 0
    stores: int = 0
    rewards: int = 0
    reviews: int = 0
    sessions: int = 0
    pongo_connection: int = 0
    audit_events_pseudonymised: int = 0


def _count(model: Any, merchant_id: int, *criteria: Any) -> int:
    query = select(func.count()).select_from(model).where(model.merchant_id == merchant_id)
    return int(db.session.scalar(query.where(*criteria)) or 0)


def what_goes(merchant: Merchant) -> OffboardReport:
    """The counts of what offboarding this merchant removes."""
    unsent = OrderRelay.status.in_((RelayStatus.PENDING, RelayStatus.PAUSED))
    return OffboardReport(
        locations=_count(Location, merchant.id),
        products=_count(Product, merchant.id),
        orders=_count(Order, merchant.id),
        unsent_orders=_count(OrderRelay, merchant.id, unsent),
        stores=_count(PongoStore, merchant.id),
        rewards=_count(PongoReward, merchant.id),
        reviews=_count(ReviewedReward, merchant.id),
        sessions=_count(WebSession, merchant.id, WebSession.revoked_at.is_(None)),
        pongo_connection=_count(PongoConnection, merchant.id),
        audit_events_pseudonymised=_count(AuditEvent, merchant.id),
    )


def pseudonym(value: str, secret: str) -> str:
    """The same stand-in for the same person in every event, revealing nothing of them."""
    digest = hmac.new(secret.encode(), f"person:{value.lower()}".encode(), hashlib.sha256)
    return f"person-{digest.hexdigest()[:12]}"


def _names(merchant_id: int) -> set[str]:
    """People's names the portal holds for the merchant: launch users, the Pongo account."""
    names: set[str] = set()
    for data in db.session.scalars(
        select(WebSession.data).where(WebSession.merchant_id == merchant_id)
    ):
        user = data.get("user") if isinstance(data, dict) else None
        if isinstance(user, dict) and user.get("name"):
            names.add(str(user["name"]))
    account = db.session.scalar(
        select(PongoConnection.account_name).where(PongoConnection.merchant_id == merchant_id)
    )
    if account:
        names.add(account)
    return {name for name in names if len(name.strip()) >= 3}


def _pseudonymised(value: Any, names: set[str], secret: str) -> Any:
    """`value` (text or JSON) with e-mail addresses and known names replaced."""
    if isinstance(value, str):
        text = EMAIL.sub(lambda m: pseudonym(m.group(0), secret), value)
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, pseudonym(name, secret))
        return text
    if isinstance(value, dict):
        return {k: _pseudonymised(v, names, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [_pseudonymised(v, names, secret) for v in value]
    return value


def pseudonymise_audit(merchant: Merchant) -> int:
    """Detach the merchant's audit events from it, with people replaced by pseudonyms."""
    secret = config.current().secret_key
    names = _names(merchant.id)
    rows = db.session.execute(
        select(
            AuditEvent.id,
            AuditEvent.actor,
            AuditEvent.actor_kind,
            AuditEvent.impersonator,
            AuditEvent.details,
            AuditEvent.reason,
        ).where(AuditEvent.merchant_id == merchant.id)
    ).all()
    with audit_permit(Permit.PSEUDONYMISE, merchant_id=merchant.id):
        for row in rows:
            actor = row.actor
            if row.actor_kind not in NOT_PEOPLE:
                actor = pseudonym(actor, secret)
            db.session.execute(
                update(AuditEvent)
                .where(AuditEvent.id == row.id)
                .values(
                    merchant_id=None,
                    actor=actor,
                    impersonator=pseudonym(row.impersonator, secret) if row.impersonator else None,
                    details={
                        **_pseudonymised(row.details or {}, names, secret),
                        "offboarded_merchant": merchant.ref,
                    },
                    reason=_pseudonymised(row.reason, names, secret),
                )
            )
    return len(rows)


def _merchant_tables() -> list[Table]:
    """Every table with a merchant_id, children first (the audit log and merchants aside)."""
    kept = {AuditEvent.__tablename__, Merchant.__tablename__}
    return [
        table
        for table in reversed(Base.metadata.sorted_tables)
        if "merchant_id" in table.c and table.name not in kept
    ]


def offboard_merchant(*, merchant: Merchant, actor: Actor) -> OffboardReport:
    """End the merchant: sessions, tokens, orders, data; the audit log kept, pseudonymised."""
    report = what_goes(merchant)
    merchant_id, ref = merchant.id, merchant.ref
    # Unsent orders end cancelled first: a worker holding one is fenced off by its claim.
    db.session.execute(
        update(OrderRelay)
        .where(
            OrderRelay.merchant_id == merchant_id,
            OrderRelay.status.in_((RelayStatus.PENDING, RelayStatus.PAUSED)),
        )
        .values(status=RelayStatus.CANCELLED, claim_token=None, claimed_until=None)
    )
    report.audit_events_pseudonymised = pseudonymise_audit(merchant)
    relays = select(OrderRelay.id).where(OrderRelay.merchant_id == merchant_id)
    db.session.execute(delete(RelayAttempt).where(RelayAttempt.relay_id.in_(relays)))
    for table in _merchant_tables():
        db.session.execute(delete(table).where(table.c.merchant_id == merchant_id))
    result = db.session.execute(delete(Merchant).where(Merchant.id == merchant_id))
    assert cast("CursorResult[Any]", result).rowcount == 1
    db.session.expunge(merchant)
    record(
        "merchant.offboard",
        actor=actor,
        merchant=None,
        details={"merchant_ref": ref, **report.as_dict()},
    )
    return report
