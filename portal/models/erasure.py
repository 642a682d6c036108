"""The erasure list: keyed hashes of erased phone numbers, never the numbers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class ErasedPhone(Base):
    """One erasure: orders received before `erased_at` must not hold this phone again."""

    __tablename__ = "erased_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone_key: Mapped[str] = mapped_column(String(64), index=True)
    # The merchant the erasure was limited to; None for every merchant.
    merchant_ref: Mapped[str | None] = mapped_column(String(128))
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)
