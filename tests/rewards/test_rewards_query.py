"""What the merchant asks the Rewards list for, parsed once and carried across a POST."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.rewards.checks import RewardStatus
from portal.rewards.hints import near_miss_hint
from portal.rewards.pages import MAX_QUERY, RewardsQuery


def test_unknown_filters_and_views_mean_none() -> None:
    asked = RewardsQuery.parse({"status": "everything", "view": "map", "q": "  éclair  "})
    assert asked == RewardsQuery(text="éclair")
    assert asked.args() == {"q": "éclair"}


def test_a_search_cut_to_length_ends_without_a_space() -> None:
    asked = RewardsQuery.parse({"q": "a" * (MAX_QUERY - 1) + " b"})
    assert asked.text == "a" * (MAX_QUERY - 1)


def test_reviewed_is_a_filter_of_its_own() -> None:
    asked = RewardsQuery.parse({"status": "reviewed", "view": "locations"})
    assert asked.status is None
    assert asked.show_reviewed
    assert asked.args() == {"status": "reviewed", "view": "locations"}


@given(
    st.sampled_from([None, "reviewed", *(s.value for s in RewardStatus), "odd"]),
    st.text(max_size=300),
    st.sampled_from([None, "rewards", "locations", "odd"]),
)
def test_the_arguments_carried_along_read_back_as_the_same_query(
    status: str | None, text: str, view: str | None
) -> None:
    raw = {key: value for key, value in (("status", status), ("q", text), ("view", view)) if value}
    asked = RewardsQuery.parse(raw)
    assert len(asked.text) <= MAX_QUERY
    assert RewardsQuery.parse(asked.args()) == asked


def test_near_miss_hint_marks_the_difference_and_warns_on_unrelated_names() -> None:
    hint = near_miss_hint("Baguette tradition", "BAK-0O1", "BAK-001", ["Croissant"])
    assert [piece.text for piece in hint.typed if piece.changed] == ["O"]
    assert [piece.text for piece in hint.meant if piece.changed] == ["0"]
    assert hint.unrelated
    assert not near_miss_hint("Croissant offert", "BAK-0O1", "BAK-001", ["Croissant"]).unrelated
    assert not near_miss_hint("Anything", "BAK-0O1", "BAK-001", []).unrelated
