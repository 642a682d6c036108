"""What the overview needs from the Locations area: its health counts and its setup step.

Both are SQL expressions over the link states of `states.py`, counted in one pass over the
merchant's locations and kept by the writes in its tally (`tally.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from portal.extensions import db
from portal.locations.states import FACTS_OF, LINKED, LinkState, MerchantId, conditions
from portal.models.locations import Location
from portal.models.merchant import Merchant

# The location problems the overview and the Locations page count.
PROBLEMS = ("unlinked", "orphaned", "renamed", "inactive_linked")


def _kinds(merchant_id: MerchantId) -> dict[str, tuple[ColumnElement[bool], ...]]:
    """The problems the overview counts, as SQL conditions on the merchant's locations."""
    return {
        "unlinked": conditions(merchant_id, *FACTS_OF[LinkState.UNLINKED]),
        "orphaned": conditions(merchant_id, *FACTS_OF[LinkState.ORPHANED]),
        "renamed": conditions(merchant_id, *FACTS_OF[LinkState.RENAMED]),
        "inactive_linked": conditions(merchant_id, *FACTS_OF[LinkState.INACTIVE], LINKED),
    }


def location_problem_counts(merchant_id: MerchantId) -> dict[str, ColumnElement[int]]:
    """The problem counts as aggregates over the merchant's locations, read in one pass.

    They count locations by link state: unlinked, orphaned (only once the stores were
    synced), renamed, and archived locations still linked.
    """
    kinds = _kinds(merchant_id)
    return {key: func.count().filter(and_(*kinds[key])) for key in PROBLEMS}


def location_problems(merchant: Merchant) -> dict[str, int]:
    """Counts for the overview: unlinked, orphaned, renamed; inactive locations still linked."""
    counts = location_problem_counts(merchant.id)
    row = db.session.execute(
        select(*(c.label(k) for k, c in counts.items())).where(Location.merchant_id == merchant.id)
    ).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}


@dataclass(frozen=True)
class Pending:
    """The first location of a kind still to be dealt with: where the guide's link opens."""

    ref: str
    name: str


@dataclass(frozen=True)
class LocationsStep:
    """The Locations step of the setup guide: what is left, and the first row concerned."""

    active: int
    unlinked: int
    orphaned: int
    first_unlinked: Pending | None
    first_orphaned: Pending | None

    @property
    def done(self) -> bool:
        """Every active location linked or marked "no Pongo store", and no orphaned link."""
        return self.active > 0 and self.unlinked == 0 and self.orphaned == 0


def first_pending_columns(
    merchant_id: MerchantId, counts: Mapping[str, ColumnElement[Any]]
) -> dict[str, ColumnElement[Any]]:
    """The first unlinked and orphaned locations, read only when their count is above zero.

    `counts` are the columns of the tally's counts in the statement's FROM. Without
    the guard, finding that no location is orphaned would look up the store of every link.
    """
    kinds = _kinds(merchant_id)
    columns: dict[str, ColumnElement[Any]] = {}
    for key in ("unlinked", "orphaned"):
        for field, column in (("ref", Location.ref), ("name", Location.name)):
            first = select(column).where(*kinds[key]).order_by(Location.ref).limit(1)
            columns[f"{key}_{field}"] = case((counts[key] > 0, first.scalar_subquery()))
    return columns


def step_from(values: Mapping[Any, Any]) -> LocationsStep:
    """The Locations step from the tally's counts and its first rows."""
    return LocationsStep(
        active=int(values["active"] or 0),
        unlinked=int(values["unlinked"] or 0),
        orphaned=int(values["orphaned"] or 0),
        first_unlinked=(
            Pending(values["unlinked_ref"], values["unlinked_name"])
            if values["unlinked_ref"]
            else None
        ),
        first_orphaned=(
            Pending(values["orphaned_ref"], values["orphaned_name"])
            if values["orphaned_ref"]
            else None
        ),
    )
