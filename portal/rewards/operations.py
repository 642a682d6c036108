"""The Rewards page's writes: the reward cache refreshed from Pongo, and rewards reviewed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from portal.audit.actor import Actor
from portal.extensions import db
from portal.models.merchant import Merchant
from portal.models.rewards import PongoReward, RewardSync
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


@dataclass(frozen=True)
class RewardsFetched:
    """What a refresh brought: how many rewards, and how many are new, changed or gone."""

    count: int
    added: int
    changed: int
    removed: int
    # False on the first fetch: there was nothing to compare with.
    compared: bool


def _cached(merchant: Merchant) -> dict[str, tuple[object, ...]]:
    """Public id -> what the merchant sees of a cached reward: name, points and SKUs."""
    rows = db.session.execute(
        select(
            PongoReward.public_id, PongoReward.name, PongoReward.points, PongoReward.raw_external_id
        ).where(PongoReward.merchant_id == merchant.id)
    )
    return {public_id: tuple(rest) for public_id, *rest in rows}


def refresh_rewards(*, merchant: Merchant, client: RewardSource, actor: Actor) -> RewardsFetched:
    """Fetch the merchant's rewards from Pongo and replace the cache; says what changed."""
    fetched = client.rewards()
    compared = db.session.get(RewardSync, merchant.id) is not None
    before = _cached(merchant)
    count = replace_cache(REWARDS, merchant=merchant, actor=actor, fetched=fetched)
    after = _cached(merchant)
    return RewardsFetched(
        count=count,
        added=len(after.keys() - before.keys()),
        changed=sum(1 for key in after.keys() & before.keys() if after[key] != before[key]),
        removed=len(before.keys() - after.keys()),
        compared=compared,
    )


class RewardNotFound(LookupError):
    """No reward of this merchant has that public id (in the last fetched list)."""


def review_as_is(
    *,
    merchant: Merchant,
    public_id: str,
    reason: ReviewReason,
    note: str | None,
    actor: Actor,
    drawn: str,
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
        drawn=drawn,
    )
    return entry
