"""Status changes of orders already taken (cancelled, refunded), each waiting to reach Pongo."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, MerchantRow, utcnow
from portal.models.queue import QueueRow


class UpdateState(StrEnum):
    """Where a status change stands on its way to Pongo."""

    # Waits for its order to be delivered, and for the changes before it.
    PENDING = "pending"
    DELIVERED = "delivered"
    # Pongo refused it (unknown order, a status it does not take): not sent again.
    FAILED = "failed"
    # Its order will never reach Pongo (failed or expired): nothing to change there.
    DROPPED = "dropped"


class OrderStatusUpdate(MerchantRow, QueueRow, Base):
    """One status change of an order, sent to Pongo strictly after the order itself."""

    __tablename__ = "order_status_updates"
    __table_args__ = (
        # The same change asked twice is one change.
        UniqueConstraint("order_id", "status", name="uq_order_status_updates_order_status"),
        UniqueConstraint("order_id", "seq", name="uq_order_status_updates_order_seq"),
        Index("ix_order_status_updates_due", "state", "next_attempt_at"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    # 1, 2, ... per order, in the order the POS asked: changes reach Pongo in this order.
    seq: Mapped[int]
    status: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default=UpdateState.PENDING)
    last_error: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
