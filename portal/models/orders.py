"""Closed POS orders and their relay to Pongo: the order, its outbox row, and each attempt."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from portal.models.base import Base, MerchantRow, utcnow
from portal.models.queue import QueueRow

# The fingerprint of an order whose customer was erased: the real one could reveal the phone.
ERASED_BODY_HASH = "erased"


class RelayStatus(StrEnum):
    """Where an order stands on its way to Pongo."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    # The merchant's Pongo connection is unusable: waits, without counting attempts,
    # until the merchant connects again.
    PAUSED = "paused"
    # Paused longer than PORTAL_PAUSED_ORDERS_DAYS: no longer sent.
    EXPIRED = "expired"
    # Never sent: its customer's data was erased, or its merchant left, before it went.
    CANCELLED = "cancelled"


class Order(MerchantRow, Base):
    """A closed, paid order the POS pushed; `payload` is exactly what Pongo is sent."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("merchant_id", "order_ref"),
        # The Orders page: a merchant's orders, newest first.
        Index("ix_orders_merchant_received", "merchant_id", "received_at", "id"),
        # The Overview's tablet check: the locations that had orders nobody identified on.
        Index("ix_orders_without_customer", "merchant_id", "without_customer", "location_ref"),
    )

    order_ref: Mapped[str] = mapped_column(String(128))
    location_ref: Mapped[str] = mapped_column(String(128))
    # The store the location was linked to when the order arrived: a later re-link does
    # not move orders already taken.
    store_slug: Mapped[str] = mapped_column(String(128))
    total_cents: Mapped[int]
    tax_cents: Mapped[int | None]
    ordered_at: Mapped[datetime]
    line_count: Mapped[int]
    # Sent with `customer` null: the customer identifies on the location's Pongo tablet.
    without_customer: Mapped[bool] = mapped_column(default=False, server_default=false())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SHA-256 of the POS body: the same order_ref with another body is refused.
    body_hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Set once the customer's phone and id are gone from every stored copy (erasure, retention).
    customer_erased_at: Mapped[datetime | None]


class OrderRelay(MerchantRow, QueueRow, Base):
    """The outbox row of one order: written with the order, worked by `portal relay-worker`."""

    __tablename__ = "order_relays"
    __table_args__ = (
        Index("ix_order_relays_due", "status", "next_attempt_at"),
        Index("ix_order_relays_merchant_status", "merchant_id", "status"),
    )

    # Public id, shown to the POS and sent to Pongo as the Idempotency-Key.
    relay_id: Mapped[str] = mapped_column(String(40), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=RelayStatus.PENDING)
    # Set when a send starts, cleared when its outcome is recorded: still set on a row
    # claimed again means a worker died mid-send and Pongo may have the order.
    in_flight_since: Mapped[datetime | None]
    # An earlier send's answer was lost (time-out, 5xx, crash): Pongo may have the order.
    answer_lost: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The next send is the confirming one made before the order is given up.
    confirming: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Written and compared on the database's clock, as the due times and leases are.
    paused_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    pongo_order_id: Mapped[str | None] = mapped_column(String(120))
    pongo_answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    delivered_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RelayAttempt(Base):
    """One call to Pongo for an order (or one refusal before it), with its outcome."""

    __tablename__ = "order_relay_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    relay_id: Mapped[int] = mapped_column(
        ForeignKey("order_relays.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None]
    worker: Mapped[str | None] = mapped_column(String(120))


# The one count of attempts both pages show: the attempts recorded for the order.
OrderRelay.attempt_count = column_property(
    select(func.count(RelayAttempt.id))
    .where(RelayAttempt.relay_id == OrderRelay.id)
    .correlate_except(RelayAttempt)
    .scalar_subquery()
)
