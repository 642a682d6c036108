"""What the overview needs from the Rewards area: its setup step and its problem counts."""

from __future__ import annotations

from dataclasses import dataclass

from portal.rewards.checks import RewardStatus, summary
from portal.rewards.entries import RewardEntry


@dataclass(frozen=True)
class RewardsStep:
    """The Rewards step of the setup guide: done when every reward is ready or reviewed."""

    synced: bool
    total: int
    to_review: int
    # The first reward needing a review, in Pongo's order: where the guide's link opens.
    first_to_review: str | None

    @property
    def done(self) -> bool:
        """Whether the rewards were fetched and none needs the merchant's review."""
        return self.synced and self.to_review == 0


def step_of(entries: list[RewardEntry] | None) -> RewardsStep:
    """The Rewards step from every reward's entry; None when the rewards were never fetched."""
    if entries is None:
        return RewardsStep(synced=False, total=0, to_review=0, first_to_review=None)
    waiting = [entry.check.public_id for entry in _flagged(entries)]
    return RewardsStep(
        synced=True,
        total=len(entries),
        to_review=len(waiting),
        first_to_review=waiting[0] if waiting else None,
    )


def _flagged(entries: list[RewardEntry]) -> list[RewardEntry]:
    """The entries that need the merchant's review: not ready, and not reviewed as they are.

    `RewardEntry.needs_review`, with the status tested first: most rewards are ready.
    """
    ready = RewardStatus.READY
    return [entry for entry in entries if entry.check.status is not ready and not entry.reviewed]


def problems_of(entries: list[RewardEntry]) -> dict[str, int]:
    """The overview's reward problems among the entries: not redeemable, and to check."""
    counts = summary(entry.check for entry in _flagged(entries))
    return {
        "not_redeemable": counts[RewardStatus.NOT_REDEEMABLE],
        "check": counts[RewardStatus.CHECK],
    }
