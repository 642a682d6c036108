"""Every cached reward checked against the catalogue, with the merchant's own review of it.

The check is the pure core in `checks.py`; this module feeds it from the database and keeps
its results with the catalogue index (`catalogue.py`) for the rewards sync they came from.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import g, has_request_context
from sqlalchemy import select

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.models.rewards import PongoReward, RewardSync
from portal.rewards.catalogue import Catalogue, catalogue_for
from portal.rewards.checks import RewardCheck, RewardStatus, check_reward
from portal.rewards.reviews import Acceptance, acceptances


@dataclass(frozen=True)
class RewardEntry:
    """One cached reward with its check against the catalogue and the merchant's own review."""

    check: RewardCheck
    points: int | None
    acceptance: Acceptance | None = None

    @functools.cached_property
    def reviewed(self) -> bool:
        """Whether the merchant accepted this flagged reward for its current SKUs."""
        return (
            self.check.status is not RewardStatus.READY
            and self.acceptance is not None
            and self.acceptance.current
        )

    @property
    def needs_review(self) -> bool:
        """Whether the reward still blocks the setup: not ready and not reviewed as it is now."""
        return self.check.status is not RewardStatus.READY and not self.reviewed

    @property
    def review_lapsed(self) -> bool:
        """Whether a review was given, but for SKUs that have changed in Pongo since."""
        return self.needs_review and self.acceptance is not None and not self.acceptance.current


@dataclass(frozen=True)
class Classified:
    """One cached reward checked against the catalogue, before the merchant's own review."""

    # The reward's entry without a review, shared by every view that finds none for it:
    # each view would otherwise make and ask hundreds of entries again.
    unreviewed: RewardEntry
    raw_external_id: str | None


def last_sync(merchant: Merchant) -> RewardSync | None:
    """When the rewards were last fetched, or None if never."""
    return db.session.get(RewardSync, merchant.id)


def _classified(merchant: Merchant, catalogue: Catalogue) -> list[Classified]:
    """Every cached reward of the merchant checked against its catalogue, in Pongo's order."""
    rows = db.session.execute(
        select(
            PongoReward.public_id, PongoReward.name, PongoReward.points, PongoReward.raw_external_id
        )
        .where(PongoReward.merchant_id == merchant.id)
        .order_by(PongoReward.position, PongoReward.id)
    )
    return [
        Classified(RewardEntry(check_reward(public_id, name, raw, catalogue.index), points), raw)
        for public_id, name, points, raw in rows
    ]


def checked(merchant: Merchant, catalogue: Catalogue, synced_at: datetime) -> list[RewardEntry]:
    """Every reward's check, with the merchant's own review of it.

    The checks are kept with the catalogue index for the rewards sync it came from, so
    a page view checks nothing until the POS pushes another catalogue or the rewards are
    fetched again; the merchant's reviews (a small read) are applied once per request: the
    Rewards page and the next step it offers share the entries. A reward without a review
    keeps its entry from one view to the next.
    """
    key = (merchant.id, synced_at, id(catalogue))
    # Only within a request: a worker's application context outlives its rounds.
    kept = g.get("reward_entries") if has_request_context() else None
    if kept is not None and kept[0] == key:
        return list(kept[1])
    classified = catalogue.checks.get(synced_at)
    if classified is None:
        classified = _classified(merchant, catalogue)
        catalogue.checks.clear()
        catalogue.checks[synced_at] = classified
    accepted = acceptances(
        merchant, {c.unreviewed.check.public_id: c.raw_external_id for c in classified}
    )
    entries = [
        c.unreviewed
        if (acceptance := accepted.get(c.unreviewed.check.public_id)) is None
        else RewardEntry(c.unreviewed.check, c.unreviewed.points, acceptance)
        for c in classified
    ]
    if has_request_context():
        g.reward_entries = (key, tuple(entries))
    return entries


def reward_entries(merchant: Merchant) -> list[RewardEntry]:
    """Every cached reward of the merchant, checked and with its review (none if never fetched)."""
    sync = last_sync(merchant)
    return checked(merchant, catalogue_for(merchant), sync.synced_at) if sync else []


def pos_rewards(merchant: Merchant) -> Iterator[RewardCheck]:
    """Every cached reward's check, for the POS API."""
    return (entry.check for entry in reward_entries(merchant))
