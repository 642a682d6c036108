"""The merchant summary the POS admin panel reads, as a plain value with its JSON form.

The same value is answered by `GET /api/v1/merchants/<ref>/summary`, stored by the watcher
to notice changes, and carried by `merchant.status_changed` events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

NOT_CONNECTED = "not_connected"
CONNECTED = "connected"
NEEDS_RECONNECTION = "needs_reconnection"
CONNECTION_STATES = (NOT_CONNECTED, CONNECTED, NEEDS_RECONNECTION)
AREAS = ("locations", "rewards", "orders")


def connection_state(status: str | None) -> str:
    """The summary's connection from the stored connection status (none or disconnected: not)."""
    return status if status in (CONNECTED, NEEDS_RECONNECTION) else NOT_CONNECTED


@dataclass(frozen=True)
class Summary:
    """Where a merchant stands, as the POS admin panel shows it on its Pongo button."""

    connection: str = NOT_CONNECTED
    setup_percent: int = 0
    problems: dict[str, int] = field(default_factory=lambda: dict.fromkeys(AREAS, 0))
    orders_waiting: int = 0
    pongo_unavailable_since: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The summary as stored and sent (times in ISO 8601, UTC)."""
        since = self.pongo_unavailable_since
        return {
            "connection": self.connection,
            "setup_percent": self.setup_percent,
            "problems": {area: int(self.problems.get(area, 0)) for area in AREAS},
            "orders_waiting": self.orders_waiting,
            "pongo_unavailable_since": since.astimezone(UTC).isoformat() if since else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        """A summary as `to_json` wrote it."""
        since = data.get("pongo_unavailable_since")
        problems = data.get("problems") or {}
        return cls(
            connection=connection_state(data.get("connection")),
            setup_percent=int(data.get("setup_percent") or 0),
            problems={area: int(problems.get(area) or 0) for area in AREAS},
            orders_waiting=int(data.get("orders_waiting") or 0),
            pongo_unavailable_since=datetime.fromisoformat(since) if since else None,
        )

    @property
    def things_to_do(self) -> int:
        """How many problems the merchant has to look at, all pages together."""
        return sum(self.problems.values())
