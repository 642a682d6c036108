"""POS locations and the Pongo stores they link to (cached per merchant)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, MerchantRow, OnePerMerchant, PostalAddress, utcnow


class Location(MerchantRow, PostalAddress, Base):
    """A location of the merchant's POS, pushed by the POS back-end; never deleted, archived."""

    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("merchant_id", "ref"),
        # One POS location per Pongo store; NULLs (unlinked) never collide.
        UniqueConstraint("merchant_id", "store_slug", name="uq_locations_merchant_store"),
    )

    ref: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    archived_at: Mapped[datetime | None]
    # The linked Pongo store: links hold the slug, so a renamed store keeps its link.
    store_slug: Mapped[str | None] = mapped_column(String(128))
    # The store's name when it was linked, to tell the merchant it was renamed since.
    store_name_at_link: Mapped[str | None] = mapped_column(String(200))
    linked_at: Mapped[datetime | None]
    linked_by: Mapped[str | None] = mapped_column(String(320))
    # Set when the merchant said this location has no Pongo store (a central kitchen, a
    # warehouse): it counts as done in the setup, and its orders are still refused.
    no_store_at: Mapped[datetime | None]
    no_store_by: Mapped[str | None] = mapped_column(String(320))
    # The Pongo tablet at this location's counter: orders sent without a customer carry
    # it as `tablet_id`, so that the tablet asks the customer for their phone number.
    pongo_tablet_id: Mapped[int | None]
    # Counts the changes of the link (store or "no Pongo store"): a page carries the version
    # each row was drawn with, and a save never overwrites a link changed since.
    link_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def active(self) -> bool:
        """True unless the POS left this location out of its last full push."""
        return self.archived_at is None


class PongoStore(MerchantRow, PostalAddress, Base):
    """One Pongo store as last fetched from `GET /v1/stores` for a merchant."""

    __tablename__ = "pongo_stores"
    __table_args__ = (UniqueConstraint("merchant_id", "slug"),)

    slug: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(200))
    public_id: Mapped[str | None] = mapped_column(String(64))


class StoreSync(OnePerMerchant, Base):
    """When a merchant's store list was last fetched from Pongo (absent: never)."""

    __tablename__ = "store_syncs"

    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    store_count: Mapped[int] = mapped_column(default=0)


class LocationTally(OnePerMerchant, Base):
    """A merchant's locations counted by link state, kept by the writes that change them.

    Pages read these figures on every view; counting a thousand locations and looking up
    the store of each link on every view cost more than the rest of the overview.
    `portal/locations/tally.py` rewrites the row in each transaction that changes the
    merchant's locations, stores or store fetch; a missing row means "count afresh".
    """

    __tablename__ = "location_tallies"

    active: Mapped[int] = mapped_column(default=0)
    inactive: Mapped[int] = mapped_column(default=0)
    no_store: Mapped[int] = mapped_column(default=0)
    stores: Mapped[int] = mapped_column(default=0)
    unlinked: Mapped[int] = mapped_column(default=0)
    orphaned: Mapped[int] = mapped_column(default=0)
    renamed: Mapped[int] = mapped_column(default=0)
    inactive_linked: Mapped[int] = mapped_column(default=0)
    # The first unlinked and orphaned locations by ref: where the setup guide's link opens.
    unlinked_ref: Mapped[str | None] = mapped_column(String(128))
    unlinked_name: Mapped[str | None] = mapped_column(String(200))
    orphaned_ref: Mapped[str | None] = mapped_column(String(128))
    orphaned_name: Mapped[str | None] = mapped_column(String(200))
