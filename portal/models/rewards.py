"""The merchant's Pongo rewards as last fetched, cached per merchant like the stores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, MerchantRow, OnePerMerchant, utcnow


class PongoReward(MerchantRow, Base):
    """One Pongo reward as last fetched from `GET /v1/rewards`; its SKU list kept as received."""

    __tablename__ = "pongo_rewards"
    __table_args__ = (UniqueConstraint("merchant_id", "public_id"),)

    public_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(300))
    points: Mapped[int | None]
    # Untrusted text typed by the merchant in Pongo's back office; parsed on every review.
    raw_external_id: Mapped[str | None] = mapped_column(Text)
    # Pongo's order, so the page lists rewards as the merchant sees them there.
    position: Mapped[int] = mapped_column(default=0)


class RewardSync(OnePerMerchant, Base):
    """When a merchant's rewards were last fetched from Pongo (absent: never)."""

    __tablename__ = "reward_syncs"

    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
    reward_count: Mapped[int] = mapped_column(default=0)


class ReviewedReward(MerchantRow, Base):
    """A reward the merchant checked and accepts as it is, for one value of its external_id.

    The review holds a hash of the external_id it was given for: when the SKUs change in
    Pongo, the hash no longer matches and the reward needs a review again. It is kept
    across refreshes (the cache of rewards is replaced, the review is not).
    """

    __tablename__ = "reviewed_rewards"
    __table_args__ = (UniqueConstraint("merchant_id", "public_id"),)

    public_id: Mapped[str] = mapped_column(String(128))
    # SHA-256 of the raw external_id as reviewed ("" hashed for a missing one).
    external_id_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500))
    reviewed_by: Mapped[str] = mapped_column(String(200))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
