"""`portal purge`: every retention rule, batched, idempotent, safe beside the workers.

Each batch is its own short transaction, so no lock is held for long and a purge stopped
half-way keeps what it did; running it again carries on where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from portal import config
from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.base import utcnow
from portal.models.erasure import ErasedPhone
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayStatus
from portal.models.session import UsedLaunchToken, WebSession
from portal.privacy import erasure_list
from portal.privacy.erase import ErasureReport, erase_orders, order_phone, scrub_audit
from portal.privacy.permits import Permit, audit_permit
from portal.privacy.phones import phone_key, stored_phone

FINISHED = (
    RelayStatus.DELIVERED,
    RelayStatus.FAILED,
    RelayStatus.EXPIRED,
    RelayStatus.CANCELLED,
)


@dataclass
class PurgeReport:
    """What one purge removed."""

    reapplied_erasures: int = 0
    erased: ErasureReport = field(default_factory=ErasureReport)
    expired_orders: ErasureReport = field(default_factory=ErasureReport)
    audit_events: int = 0
    sessions: int = 0
    launch_tokens: int = 0

    def lines(self) -> list[str]:
        """The report as lines for the command line."""
        return [
            f"Erasures re-applied from the erasure list: {self.reapplied_erasures} "
            f"({self.erased.orders} order(s), {self.erased.audit_events} audit event(s))",
            f"Finished orders past PORTAL_CUSTOMER_DATA_DAYS that lost their customer: "
            f"{self.expired_orders.orders}",
            f"Audit events older than PORTAL_AUDIT_DAYS deleted: {self.audit_events}",
            f"Expired or ended sessions deleted: {self.sessions}",
            f"Expired launch tokens forgotten: {self.launch_tokens}",
        ]


def _batches(step: Callable[[], int]) -> int:
    """Run `step` (one batch, returns rows done) in its own transaction until none is left."""
    total = 0
    while True:
        done = step()
        db.session.commit()
        total += done
        if done < config.current().privacy.purge_batch_size:
            return total


def reapply_erasures(report: PurgeReport) -> None:
    """Apply the listed erasures the database does not know (it was restored from a backup)."""
    settings = config.current()
    for erasure in erasure_list.unknown_to_database(
        erasure_list.read_file(settings.privacy.erasure_list)
    ):
        merchant_id = None
        if erasure.merchant_ref is not None:
            merchant_id = db.session.scalar(
                select(Merchant.id).where(Merchant.ref == erasure.merchant_ref)
            )
        if erasure.merchant_ref is None or merchant_id is not None:
            report.erased.add(_erase_listed(erasure, merchant_id, settings.secret_key))
        db.session.add(
            ErasedPhone(
                phone_key=erasure.phone_key,
                merchant_ref=erasure.merchant_ref,
                erased_at=erasure.erased_at,
            )
        )
        db.session.commit()
        report.reapplied_erasures += 1


def _erase_listed(
    erasure: erasure_list.Erasure, merchant_id: int | None, secret: str
) -> ErasureReport:
    """Erase the orders received before the erasure whose phone has the listed keyed hash."""
    query = select(Order).where(
        Order.customer_erased_at.is_(None), Order.received_at <= erasure.erased_at
    )
    if merchant_id is not None:
        query = query.where(Order.merchant_id == merchant_id)
    matching: list[Order] = []
    found: str | None = None
    for order in db.session.scalars(query.execution_options(yield_per=500)):
        digits = order_phone(order)
        if digits and phone_key(digits, secret) == erasure.phone_key:
            matching.append(order)
            found = digits
    if found is None:
        return ErasureReport()
    phone = stored_phone(found)
    report = erase_orders(matching, dict.fromkeys((o.id for o in matching), phone))
    report.audit_events = scrub_audit([phone.pattern], merchant_id=merchant_id)
    return report


def expire_customer_data(report: PurgeReport, now: datetime) -> None:
    """Finished orders older than PORTAL_CUSTOMER_DATA_DAYS lose their customer, by batches."""
    settings = config.current().privacy
    cutoff = now - timedelta(days=settings.customer_data_days)

    def step() -> int:
        orders = list(
            db.session.scalars(
                select(Order)
                .join(OrderRelay, OrderRelay.order_id == Order.id)
                .where(
                    Order.customer_erased_at.is_(None),
                    OrderRelay.status.in_(FINISHED),
                    OrderRelay.updated_at <= cutoff,
                )
                .order_by(Order.id)
                .limit(settings.purge_batch_size)
                # Beside the workers: a row another transaction holds waits for the next run.
                .with_for_update(of=OrderRelay, skip_locked=True)
            )
        )
        # The audit events about these orders (a retry keeps Pongo's refusal) lose them too.
        by_merchant: dict[int, tuple[set[str], set[str]]] = {}
        for order in orders:
            digits = order_phone(order)
            if digits:
                phones, refs = by_merchant.setdefault(order.merchant_id, (set(), set()))
                phones.add(digits)
                refs.add(order.order_ref)
        report.expired_orders.add(erase_orders(orders))
        for merchant_id, (phones, refs) in by_merchant.items():
            report.expired_orders.audit_events += scrub_audit(
                [stored_phone(d).pattern for d in sorted(phones)],
                merchant_id=merchant_id,
                order_refs=refs,
            )
        return len(orders)

    _batches(step)


def _delete_batches(
    key: InstrumentedAttribute[Any],
    where: ColumnElement[bool],
    permit: Callable[[], AbstractContextManager[object]] = nullcontext,
) -> int:
    """Delete the rows `where` holds, a batch per transaction, each deletion under `permit`."""
    size = config.current().privacy.purge_batch_size

    def step() -> int:
        keys = list(db.session.scalars(select(key).where(where).order_by(key).limit(size)))
        if keys:
            with permit():
                db.session.execute(delete(key.class_).where(key.in_(keys)))
        return len(keys)

    return _batches(step)


def delete_old_audit(report: PurgeReport, now: datetime) -> None:
    """Delete audit events older than PORTAL_AUDIT_DAYS (the only deletion the trigger allows)."""
    cutoff = now - timedelta(days=config.current().privacy.audit_days)
    report.audit_events = _delete_batches(
        AuditEvent.id,
        AuditEvent.at < cutoff,
        lambda: audit_permit(Permit.PURGE, before=cutoff),
    )


def delete_expired_sessions(report: PurgeReport, now: datetime) -> None:
    """Delete sessions ended, idle too long or past their absolute limit, and used launch tokens."""
    settings = config.current().session
    report.sessions = _delete_batches(
        WebSession.id,
        or_(
            WebSession.revoked_at.is_not(None),
            WebSession.last_seen_at < now - timedelta(minutes=settings.idle_minutes),
            WebSession.created_at < now - timedelta(hours=settings.absolute_hours),
        ),
    )
    report.launch_tokens = _delete_batches(UsedLaunchToken.jti, UsedLaunchToken.expires_at < now)


def purge(now: datetime | None = None) -> PurgeReport:
    """Apply every retention rule; commits batch by batch (a job, not a request)."""
    now = now or utcnow()
    report = PurgeReport()
    reapply_erasures(report)
    expire_customer_data(report, now)
    delete_old_audit(report, now)
    delete_expired_sessions(report, now)
    return report
