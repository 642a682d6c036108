"""What the POS back-end is told about each merchant: the last summary seen, and the events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, MerchantRow, OnePerMerchant, utcnow
from portal.models.dbclock import db_now
from portal.models.queue import QueueRow


class PosStatus(OnePerMerchant, Base):
    """The merchant's summary as the watcher last saw it, and when it last changed."""

    __tablename__ = "pos_statuses"

    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What the POS back-end knows once every closed event is delivered: the summary of the
    # newest event closed, or the first summary seen.
    announced: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The watcher checks the merchants it saw longest ago first.
    checked_at: Mapped[datetime] = mapped_column(default=db_now(), index=True)


class PosEventStatus(StrEnum):
    """Where an event stands on its way to the POS back-end."""

    PENDING = "pending"
    DELIVERED = "delivered"


class PosEvent(MerchantRow, QueueRow, Base):
    """One `merchant.status_changed` event: the outbox row the relay worker sends.

    An event nobody has tried to send yet is open: later changes of the merchant's summary
    inside the coalescing window rewrite its summary. Its first claim closes it, so that
    every delivery of one `event_id` carries the same body.
    """

    __tablename__ = "pos_events"
    __table_args__ = (
        Index("ix_pos_events_due", "status", "next_attempt_at"),
        Index("ix_pos_events_merchant_status", "merchant_id", "status", "id"),
    )

    # The public id the receiver sees, the same on every delivery.
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default=PosEventStatus.PENDING)
    # The exact body sent, written at the first claim: a redelivery sends the same bytes.
    body: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None]
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
