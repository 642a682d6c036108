"""The pure comparison of two syncs' snapshots, on its own and with Hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.sync.compare import (
    NEEDS_MERCHANT,
    Change,
    ChangeKind,
    RewardFacts,
    Snapshot,
    compare,
)

slugs = st.text(alphabet="abcdefgh-", min_size=1, max_size=6)
names = st.text(alphabet="ABCabc ", min_size=1, max_size=5)
external_ids = st.none() | st.text(alphabet="AB-1,", max_size=6)
facts = st.builds(RewardFacts, names, external_ids, st.booleans())
snapshots = st.builds(
    Snapshot,
    stores=st.dictionaries(slugs, names, max_size=6),
    rewards=st.dictionaries(slugs, facts, max_size=6),
)


def kinds(changes: list[Change]) -> list[tuple[ChangeKind, str]]:
    return [(change.kind, change.subject) for change in changes]


BEFORE = Snapshot(
    stores={"paris": "Paris", "lyon": "Lyon", "lille": "Lille"},
    rewards={
        "r1": RewardFacts("Croissant", "BAK-001", True),
        "r2": RewardFacts("Coffee", "CAF-001", True),
        "r3": RewardFacts("Tart", "BAK-005", True),
    },
)


def test_each_kind_of_change_is_found_once() -> None:
    after = Snapshot(
        stores={"paris": "Paris Oberkampf", "lille": "Lille", "nantes": "Nantes"},
        rewards={
            "r1": RewardFacts("Croissant", "BAK-001, BAK-002", True),
            "r3": RewardFacts("Tart", "BAK-005", False),
            "r4": RewardFacts("Cake", "BAK-009", True),
        },
    )
    changes = compare(BEFORE, after, {"paris": "L1", "lyon": "L2"})
    assert kinds(changes) == [
        (ChangeKind.STORE_GONE, "lyon"),
        (ChangeKind.STORE_RENAMED, "paris"),
        (ChangeKind.STORE_NEW, "nantes"),
        (ChangeKind.REWARD_ADDED, "r4"),
        (ChangeKind.REWARD_REMOVED, "r2"),
        (ChangeKind.REWARD_SKUS_CHANGED, "r1"),
        (ChangeKind.REWARD_NOT_REDEEMABLE, "r3"),
    ]
    gone, renamed = changes[0], changes[1]
    assert gone.details == {"name": "Lyon", "location": "L2"}
    assert renamed.details == {"old": "Paris", "new": "Paris Oberkampf", "location": "L1"}
    assert changes[5].details == {"name": "Croissant", "old": "BAK-001", "new": "BAK-001, BAK-002"}
    assert [c.needs_merchant for c in changes] == [True, False, True, False, False, False, True]


def test_unlinked_stores_gone_or_renamed_are_not_news() -> None:
    after = Snapshot(stores={"paris": "Paris 11"}, rewards=BEFORE.rewards)
    assert compare(BEFORE, after, {}) == []


def test_a_new_store_already_linked_is_not_waiting_for_a_link() -> None:
    after = Snapshot(stores={**BEFORE.stores, "nantes": "Nantes"}, rewards=BEFORE.rewards)
    assert compare(BEFORE, after, {"nantes": "L9"}) == []


def test_a_new_reward_that_cannot_be_redeemed_needs_the_merchant() -> None:
    after = Snapshot(
        stores=BEFORE.stores, rewards={**BEFORE.rewards, "r9": RewardFacts("Bag", None, False)}
    )
    assert kinds(compare(BEFORE, after, {})) == [
        (ChangeKind.REWARD_ADDED, "r9"),
        (ChangeKind.REWARD_NOT_REDEEMABLE, "r9"),
    ]


def test_the_first_sync_is_the_baseline() -> None:
    assert compare(None, BEFORE, {"paris": "L1"}) == []


@given(snapshots, st.dictionaries(slugs, slugs, max_size=4))
def test_a_snapshot_compared_with_itself_has_no_change(
    snapshot: Snapshot, linked: dict[str, str]
) -> None:
    assert compare(snapshot, snapshot, linked) == []


@given(snapshots, snapshots, st.dictionaries(slugs, slugs, max_size=4))
def test_changes_are_consistent_with_both_snapshots(
    before: Snapshot, after: Snapshot, linked: dict[str, str]
) -> None:
    changes = compare(before, after, linked)
    assert len(set(kinds(changes))) == len(changes)
    assert changes == sorted(changes, key=lambda c: (list(ChangeKind).index(c.kind), c.subject))
    for change in changes:
        assert change.needs_merchant == (change.kind in NEEDS_MERCHANT)
        if change.kind is ChangeKind.STORE_GONE:
            assert change.subject in linked
            assert change.subject in before.stores
            assert change.subject not in after.stores
        elif change.kind is ChangeKind.STORE_RENAMED:
            assert before.stores[change.subject] != after.stores[change.subject]
        elif change.kind is ChangeKind.STORE_NEW:
            assert change.subject not in before.stores
            assert change.subject not in linked
        elif change.kind is ChangeKind.REWARD_REMOVED:
            assert change.subject not in after.rewards
        elif change.kind is ChangeKind.REWARD_SKUS_CHANGED:
            old, new = before.rewards[change.subject], after.rewards[change.subject]
            assert old.external_id != new.external_id
        elif change.kind is ChangeKind.REWARD_NOT_REDEEMABLE:
            assert not after.rewards[change.subject].redeemable
    # Every reward that appeared or disappeared is reported.
    added = {c.subject for c in changes if c.kind is ChangeKind.REWARD_ADDED}
    removed = {c.subject for c in changes if c.kind is ChangeKind.REWARD_REMOVED}
    assert added == set(after.rewards) - set(before.rewards)
    assert removed == set(before.rewards) - set(after.rewards)


@given(snapshots)
def test_snapshots_survive_the_json_round_trip(snapshot: Snapshot) -> None:
    assert Snapshot.from_json(snapshot.to_json()) == snapshot
