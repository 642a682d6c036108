"""What the overview shows: onboarding progress and health, gathered from each area."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, ScalarSelect, Select, bindparam, func, select

from portal.extensions import db
from portal.locations.services import location_problem_columns
from portal.models.connection import ConnectionStatus
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.models.rewards import RewardSync
from portal.orders.services import order_problem_columns
from portal.pongo.connection import request_connection
from portal.rewards.services import catalogue_version_query, reward_problems, version_of


@dataclass(frozen=True)
class Step:
    """One onboarding step with its state."""

    key: str
    done: bool
    detail: str | None = None


@dataclass(frozen=True)
class Overview:
    """The merchant's onboarding checklist and health figures."""

    connection_status: str
    account_name: str | None
    last_success_at: datetime | None
    steps: list[Step]
    problems: dict[str, int] = field(default_factory=dict)

    @property
    def progress(self) -> int:
        """Percentage of onboarding steps done."""
        return round(100 * sum(s.done for s in self.steps) / len(self.steps)) if self.steps else 0


LOCATION_COUNTS = ("unlinked", "orphaned", "renamed", "inactive_linked")
ORDER_COUNTS = ("failed", "paused")


@functools.cache
def _figures_statement() -> Select[Any]:
    """Every count the overview shows, in one statement built once for any merchant."""
    merchant_id = bindparam("merchant_id", type_=Integer)
    columns: dict[str, ScalarSelect[Any]] = {
        "latest_change": catalogue_version_query(merchant_id),
        **location_problem_columns(merchant_id),
        **order_problem_columns(merchant_id),
        "active_locations": select(func.count(Location.id))
        .where(Location.merchant_id == merchant_id, Location.archived_at.is_(None))
        .scalar_subquery(),
        "rewards_synced_at": select(RewardSync.synced_at)
        .where(RewardSync.merchant_id == merchant_id)
        .scalar_subquery(),
    }
    assert set(LOCATION_COUNTS + ORDER_COUNTS) < set(columns)
    return select(*(column.label(key) for key, column in columns.items()))


def _figures(merchant: Merchant) -> dict[str, Any]:
    """The overview's counts for one merchant, whatever its size, in one statement."""
    row = db.session.execute(_figures_statement(), {"merchant_id": merchant.id}).one()
    return dict(row._mapping)


def overview_for(merchant: Merchant) -> Overview:
    """Gather the overview of one merchant."""
    connection = request_connection(merchant)
    status = connection.status if connection else "not_connected"
    connected = status == ConnectionStatus.CONNECTED
    figures = _figures(merchant)
    locations = {key: int(figures[key] or 0) for key in LOCATION_COUNTS}
    orders = {key: int(figures[key] or 0) for key in ORDER_COUNTS}
    synced_at = figures["rewards_synced_at"]
    rewards = (
        reward_problems(
            merchant,
            version=version_of(figures["latest_change"]),
            synced_at=synced_at,
        )
        if synced_at is not None
        else {"not_redeemable": 0, "check": 0}
    )
    steps = [
        Step("connect", connected),
        Step(
            "locations",
            bool(figures["active_locations"])
            and locations["unlinked"] == 0
            and locations["orphaned"] == 0,
        ),
        Step("rewards", synced_at is not None and rewards["not_redeemable"] == 0),
    ]
    return Overview(
        connection_status=status,
        account_name=connection.account_name if connection else None,
        last_success_at=connection.last_success_at if connection else None,
        steps=steps,
        problems={k: v for k, v in {**locations, **rewards, **orders}.items() if v},
    )
