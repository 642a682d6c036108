"""The merchant's POS catalogue, pushed whole by the POS back-end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, MerchantRow, utcnow


class Product(MerchantRow, Base):
    """A product or menu of the POS; `ref` is the POS's id, several products may share a SKU."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("merchant_id", "ref"),
        Index("ix_products_merchant_sku", "merchant_id", "sku"),
        # The Rewards page reads the catalogue version (count, latest change) on every view.
        Index("ix_products_merchant_updated", "merchant_id", "updated_at"),
        # The Products page counts and lists a merchant's active products in the order of their
        # search text, matching that column on every search: this index answers without the table.
        # Partial, so that PostgreSQL reads a page in this order (a condition on `archived_at`
        # in the index's columns would not give it the order).
        Index(
            "ix_products_active_search",
            "merchant_id",
            "search_text",
            "ref",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    ref: Mapped[str] = mapped_column(String(128))
    sku: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(300))
    price_cents: Mapped[int | None]
    category: Mapped[str | None] = mapped_column(String(120))
    has_paid_options: Mapped[bool] = mapped_column(default=False)
    # Location refs where it is sold; None means everywhere.
    location_refs: Mapped[list[str] | None] = mapped_column(JSON)
    archived_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Folded words of the name and SKU (portal/products/search.py), kept by the catalogue push.
    search_text: Mapped[str] = mapped_column(Text, default="")

    @property
    def active(self) -> bool:
        """True unless the POS left this product out of its last full catalogue."""
        return self.archived_at is None
