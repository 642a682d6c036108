"""What the overview shows: the setup guide and health, gathered from each area.

The guide has three steps; each knows what is left and the first row concerned, so that
every page of the journey can offer the one next action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from portal.locations.services import LocationsStep, location_problems, locations_step
from portal.models.connection import ConnectionStatus
from portal.models.merchant import Merchant
from portal.orders.services import order_problems
from portal.pongo.connection import get_connection
from portal.rewards.services import RewardsStep, reward_problems, rewards_step

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

    @property
    def progress(self) -> int:
        """Percentage of the setup steps done."""
        return self.guide.progress


def setup_guide(merchant: Merchant) -> SetupGuide:
    """Where the merchant stands in the three setup steps."""
    connection = get_connection(merchant)
    return SetupGuide(
        connection_status=connection.status if connection else "not_connected",
        locations=locations_step(merchant),
        rewards=rewards_step(merchant),
    )


def overview_for(merchant: Merchant) -> Overview:
    """Gather the overview of one merchant."""
    connection = get_connection(merchant)
    locations = location_problems(merchant)
    rewards = reward_problems(merchant)
    return Overview(
        connection_status=connection.status if connection else "not_connected",
        account_name=connection.account_name if connection else None,
        last_success_at=connection.last_success_at if connection else None,
        guide=setup_guide(merchant),
        problems={
            k: v for k, v in {**locations, **rewards, **order_problems(merchant)}.items() if v
        },
    )
