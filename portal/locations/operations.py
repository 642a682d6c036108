"""The Locations page's writes: the store cache refreshed from Pongo, and links saved.

Links hold the Pongo store slug, so a store renamed at Pongo keeps its link; the store's
name at link time is kept to tell the merchant about the rename.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.locations.states import NO_STORE, choice_of
from portal.locations.stores import Store, cached_stores, free_stores, linked_slugs, suggestions_for
from portal.models.base import utcnow
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.pongo import FetchedStore
from portal.pongo_cache import STORES, replace_cache


class StoreSource(Protocol):
    """Anything that lists a merchant's Pongo stores: the merchant's Pongo client, in practice."""

    def stores(self) -> list[FetchedStore]:
        """Every store of the merchant's Pongo account."""
        ...


@dataclass(frozen=True)
class RowEdit:
    """One row of the links table as submitted: the choice, and the link the page was drawn with.

    A choice is a store slug, NO_STORE or None (not linked); `drawn` is the row's choice
    when the page was drawn and `version` its link version then.
    """

    choice: str | None
    drawn: str | None
    version: int

    @property
    def changed(self) -> bool:
        """Whether the merchant changed this row on the page."""
        return self.choice != self.drawn


# The error code of a row whose link was changed elsewhere since the page was drawn.
CONFLICT = "conflict"


class LinksRefused(Exception):
    """Some rows cannot be saved; nothing was saved. Messages are keyed by location ref.

    `choices` holds the rows the merchant changed and that are not in conflict, so that the
    page drawn again keeps them; a row in conflict shows its current link instead.
    """

    def __init__(self, errors: dict[str, str], choices: dict[str, str | None]) -> None:
        self.errors = errors
        self.choices = choices
        super().__init__(f"{len(errors)} row(s) refused")


def refresh_stores(*, merchant: Merchant, client: StoreSource, actor: Actor) -> int:
    """Fetch the merchant's stores from Pongo and replace the cache; returns how many."""
    return replace_cache(STORES, merchant=merchant, actor=actor, fetched=client.stores())


def _apply(
    merchant: Merchant,
    changes: dict[Location, str | None],
    stores: Mapping[str, Store],
    actor: Actor,
) -> None:
    """Write link changes; links being given up are cleared first so that swaps work.

    A change is a store slug, NO_STORE (the location has no Pongo store) or None (not
    linked). Marking and unmarking "no Pongo store" are audited as such, links as links.
    """
    old = {location: location.store_slug for location in changes}
    for location in changes:
        location.store_slug = None
    db.session.flush()
    now = utcnow()
    for location, choice in changes.items():
        slug = None if choice == NO_STORE else choice
        was_no_store = location.no_store_at is not None
        location.store_slug = slug
        location.store_name_at_link = stores[slug].name if slug else None
        location.linked_at = now if slug else None
        location.linked_by = actor.name if slug else None
        location.no_store_at = now if choice == NO_STORE else None
        location.no_store_by = actor.name if choice == NO_STORE else None
        location.link_version += 1
        details = {"location": location.ref}
        if was_no_store and choice != NO_STORE:
            record("location.no_store_undo", actor=actor, merchant=merchant, details=details)
        if old[location] != slug:
            record(
                "location.link",
                actor=actor,
                merchant=merchant,
                details={**details, "old": old[location], "new": slug},
            )
        if choice == NO_STORE and not was_no_store:
            record("location.no_store", actor=actor, merchant=merchant, details=details)
    db.session.flush()


def _locked(merchant: Merchant, refs: list[str]) -> dict[str, Location]:
    """The merchant's locations of these refs, read afresh and locked until the commit."""
    statement = (
        select(Location)
        .where(Location.merchant_id == merchant.id, Location.ref.in_(refs))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {location.ref: location for location in db.session.scalars(statement)}


def save_links(*, merchant: Merchant, edits: Mapping[str, RowEdit], actor: Actor) -> int:
    """Save the rows the merchant changed on the page, all or nothing; returns how many changed.

    A row left as drawn is not written. A row changed elsewhere since the page was drawn
    (its link version moved) is not overwritten: it is refused as a conflict, unless it
    already holds the merchant's choice. Raises LinksRefused naming each refused row when
    any row breaks a rule.
    """
    stores = cached_stores(merchant)
    locations = _locked(merchant, list(edits))
    errors: dict[str, str] = {}
    changes: dict[Location, str | None] = {}
    for ref, edit in edits.items():
        location = locations.get(ref)
        if location is None:
            errors[ref] = "unknown"
        elif not edit.changed or edit.choice == choice_of(location):
            continue
        elif location.link_version != edit.version:
            errors[ref] = CONFLICT
        elif edit.choice and edit.choice != NO_STORE and edit.choice not in stores:
            errors[ref] = "gone"
        else:
            changes[location] = edit.choice
    # Where every link would stand after the change, to find stores chosen twice.
    holders: dict[str, list[str]] = {}
    for slug, ref in linked_slugs(merchant).items():
        if not any(loc.ref == ref for loc in changes):
            holders.setdefault(slug, []).append(ref)
    for changed, choice in changes.items():
        if choice and choice != NO_STORE:
            holders.setdefault(choice, []).append(changed.ref)
    for changed, choice in changes.items():
        if choice and choice != NO_STORE and len(holders[choice]) > 1:
            others = (r for r in holders[choice] if r != changed.ref)
            errors[changed.ref] = "taken:" + ", ".join(others)
    if errors:
        pending = {
            ref: edit.choice
            for ref, edit in edits.items()
            if edit.changed and errors.get(ref) != CONFLICT
        }
        raise LinksRefused(errors, pending)
    _apply(merchant, changes, stores, actor)
    return len(changes)


def accept_suggestions(
    *, merchant: Merchant, versions: Mapping[str, int], threshold: int, actor: Actor
) -> tuple[int, int]:
    """Link every row shown whose suggestion is at or above the threshold.

    `versions` holds each row's link version when the page was drawn: a row whose link
    changed elsewhere since is left as it is now. Returns how many rows were linked, and
    how many were left because they changed elsewhere.
    """
    shown = _locked(merchant, list(versions))
    current = {ref: loc for ref, loc in shown.items() if loc.link_version == versions[ref]}
    locations = [location for location in current.values() if location.active]
    stores = cached_stores(merchant)
    suggestions = suggestions_for(locations, free_stores(merchant, stores))
    by_ref = {loc.ref: loc for loc in locations}
    changes: dict[Location, str | None] = {
        by_ref[ref]: s.slug for ref, s in suggestions.items() if s.confidence >= threshold
    }
    _apply(merchant, changes, stores, actor)
    return len(changes), len(shown) - len(current)
