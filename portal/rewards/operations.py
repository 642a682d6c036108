"""The Rewards page's writes: the reward cache refreshed from Pongo, and rewards reviewed."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from portal.audit.actor import Actor
from portal.extensions import db
from portal.models.merchant import Merchant
from portal.models.rewards import PongoReward
from portal.pongo import FetchedReward
from portal.pongo_cache import REWARDS, replace_cache
from portal.rewards.catalogue import catalogue_for
from portal.rewards.checks import RewardStatus, check_reward
from portal.rewards.entries import RewardEntry
from portal.rewards.reviews import ReviewReason, mark_reviewed


class RewardSource(Protocol):
    """Anything that lists a merchant's Pongo rewards: the merchant's Pongo client, in practice."""

    def rewards(self) -> list[FetchedReward]:
        """Every reward of the merchant's Pongo account."""
        ...


def refresh_rewards(*, merchant: Merchant, client: RewardSource, actor: Actor) -> int:
    """Fetch the merchant's rewards from Pongo and replace the cache; returns how many."""
    return replace_cache(REWARDS, merchant=merchant, actor=actor, fetched=client.rewards())


class RewardNotFound(LookupError):
    """No reward of this merchant has that public id (in the last fetched list)."""


def review_as_is(
    *, merchant: Merchant, public_id: str, reason: ReviewReason, note: str | None, actor: Actor
) -> RewardEntry:
    """Mark a flagged reward reviewed for its current SKUs; a ready reward needs no review."""
    reward = db.session.scalar(
        select(PongoReward).where(
            PongoReward.merchant_id == merchant.id, PongoReward.public_id == public_id
        )
    )
    if reward is None:
        raise RewardNotFound(public_id)
    index = catalogue_for(merchant).index
    check = check_reward(reward.public_id, reward.name, reward.raw_external_id, index)
    entry = RewardEntry(check, reward.points)
    if check.status is RewardStatus.READY:
        return entry
    mark_reviewed(
        merchant=merchant,
        public_id=reward.public_id,
        name=reward.name,
        raw_external_id=reward.raw_external_id,
        reason=reason,
        note=note,
        actor=actor,
    )
    return entry
