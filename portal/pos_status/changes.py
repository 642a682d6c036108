"""Which summary changes the POS back-end is told about, and how close changes coalesce.

A change needs the POS when it moves what the merchant must do (`needs_of`): the
connection state, any area's problems going from zero to some or back, orders starting or
stopping to wait, the set-up reaching 100 % or leaving it. Counts moving between non-zero
values, and the Pongo outage stamp, change the summary but send nothing.

Coalescing works on the merchant's events in order. The events already sent, or being
sent, are closed: their body is fixed, so that every delivery of one id is the same. At
most one event is open, the newest, not yet tried; it is due at the end of the window that
opened with it. The baseline is what the receiver will know once every closed event is
delivered: the newest closed event's summary, or the summary the watcher first saw.

- No open event: a summary whose needs differ from the baseline's opens one.
- An open event: a summary whose needs are back to the baseline's cancels it (the
  receiver needs to hear nothing); any other summary replaces the open event's, so that it
  goes out carrying the latest summary, at the time its window ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from portal.pos_status.summary import AREAS, Summary


@dataclass(frozen=True)
class Needs:
    """What the merchant has to do, as far as the POS admin panel's button is concerned."""

    connection: str
    problems: tuple[bool, ...]
    orders_waiting: bool
    set_up: bool


def needs_of(summary: Summary) -> Needs:
    """The part of a summary whose change is worth an event."""
    return Needs(
        connection=summary.connection,
        problems=tuple(summary.problems.get(area, 0) > 0 for area in AREAS),
        orders_waiting=summary.orders_waiting > 0,
        set_up=summary.setup_percent >= 100,
    )


class Step(StrEnum):
    """What to do with the merchant's events after seeing its latest summary."""

    NOTHING = "nothing"
    OPEN = "open"
    UPDATE = "update"
    CANCEL = "cancel"


def plan(*, baseline: Summary | None, open_event: Summary | None, latest: Summary) -> Step:
    """What the latest summary does to the merchant's events (see the module docstring).

    `baseline` is None for a merchant never seen: its first summary is the baseline.
    """
    if baseline is None:
        return Step.NOTHING
    back_to_baseline = needs_of(latest) == needs_of(baseline)
    if open_event is None:
        return Step.NOTHING if back_to_baseline else Step.OPEN
    if back_to_baseline:
        return Step.CANCEL
    return Step.NOTHING if latest == open_event else Step.UPDATE
