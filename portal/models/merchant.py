"""Merchants: the POS vendor's customers, known by their POS reference."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class Merchant(Base):
    """A merchant of the POS vendor, created by a launch or by the POS API."""

    __tablename__ = "merchants"

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str | None] = mapped_column(String(10))
    # ISO 4217: the currency the merchant's amounts are shown in.
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    # How many products the POS sells now: set by each catalogue push, which replaces them all.
    active_products: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
