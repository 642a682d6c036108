"""Each recorded change as one sentence for the merchant, with the page and row it is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from portal.models.drift import DriftChange
from portal.sync.compare import ChangeKind


@dataclass(frozen=True)
class ChangeLine:
    """A change as the overview and the e-mail show it."""

    id: int
    at: datetime
    kind: str
    text: str
    endpoint: str
    anchor: str | None
    needs_merchant: bool


def _text(kind: str, subject: str, details: dict[str, object]) -> tuple[str, str, str | None]:
    """(sentence, endpoint, row anchor) of one change."""
    name = str(details.get("name", subject))
    location = str(details.get("location", ""))
    if kind == ChangeKind.STORE_GONE:
        text = _(
            "The Pongo store “%(name)s”, linked to your location %(location)s, no longer "
            "exists: link the location to another store.",
            name=name,
            location=location,
        )
        return text, "locations.index", f"row-{location}"
    if kind == ChangeKind.STORE_RENAMED:
        text = _(
            "The Pongo store linked to your location %(location)s was renamed from "
            "“%(old)s” to “%(new)s”; the link still works.",
            location=location,
            old=str(details.get("old", "")),
            new=str(details.get("new", "")),
        )
        return text, "locations.index", f"row-{location}"
    if kind == ChangeKind.STORE_NEW:
        text = _("A new Pongo store, “%(name)s”, is not linked to any location yet.", name=name)
        return text, "locations.index", None
    if kind == ChangeKind.REWARD_ADDED:
        return (
            _("The reward “%(name)s” was added at Pongo.", name=name),
            "rewards.index",
            (f"row-{subject}"),
        )
    if kind == ChangeKind.REWARD_REMOVED:
        return _("The reward “%(name)s” was removed at Pongo.", name=name), "rewards.index", None
    if kind == ChangeKind.REWARD_SKUS_CHANGED:
        text = _(
            "The SKU list of the reward “%(name)s” changed at Pongo: review it again.", name=name
        )
        return text, "rewards.index", f"row-{subject}"
    if kind == ChangeKind.REWARD_NOT_REDEEMABLE:
        text = _(
            "The reward “%(name)s” can no longer be redeemed: no product of your POS matches "
            "its SKUs.",
            name=name,
        )
        return text, "rewards.index", f"row-{subject}"
    text = _("Pongo no longer accepts the portal's access: reconnect Pongo.")
    return text, "connect.index", None


def describe(change: DriftChange) -> ChangeLine:
    """The sentence, page and row of a recorded change, in the current language."""
    text, endpoint, anchor = _text(change.kind, change.subject, dict(change.details or {}))
    return ChangeLine(
        id=change.id,
        at=change.at,
        kind=change.kind,
        text=text,
        endpoint=endpoint,
        anchor=anchor,
        needs_merchant=change.needs_merchant,
    )
