"""What changed at Pongo between two syncs: a pure comparison of two snapshots.

A snapshot is what one sync saw: every store (slug → name) and every reward (public id →
name, raw external_id, redeemable or not). The links live in the portal, so the comparison
is told which stores are linked, and to which POS location, at the time of the new sync.

Rules, each at most once per store or reward:

- a linked store missing from the new snapshot: the link is orphaned;
- a linked store present in both with another name: renamed (the link keeps working);
- a store absent before and not linked now: a new store waiting for a link;
- a reward only in the new snapshot: added; only in the old one: removed;
- a reward whose raw external_id differs: its SKU list changed (a review of it lapses);
- a reward not redeemable now that was redeemable before, or is new: it needs the merchant.

The first sync has nothing to compare with: it is the baseline and reports nothing.
Output is sorted (stores, then rewards; by kind, then subject), so equal inputs give equal lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    """What happened at Pongo, as the portal records it."""

    STORE_GONE = "store_gone"
    STORE_RENAMED = "store_renamed"
    STORE_NEW = "store_new"
    REWARD_ADDED = "reward_added"
    REWARD_REMOVED = "reward_removed"
    REWARD_SKUS_CHANGED = "reward_skus_changed"
    REWARD_NOT_REDEEMABLE = "reward_not_redeemable"
    # Not found by comparing: the sync itself was refused. Listed here so that one
    # vocabulary names every change.
    RECONNECTION_NEEDED = "reconnection_needed"


# Changes the merchant has to act on; the others are news.
NEEDS_MERCHANT = frozenset(
    {
        ChangeKind.STORE_GONE,
        ChangeKind.STORE_NEW,
        ChangeKind.REWARD_NOT_REDEEMABLE,
        ChangeKind.RECONNECTION_NEEDED,
    }
)


@dataclass(frozen=True)
class RewardFacts:
    """One reward as a sync saw it."""

    name: str
    external_id: str | None
    redeemable: bool


@dataclass(frozen=True)
class Snapshot:
    """What one sync saw at Pongo."""

    stores: Mapping[str, str] = field(default_factory=dict)
    rewards: Mapping[str, RewardFacts] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The snapshot as JSON-ready data, to keep until the next sync."""
        return {
            "stores": dict(self.stores),
            "rewards": {
                key: [r.name, r.external_id, r.redeemable] for key, r in self.rewards.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        """Read back what `to_json` wrote."""
        rewards = {
            str(key): RewardFacts(str(name), None if ext is None else str(ext), bool(ok))
            for key, (name, ext, ok) in dict(data.get("rewards") or {}).items()
        }
        stores = {str(k): str(v) for k, v in dict(data.get("stores") or {}).items()}
        return cls(stores=stores, rewards=rewards)


@dataclass(frozen=True)
class Change:
    """One change found at Pongo: its kind, the store slug or reward id, and what to say."""

    kind: ChangeKind
    subject: str
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def needs_merchant(self) -> bool:
        """Whether the merchant has to do something about it."""
        return self.kind in NEEDS_MERCHANT


def compare(before: Snapshot | None, after: Snapshot, linked: Mapping[str, str]) -> list[Change]:
    """The changes from `before` to `after`; `linked` maps linked store slugs to location refs."""
    if before is None:
        return []
    return _store_changes(before, after, linked) + _reward_changes(before, after)


def _store_changes(before: Snapshot, after: Snapshot, linked: Mapping[str, str]) -> list[Change]:
    changes = []
    for slug, name in before.stores.items():
        location = linked.get(slug)
        if location is None:
            continue
        if slug not in after.stores:
            changes.append(
                Change(ChangeKind.STORE_GONE, slug, {"name": name, "location": location})
            )
        elif after.stores[slug] != name:
            changes.append(
                Change(
                    ChangeKind.STORE_RENAMED,
                    slug,
                    {"old": name, "new": after.stores[slug], "location": location},
                )
            )
    for slug, name in after.stores.items():
        if slug not in before.stores and slug not in linked:
            changes.append(Change(ChangeKind.STORE_NEW, slug, {"name": name}))
    return sorted(changes, key=_order)


def _reward_changes(before: Snapshot, after: Snapshot) -> list[Change]:
    changes = []
    for key, old in before.rewards.items():
        if key not in after.rewards:
            changes.append(Change(ChangeKind.REWARD_REMOVED, key, {"name": old.name}))
    for key, new in after.rewards.items():
        old_facts = before.rewards.get(key)
        if old_facts is None:
            changes.append(Change(ChangeKind.REWARD_ADDED, key, {"name": new.name}))
        elif old_facts.external_id != new.external_id:
            changes.append(
                Change(
                    ChangeKind.REWARD_SKUS_CHANGED,
                    key,
                    {"name": new.name, "old": old_facts.external_id, "new": new.external_id},
                )
            )
        if not new.redeemable and (old_facts is None or old_facts.redeemable):
            changes.append(Change(ChangeKind.REWARD_NOT_REDEEMABLE, key, {"name": new.name}))
    return sorted(changes, key=_order)


ORDER = list(ChangeKind)


def _order(change: Change) -> tuple[int, str]:
    return ORDER.index(change.kind), change.subject
