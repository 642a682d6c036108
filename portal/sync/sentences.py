"""Each recorded change as one sentence for the merchant, with the page and row it is about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from portal.models.drift import DriftChange
from portal.pongo.errors import N_
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


@dataclass(frozen=True)
class _Sentence:
    """How one kind of change is told: its words, the page it leads to, the row it names."""

    text: str
    endpoint: str
    # The value naming the row the change is about ("location" or "subject"), if any.
    row: str | None = None


_SENTENCES: dict[str, _Sentence] = {
    ChangeKind.STORE_GONE: _Sentence(
        N_(
            "The Pongo store “%(name)s”, linked to your location %(location)s, no longer "
            "exists: link the location to another store."
        ),
        "locations.index",
        "location",
    ),
    ChangeKind.STORE_RENAMED: _Sentence(
        N_(
            "The Pongo store linked to your location %(location)s was renamed from "
            "“%(old)s” to “%(new)s”; the link still works."
        ),
        "locations.index",
        "location",
    ),
    ChangeKind.STORE_NEW: _Sentence(
        N_("A new Pongo store, “%(name)s”, is not linked to any location yet."),
        "locations.index",
    ),
    ChangeKind.REWARD_ADDED: _Sentence(
        N_("The reward “%(name)s” was added at Pongo."), "rewards.index", "subject"
    ),
    ChangeKind.REWARD_REMOVED: _Sentence(
        N_("The reward “%(name)s” was removed at Pongo."), "rewards.index"
    ),
    ChangeKind.REWARD_SKUS_CHANGED: _Sentence(
        N_("The SKU list of the reward “%(name)s” changed at Pongo: review it again."),
        "rewards.index",
        "subject",
    ),
    ChangeKind.REWARD_NOT_REDEEMABLE: _Sentence(
        N_(
            "The reward “%(name)s” can no longer be redeemed: no product of your POS matches "
            "its SKUs."
        ),
        "rewards.index",
        "subject",
    ),
}
# Any other kind: the sync itself was refused.
_RECONNECT = _Sentence(
    N_("Pongo no longer accepts the portal's access: reconnect Pongo."), "connect.index"
)


def _text(kind: str, subject: str, details: dict[str, object]) -> tuple[str, str, str | None]:
    """(sentence, endpoint, row anchor) of one change."""
    sentence = _SENTENCES.get(kind, _RECONNECT)
    values = {
        "subject": subject,
        "name": str(details.get("name", subject)),
        "location": str(details.get("location", "")),
        "old": str(details.get("old", "")),
        "new": str(details.get("new", "")),
    }
    anchor = f"row-{values[sentence.row]}" if sentence.row else None
    return _(sentence.text, **values), sentence.endpoint, anchor


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
