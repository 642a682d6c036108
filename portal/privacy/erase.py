"""Erasing a customer's phone number from every stored copy the portal keeps.

An order keeps its amounts, lines and status; its customer block goes from what is sent to
Pongo, and any spelling of the number goes from Pongo's stored answers, the failure
reasons, the attempts and the audit text. An order not sent yet has nobody left to credit:
it ends `cancelled`. Verbs flush and never commit.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, select, update

from portal import config
from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.models.orders import (
    ERASED_BODY_HASH,
    Order,
    OrderRelay,
    RelayAttempt,
    RelayStatus,
)
from portal.privacy import erasure_list
from portal.privacy.counts import Counts
from portal.privacy.permits import Permit, audit_permit
from portal.privacy.phones import CustomerPhone, scrub, stored_phone

CANCELLED_REASON = "The customer's data was erased before the order was sent; it is not sent."
CUSTOMER_FIELDS = ("customer", "customer_phone", "customer_public_id")
UNSENT = (RelayStatus.PENDING, RelayStatus.PAUSED)
AUDIT_BATCH = 1000


@dataclass
class ErasureReport(Counts):
    """How many stored rows lost the customer's data."""

    orders: int = 0
    cancelled: int = 0
    relays: int = 0
    attempts: int = 0
    audit_events: int = 0


def order_phone(order: Order) -> str | None:
    """The customer's phone digits stored in an order's payload, if it still has one."""
    customer = order.payload.get("customer")
    phone = customer.get("phone") if isinstance(customer, dict) else None
    phone = phone or order.payload.get("customer_phone")
    return str(phone) if phone else None


def _erase_order(
    order: Order,
    relay: OrderRelay | None,
    attempts: list[RelayAttempt],
    pattern: re.Pattern[str] | None,
    now: datetime,
) -> ErasureReport:
    """Drop the customer from one order and the number from its outbox row and attempts."""
    report = ErasureReport(orders=1)
    payload = {k: v for k, v in order.payload.items() if k not in CUSTOMER_FIELDS}
    if pattern is not None:
        payload, _ = scrub(payload, pattern)
    order.payload = payload
    order.body_hash = ERASED_BODY_HASH
    order.customer_erased_at = now
    if relay is None:
        return report
    if relay.status in UNSENT:
        relay.status = RelayStatus.CANCELLED
        relay.last_error = CANCELLED_REASON
        relay.claimed_until = None
        relay.claim_token = None
        report.cancelled = 1
    if pattern is None:
        return report
    answer, in_answer = scrub(relay.pongo_answer, pattern)
    error, in_error = scrub(relay.last_error, pattern)
    if in_answer or in_error:
        relay.pongo_answer, relay.last_error = answer, error
        report.relays = 1
    for attempt in attempts:
        detail, count = scrub(attempt.detail, pattern)
        if count:
            attempt.detail = detail
            report.attempts += 1
    return report


def erase_orders(
    orders: Iterable[Order], phone_of: dict[int, CustomerPhone] | None = None
) -> ErasureReport:
    """Erase the customer of each order; its own stored number is used when none is given.

    The outbox rows and attempts of all the orders are read in two statements.
    """
    orders = list(orders)
    report = ErasureReport()
    now = utcnow()
    with db.session.no_autoflush:
        relays = {
            relay.order_id: relay
            for relay in db.session.scalars(
                select(OrderRelay).where(OrderRelay.order_id.in_([o.id for o in orders]))
            )
        }
        attempts: dict[int, list[RelayAttempt]] = {}
        for attempt in db.session.scalars(
            select(RelayAttempt).where(RelayAttempt.relay_id.in_([r.id for r in relays.values()]))
        ):
            attempts.setdefault(attempt.relay_id, []).append(attempt)
    for order in orders:
        phone = (phone_of or {}).get(order.id)
        if phone is None:
            digits = order_phone(order)
            phone = stored_phone(digits) if digits else None
        relay = relays.get(order.id)
        report.add(
            _erase_order(
                order,
                relay,
                attempts.get(relay.id, []) if relay else [],
                phone.pattern if phone else None,
                now,
            )
        )
    db.session.flush()
    return report


def scrub_audit(
    patterns: list[re.Pattern[str]],
    *,
    merchant_id: int | None,
    order_refs: Collection[str] | None = None,
) -> int:
    """Blank the numbers in audit details and reasons; rows changed.

    The events are a merchant's (or everyone's), and only those about `order_refs` if given.
    """
    if not patterns:
        return 0
    changed = 0
    last_id = 0
    with audit_permit(Permit.ERASE):
        while True:
            query = select(AuditEvent.id, AuditEvent.details, AuditEvent.reason).where(
                AuditEvent.id > last_id
            )
            if merchant_id is not None:
                query = query.where(AuditEvent.merchant_id == merchant_id)
            if order_refs is not None:
                query = query.where(AuditEvent.details["order_ref"].as_string().in_(order_refs))
            rows = db.session.execute(query.order_by(AuditEvent.id).limit(AUDIT_BATCH)).all()
            if not rows:
                return changed
            last_id = rows[-1].id
            for row in rows:
                details: Any = row.details
                reason: Any = row.reason
                count = 0
                for pattern in patterns:
                    details, in_details = scrub(details, pattern)
                    reason, in_reason = scrub(reason, pattern)
                    count += in_details + in_reason
                if count:
                    db.session.execute(
                        update(AuditEvent)
                        .where(AuditEvent.id == row.id)
                        .values(details=details, reason=reason)
                    )
                    changed += 1


def orders_holding(
    digits: str, *, merchant_id: int | None, received_before: datetime | None = None
) -> list[Order]:
    """The orders whose stored customer is this number (payloads hold it normalised)."""
    query = select(Order).where(
        Order.customer_erased_at.is_(None), cast(Order.payload, Text).contains(digits)
    )
    if merchant_id is not None:
        query = query.where(Order.merchant_id == merchant_id)
    if received_before is not None:
        query = query.where(Order.received_at <= received_before)
    return [order for order in db.session.scalars(query) if order_phone(order) == digits]


def erase_phone(
    phone: CustomerPhone, *, merchant_id: int | None, received_before: datetime | None = None
) -> ErasureReport:
    """Erase the number from the orders and the audit text (a merchant's, or everyone's)."""
    orders = orders_holding(phone.digits, merchant_id=merchant_id, received_before=received_before)
    report = erase_orders(orders, dict.fromkeys((o.id for o in orders), phone))
    report.audit_events = scrub_audit([phone.pattern], merchant_id=merchant_id)
    return report


def erase_customer(
    *, phone: CustomerPhone, merchant: Merchant | None, actor: Actor
) -> ErasureReport:
    """Answer an erasure request: erase the number, keep its keyed hash, audit the counts."""
    settings = config.current()
    report = erase_phone(phone, merchant_id=merchant.id if merchant else None)
    erasure_list.remember(
        erasure_list.Erasure(
            phone_key=phone.key(settings.secret_key),
            merchant_ref=merchant.ref if merchant else None,
            erased_at=utcnow(),
        ),
        settings.privacy.erasure_list,
    )
    record("customer.erase", actor=actor, merchant=merchant, details=report.as_dict())
    return report
