"""Drift watch: each merchant's scheduled sync with Pongo, and the changes it found."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, MerchantRow, OnePerMerchant, utcnow


class SyncState(OnePerMerchant, Base):
    """One per merchant: when Pongo is next checked, who holds the sync, what it last saw.

    It also keeps what the last launch said about the merchant's admin user (e-mail,
    language, POS admin panel URL): the digest e-mail goes there, since no launch link
    can be mailed.
    """

    __tablename__ = "sync_states"

    next_sync_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The lease of the worker syncing this merchant (none when no worker holds it).
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    last_sync_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    # Why the last attempt failed (a short reason key), None after a success.
    last_failure: Mapped[str | None] = mapped_column(String(100))
    # What the last successful sync saw (drift.compare.Snapshot as JSON); None before it.
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    mail_enabled: Mapped[bool] = mapped_column(default=True)
    last_mail_at: Mapped[datetime | None]
    launch_email: Mapped[str | None] = mapped_column(String(320))
    launch_locale: Mapped[str | None] = mapped_column(String(10))
    launch_return_url: Mapped[str | None] = mapped_column(String(2000))
    last_launch_at: Mapped[datetime | None]
    # Changes recorded after this time are "new since your last visit" (fixed at each launch).
    changes_since: Mapped[datetime | None]


class DriftChange(MerchantRow, Base):
    """One change a sync found at Pongo (kinds: drift.compare.ChangeKind)."""

    __tablename__ = "drift_changes"
    __table_args__ = (Index("ix_drift_changes_merchant_at", "merchant_id", "at"),)

    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    # The store slug or reward public id the change is about.
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    needs_merchant: Mapped[bool] = mapped_column(default=False)
    mailed_at: Mapped[datetime | None]
    # When the merchant marked it as read on the overview (it is then no longer listed).
    read_at: Mapped[datetime | None]
