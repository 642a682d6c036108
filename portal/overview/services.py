"""What the overview shows: the setup guide and health, gathered from each area.

The guide has three steps; each knows what is left and the first row concerned, so that
every page of the journey can offer the one next action. The health counts come from one
statement, whatever the merchant's size.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import g
from sqlalchemy import BindParameter, Integer, ScalarSelect, Select, bindparam, func, select, true

from portal.extensions import db
from portal.locations import tally
from portal.locations.guide import LocationsStep, step_from
from portal.models.connection import ConnectionStatus
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.models.orders import Order
from portal.models.rewards import RewardSync
from portal.orders.services import order_problem_columns
from portal.pongo.connection import request_connection
from portal.rewards.catalogue import catalogue_for, catalogue_version_query, version_of
from portal.rewards.entries import RewardEntry, checked
from portal.rewards.guide import RewardsStep, problems_of, step_of

STEPS = ("connect", "locations", "rewards")


@dataclass(frozen=True)
class SetupGuide:
    """The three setup steps: connect Pongo, link the locations, review the rewards."""

    connection_status: str
    locations: LocationsStep
    rewards: RewardsStep

    @property
    def connected(self) -> bool:
        """Whether the portal holds a working Pongo connection."""
        return self.connection_status == ConnectionStatus.CONNECTED

    def done(self, step: str) -> bool:
        """Whether one step (a key of STEPS) is done."""
        if step == "connect":
            return self.connected
        if step == "locations":
            return self.locations.done
        return self.rewards.done

    @property
    def progress(self) -> int:
        """Percentage of the steps done."""
        return round(100 * sum(self.done(step) for step in STEPS) / len(STEPS))

    @property
    def complete(self) -> bool:
        """Whether every step is done: the merchant's Pongo setup is complete."""
        return all(self.done(step) for step in STEPS)

    @property
    def next_step(self) -> str | None:
        """The first step still to do, or None when the setup is complete."""
        return next((step for step in STEPS if not self.done(step)), None)


@dataclass(frozen=True)
class Overview:
    """The merchant's setup guide and health figures."""

    connection_status: str
    account_name: str | None
    last_success_at: datetime | None
    guide: SetupGuide
    problems: dict[str, int] = field(default_factory=dict)
    # Locations whose orders come without a customer but which have no Pongo tablet.
    without_tablet: TabletCheck | None = None

    @property
    def progress(self) -> int:
        """Percentage of the setup steps done."""
        return self.guide.progress

    def problems_by_area(self) -> dict[str, int]:
        """The problems the overview lists, added up by the page that fixes them."""
        totals = dict.fromkeys(PROBLEM_AREAS.values(), 0)
        for key, count in self.problems.items():
            totals[PROBLEM_AREAS[key]] += count
        return totals


@dataclass(frozen=True)
class TabletCheck:
    """Locations sending orders without a customer to Pongo with no tablet to ask them."""

    count: int
    first_ref: str
    first_name: str


def anonymous_order_locations(merchant_id: int | BindParameter[int]) -> Select[str]:
    """The refs of the locations that had orders nobody identified on, from their index.

    Asked once as a set rather than once per location: a correlated EXISTS over the orders
    took seconds on SQLite at 10,000 orders.
    """
    return select(Order.location_ref).where(
        Order.merchant_id == merchant_id, Order.without_customer == true()
    )


def _tablet_statement() -> Select[str, str, int]:
    """The first linked location without a tablet that had anonymous orders, and how many."""
    merchant_id = bindparam("merchant_id", type_=Integer)
    return (
        select(Location.ref, Location.name, func.count().over())
        .where(
            Location.merchant_id == merchant_id,
            Location.archived_at.is_(None),
            Location.store_slug.is_not(None),
            Location.pongo_tablet_id.is_(None),
            Location.ref.in_(anonymous_order_locations(merchant_id)),
        )
        .order_by(Location.name, Location.ref)
        .limit(1)
    )


# Built once: every overview view asks it.
_TABLET_CHECK = _tablet_statement()


def tablet_check(merchant: Merchant) -> TabletCheck | None:
    """Linked locations with orders nobody identified on and no Pongo tablet: to check."""
    row = db.session.execute(_TABLET_CHECK, {"merchant_id": merchant.id}).first()
    return TabletCheck(count=row[2], first_ref=row[0], first_name=row[1]) if row else None


LOCATION_COUNTS = ("unlinked", "orphaned", "renamed", "inactive_linked")
REWARD_COUNTS = ("not_redeemable", "check")
ORDER_COUNTS = ("failed", "paused")
# Each problem the overview lists, by the page where the merchant deals with it.
PROBLEM_AREAS = (
    dict.fromkeys(LOCATION_COUNTS, "locations")
    | dict.fromkeys(REWARD_COUNTS, "rewards")
    | dict.fromkeys(ORDER_COUNTS, "orders")
)


@functools.cache
def _figures_statement(*, health: bool, kept: bool) -> Select[Any]:
    """The setup steps' figures, and with `health` every count the overview shows.

    One statement, built once for any merchant. The locations' figures come from the
    merchant's tally row with `kept` (no row without one), else are counted afresh.
    """
    merchant_id = bindparam("merchant_id", type_=Integer)
    locations = tally.source(merchant_id, kept=kept)
    keys = ("active", "unlinked", "orphaned", *tally.FIRSTS) + (LOCATION_COUNTS if health else ())
    columns: dict[str, ScalarSelect[Any]] = {
        "latest_change": catalogue_version_query(merchant_id),
        "rewards_synced_at": select(RewardSync.synced_at)
        .where(RewardSync.merchant_id == merchant_id)
        .scalar_subquery(),
    }
    if health:
        columns |= order_problem_columns(merchant_id)
    return select(
        *(locations.c[key] for key in dict.fromkeys(keys)),
        *(column.label(key) for key, column in columns.items()),
    )


def _figures(merchant: Merchant, *, health: bool) -> dict[str, Any]:
    """The figures for one merchant, whatever its size, in one statement."""
    values = {"merchant_id": merchant.id}
    row = db.session.execute(_figures_statement(health=health, kept=True), values).first()
    if row is None:
        row = db.session.execute(_figures_statement(health=health, kept=False), values).one()
    return dict(row._mapping)


def _entries(merchant: Merchant, figures: Mapping[str, Any]) -> list[RewardEntry] | None:
    """Every reward checked and reviewed; None when the rewards were never fetched."""
    synced_at = figures["rewards_synced_at"]
    if synced_at is None:
        return None
    catalogue = catalogue_for(merchant, version_of(figures["latest_change"]))
    return checked(merchant, catalogue, synced_at)


def _guide(
    status: str, figures: Mapping[str, Any], entries: list[RewardEntry] | None
) -> SetupGuide:
    """The three setup steps from the connection status and the figures read."""
    return SetupGuide(
        connection_status=status, locations=step_from(figures), rewards=step_of(entries)
    )


def setup_guide(merchant: Merchant) -> SetupGuide:
    """Where the merchant stands in the three setup steps."""
    connection = request_connection(merchant)
    figures = _figures(merchant, health=False)
    status = connection.status if connection else "not_connected"
    return _guide(status, figures, _entries(merchant, figures))


def next_step_guide(merchant: Merchant, here: str) -> SetupGuide | None:
    """The guide for a page whose own step is `here`, or None while that step is not done.

    A page offers the next step only once its own is done, so the rest of the guide is
    not read before then: not connected, the Connection page reads nothing more; with a
    location left to link, the Locations page does not check the rewards.
    """
    connection = request_connection(merchant)
    status = connection.status if connection else "not_connected"
    if here == "connect" and status != ConnectionStatus.CONNECTED:
        return None
    # The Locations page counted its locations already and says whether its step is done.
    if here == "locations" and g.get("locations_step_done") is False:
        return None
    figures = _figures(merchant, health=False)
    if here == "locations" and not step_from(figures).done:
        return None
    guide = _guide(status, figures, _entries(merchant, figures))
    return guide if guide.done(here) else None


def overview_for(merchant: Merchant) -> Overview:
    """Gather the overview of one merchant: the guide and the health figures read together."""
    connection = request_connection(merchant)
    figures = _figures(merchant, health=True)
    locations = {key: int(figures[key] or 0) for key in LOCATION_COUNTS}
    orders = {key: int(figures[key] or 0) for key in ORDER_COUNTS}
    entries = _entries(merchant, figures)
    status = connection.status if connection else "not_connected"
    return Overview(
        connection_status=status,
        account_name=connection.account_name if connection else None,
        last_success_at=connection.last_success_at if connection else None,
        guide=_guide(status, figures, entries),
        problems={
            k: v for k, v in {**locations, **problems_of(entries or []), **orders}.items() if v
        },
        without_tablet=tablet_check(merchant),
    )
