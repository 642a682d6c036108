"""What the overview shows: onboarding progress and health, gathered from each area."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.locations.services import location_problems
from portal.models.connection import ConnectionStatus
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.orders.services import order_problems
from portal.pongo.connection import get_connection
from portal.rewards.services import last_sync as rewards_last_sync
from portal.rewards.services import reward_problems


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


def overview_for(merchant: Merchant) -> Overview:
    """Gather the overview of one merchant."""
    connection = get_connection(merchant)
    status = connection.status if connection else "not_connected"
    connected = status == ConnectionStatus.CONNECTED
    locations = location_problems(merchant)
    rewards = reward_problems(merchant)
    rewards_synced = rewards_last_sync(merchant) is not None
    has_locations = db.session.scalar(
        select(func.count(Location.id)).where(
            Location.merchant_id == merchant.id, Location.archived_at.is_(None)
        )
    )
    steps = [
        Step("connect", connected),
        Step(
            "locations",
            bool(has_locations) and locations["unlinked"] == 0 and locations["orphaned"] == 0,
        ),
        Step("rewards", rewards_synced and rewards["not_redeemable"] == 0),
    ]
    return Overview(
        connection_status=status,
        account_name=connection.account_name if connection else None,
        last_success_at=connection.last_success_at if connection else None,
        steps=steps,
        problems={
            k: v for k, v in {**locations, **rewards, **order_problems(merchant)}.items() if v
        },
    )
