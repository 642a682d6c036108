"""The Locations page's writes: the store cache refreshed from Pongo, and links saved.

Links hold the Pongo store slug, so a store renamed at Pongo keeps its link; the store's
name at link time is kept to tell the merchant about the rename.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy import select

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.locations.states import NO_STORE, choice_of
from portal.locations.stores import Store, cached_stores, free_stores, linked_slugs, suggestions_for
from portal.locations.tablets import TabletsRefused, check_tablets, save_tablets
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


class LinksRefused(Exception):
    """Some rows cannot be saved; nothing was saved. Messages are keyed by location ref."""

    def __init__(
        self,
        errors: dict[str, str],
        choices: dict[str, str | None],
        *,
        tablet_errors: dict[str, str] | None = None,
        tablets: Mapping[str, str] | None = None,
    ) -> None:
        self.errors = errors
        self.choices = choices
        # The Pongo tablet numbers as typed, and the rows whose number is not valid.
        self.tablet_errors = tablet_errors or {}
        self.tablets = dict(tablets or {})
        super().__init__(f"{len(set(errors) | set(self.tablet_errors))} row(s) refused")


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


def save_links(
    *,
    merchant: Merchant,
    choices: Mapping[str, str | None],
    actor: Actor,
    tablets: Mapping[str, str] | None = None,
) -> int:
    """Save the store and Pongo tablet of each row shown, all or nothing; returns the changes.

    Raises LinksRefused naming each refused row when any row breaks a rule.
    """
    try:
        numbers = check_tablets(tablets or {})
        tablet_errors: dict[str, str] = {}
    except TabletsRefused as refused:
        numbers, tablet_errors = {}, refused.errors
    stores = cached_stores(merchant)
    locations = {
        loc.ref: loc
        for loc in db.session.scalars(
            select(Location).where(Location.merchant_id == merchant.id, Location.ref.in_(choices))
        )
    }
    errors: dict[str, str] = {}
    changes: dict[Location, str | None] = {}
    for ref, slug in choices.items():
        location = locations.get(ref)
        if location is None:
            errors[ref] = "unknown"
        elif slug != choice_of(location):
            if slug and slug != NO_STORE and slug not in stores:
                errors[ref] = "gone"
            else:
                changes[location] = slug
    # Where every link would stand after the change, to find stores chosen twice.
    holders: dict[str, list[str]] = {}
    for slug, ref in linked_slugs(merchant).items():
        if not any(loc.ref == ref for loc in changes):
            holders.setdefault(slug, []).append(ref)
    for location, slug in changes.items():
        if slug and slug != NO_STORE:
            holders.setdefault(slug, []).append(location.ref)
    for location, slug in changes.items():
        if slug and slug != NO_STORE and len(holders[slug]) > 1:
            errors[location.ref] = "taken:" + ", ".join(
                r for r in holders[slug] if r != location.ref
            )
    if errors or tablet_errors:
        raise LinksRefused(errors, dict(choices), tablet_errors=tablet_errors, tablets=tablets)
    _apply(merchant, changes, stores, actor)
    return len(changes) + save_tablets(merchant=merchant, numbers=numbers, actor=actor)


def accept_suggestions(*, merchant: Merchant, refs: list[str], threshold: int, actor: Actor) -> int:
    """Link every row shown whose suggestion is at or above the threshold; returns how many."""
    locations = list(
        db.session.scalars(
            select(Location).where(
                Location.merchant_id == merchant.id,
                Location.ref.in_(refs),
                Location.archived_at.is_(None),
            )
        )
    )
    stores = cached_stores(merchant)
    suggestions = suggestions_for(locations, free_stores(merchant, stores))
    by_ref = {loc.ref: loc for loc in locations}
    changes: dict[Location, str | None] = {
        by_ref[ref]: s.slug for ref, s in suggestions.items() if s.confidence >= threshold
    }
    _apply(merchant, changes, stores, actor)
    return len(changes)
