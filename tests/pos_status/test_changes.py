"""Which summary changes reach the POS back-end, and how changes inside the window coalesce."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from portal.pos_status.changes import Step, needs_of, plan
from portal.pos_status.summary import AREAS, CONNECTION_STATES, Summary

CONNECTED = Summary(
    connection="connected",
    setup_percent=67,
    problems={"locations": 2, "rewards": 0, "orders": 0},
)

summaries = st.builds(
    Summary,
    connection=st.sampled_from(CONNECTION_STATES),
    setup_percent=st.sampled_from([0, 33, 67, 100]),
    problems=st.fixed_dictionaries({area: st.integers(0, 3) for area in AREAS}),
    orders_waiting=st.integers(0, 3),
    pongo_unavailable_since=st.none() | st.just(datetime(2026, 12, 1, tzinfo=UTC)),
)


def test_a_merchant_seen_for_the_first_time_sends_nothing() -> None:
    assert plan(baseline=None, open_event=None, latest=CONNECTED) is Step.NOTHING


def test_what_needs_the_merchant_opens_an_event() -> None:
    rejected = replace(CONNECTED, connection="needs_reconnection")
    waiting = replace(CONNECTED, orders_waiting=1)
    rewards = replace(CONNECTED, problems={**CONNECTED.problems, "rewards": 1})
    solved = replace(CONNECTED, problems={**CONNECTED.problems, "locations": 0})
    done = replace(CONNECTED, setup_percent=100)
    for latest in (rejected, waiting, rewards, solved, done):
        assert plan(baseline=CONNECTED, open_event=None, latest=latest) is Step.OPEN, latest


def test_counts_moving_between_non_zero_values_and_outages_send_nothing() -> None:
    more = replace(CONNECTED, problems={**CONNECTED.problems, "locations": 5})
    outage = replace(CONNECTED, pongo_unavailable_since=datetime(2026, 12, 1, tzinfo=UTC))
    progress = replace(CONNECTED, setup_percent=33)
    for latest in (more, outage, progress):
        assert plan(baseline=CONNECTED, open_event=None, latest=latest) is Step.NOTHING


def test_a_second_change_inside_the_window_rewrites_the_open_event() -> None:
    rejected = replace(CONNECTED, connection="needs_reconnection")
    waiting = replace(rejected, orders_waiting=3)
    assert plan(baseline=CONNECTED, open_event=rejected, latest=waiting) is Step.UPDATE
    assert plan(baseline=CONNECTED, open_event=waiting, latest=waiting) is Step.NOTHING


def test_a_change_undone_inside_the_window_cancels_the_open_event() -> None:
    rejected = replace(CONNECTED, connection="needs_reconnection")
    back = replace(CONNECTED, problems={**CONNECTED.problems, "locations": 4})
    assert plan(baseline=CONNECTED, open_event=rejected, latest=back) is Step.CANCEL


@given(st.lists(summaries, min_size=1, max_size=12), summaries)
def test_a_burst_of_changes_leaves_one_event_carrying_the_latest_summary(
    burst: list[Summary], baseline: Summary
) -> None:
    open_event: Summary | None = None
    for latest in burst:
        step = plan(baseline=baseline, open_event=open_event, latest=latest)
        if step in (Step.OPEN, Step.UPDATE):
            open_event = latest
        elif step is Step.CANCEL:
            open_event = None
        else:
            assert step is Step.NOTHING
            assert open_event in (None, latest)
    # One event at most, and it says what the merchant needs now.
    if needs_of(burst[-1]) == needs_of(baseline):
        assert open_event is None
    else:
        assert open_event == burst[-1]


@given(summaries)
def test_the_summary_survives_its_json_form(summary: Summary) -> None:
    assert Summary.from_json(summary.to_json()) == summary
