"""Linking POS locations to Pongo stores: the store cache, the page's rows, links and drift.

Links hold the Pongo store slug, so a store renamed at Pongo keeps its link; the store's
name at link time is kept to tell the merchant about the rename.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    delete,
    func,
    not_,
    or_,
    select,
)

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.listing import clean_query, contains, count, paginate
from portal.locations.suggest import PosLocation, StoreChoice, Suggestion, suggest_links
from portal.models.base import utcnow
from portal.models.locations import Location, PongoStore, StoreSync
from portal.models.merchant import Merchant
from portal.pongo import FetchedStore

PER_PAGE = 50
# A merchant's id, or a bound parameter standing for it in a statement built once.
MerchantId = int | BindParameter[int]
DEFAULT_THRESHOLD = 80
# Up to this many free stores, each row's list offers them all, which works without JavaScript.
FULL_LIST_MAX = 12
# The choice "this location has no Pongo store" in the links table. Pongo's store slugs are
# URL-safe words; a value starting with a space is never taken for one.
NO_STORE = " no-store"


class StoreSource(Protocol):
    """Anything that lists a merchant's Pongo stores: the merchant's Pongo client, in practice."""

    def stores(self) -> list[FetchedStore]:
        """Every store of the merchant's Pongo account."""
        ...


class LinkState(StrEnum):
    """Where a location stands with its Pongo store."""

    LINKED = "linked"
    UNLINKED = "unlinked"
    # The merchant said this location has no Pongo store (a central kitchen, a warehouse).
    NO_STORE = "no_store"
    RENAMED = "renamed"
    ORPHANED = "orphaned"
    INACTIVE = "inactive"


class Store(NamedTuple):
    """A cached Pongo store as the page shows it (a tuple: a page reads a thousand of them)."""

    slug: str
    name: str
    address: str | None
    city: str | None
    postal_code: str | None

    @property
    def label(self) -> str:
        """Name, address and slug, so that two stores of one name can be told apart."""
        return f"{self.description} ({self.slug})"

    @property
    def description(self) -> str:
        """Name and address."""
        place = ", ".join(p for p in (self.address, self.postal_code, self.city) if p)
        return f"{self.name} — {place}" if place else self.name


@dataclass(frozen=True)
class Row:
    """One location on the page with its link, drift state and suggestion."""

    location: Location
    state: LinkState
    store: Store | None
    suggestion: Suggestion | None = None
    suggested: Store | None = None
    chosen: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class LocationsPage:
    """Everything the Locations page shows, computed before rendering."""

    rows: list[Row]
    free_stores: list[Store]
    page: int
    pages: int
    total: int
    query: str
    inactive: bool
    active_count: int
    inactive_count: int
    synced_at: datetime | None
    store_count: int
    problems: dict[str, int] = field(default_factory=dict)
    # Active locations marked as having no Pongo store.
    no_store_count: int = 0

    @property
    def compact(self) -> bool:
        """Whether rows offer a few stores each and the page carries the full list once.

        Every row listing every free store would repeat a thousand options fifty times: past
        a handful of stores, each row offers its own, suggested and chosen stores, and a
        small script turns the one shared list into a search in each row.
        """
        return len(self.free_stores) > FULL_LIST_MAX

    @property
    def store_list_json(self) -> str:
        """Every free store as [slug, description], once for the page, JSON safe in <script>.

        Written compactly (no ASCII escapes, no spaces): a thousand stores stay under 120 KB.
        """
        text = json.dumps(
            [[store.slug, store.description] for store in self.free_stores],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class LinksRefused(Exception):
    """Some rows cannot be saved; nothing was saved. Messages are keyed by location ref."""

    def __init__(self, errors: dict[str, str], choices: dict[str, str | None]) -> None:
        self.errors = errors
        self.choices = choices
        super().__init__(f"{len(errors)} row(s) refused")


def cached_stores(merchant: Merchant) -> dict[str, Store]:
    """The merchant's Pongo stores as last fetched, by slug, in name order."""
    rows = db.session.execute(
        select(
            PongoStore.slug,
            PongoStore.name,
            PongoStore.address,
            PongoStore.city,
            PongoStore.postal_code,
        )
        .where(PongoStore.merchant_id == merchant.id)
        .order_by(PongoStore.name)
    )
    # Plain rows: a thousand stores as ORM objects would cost more than the rest of the page.
    return {row.slug: Store(*row) for row in rows}


def last_sync(merchant: Merchant) -> StoreSync | None:
    """When the store list was last fetched, or None if never."""
    return db.session.get(StoreSync, merchant.id)


def refresh_stores(*, merchant: Merchant, client: StoreSource, actor: Actor) -> int:
    """Fetch the merchant's stores from Pongo and replace the cache; returns how many."""
    stores = client.stores()
    db.session.execute(delete(PongoStore).where(PongoStore.merchant_id == merchant.id))
    db.session.add_all(
        PongoStore(
            merchant_id=merchant.id,
            slug=store.slug,
            name=store.name,
            address=store.address,
            city=store.city,
            postal_code=store.postal_code,
            public_id=store.public_id,
        )
        for store in {s.slug: s for s in stores}.values()
    )
    sync = last_sync(merchant) or StoreSync(merchant_id=merchant.id)
    sync.synced_at = utcnow()
    sync.store_count = len(stores)
    db.session.add(sync)
    db.session.flush()
    record("stores.refresh", actor=actor, merchant=merchant, details={"stores": len(stores)})
    return len(stores)


def state_of(location: Location, stores: Mapping[str, Store], synced: bool) -> LinkState:
    """The drift state of one location against the cached stores."""
    if not location.active:
        return LinkState.INACTIVE
    if not location.store_slug:
        return LinkState.NO_STORE if location.no_store_at else LinkState.UNLINKED
    store = stores.get(location.store_slug)
    if store is None:
        # Before the first sync nothing is known about Pongo's stores: no alarm yet.
        return LinkState.ORPHANED if synced else LinkState.LINKED
    if location.store_name_at_link and store.name != location.store_name_at_link:
        return LinkState.RENAMED
    return LinkState.LINKED


def _filtered(merchant: Merchant, query: str, inactive: bool) -> Select[Location]:
    statement = select(Location).where(
        Location.merchant_id == merchant.id,
        Location.archived_at.is_not(None) if inactive else Location.archived_at.is_(None),
    )
    if query:
        statement = statement.where(
            or_(
                contains(Location.name, query),
                contains(Location.ref, query),
                contains(Location.city, query),
            )
        )
    return statement


def page_of(merchant: Merchant, ref: str, per_page: int = PER_PAGE) -> int:
    """The page of the unfiltered active list on which a location appears (1 if not there)."""
    before = count(_filtered(merchant, "", False).where(Location.ref < ref))
    return before // per_page + 1


def _suggestions(
    merchant: Merchant, rows: list[Location], free: list[Store]
) -> Mapping[str, Suggestion]:
    # Suggestions are computed for the rows shown only, against every free store: scoring
    # all of a large merchant's locations on every page view would cost half a second.
    return _suggested(
        tuple(
            PosLocation(loc.ref, loc.name, loc.address, loc.city, loc.postal_code)
            for loc in rows
            if loc.active and not loc.store_slug and not loc.no_store_at
        ),
        tuple(StoreChoice(s.slug, s.name, s.address, s.city, s.postal_code) for s in free),
    )


@functools.lru_cache(maxsize=16)
def _suggested(
    locations: tuple[PosLocation, ...], stores: tuple[StoreChoice, ...]
) -> Mapping[str, Suggestion]:
    """Suggestions for these rows among these stores, kept while neither changes (read-only)."""
    return MappingProxyType(suggest_links(locations, stores, {}))


def _linked_slugs(merchant: Merchant) -> dict[str, str]:
    """Slug -> location ref for every linked location, archived ones included."""
    return {
        slug: ref
        for ref, slug in db.session.execute(
            select(Location.ref, Location.store_slug).where(
                Location.merchant_id == merchant.id, Location.store_slug.is_not(None)
            )
        )
        if slug
    }


def locations_page(
    *,
    merchant: Merchant,
    query: str = "",
    page: int = 1,
    inactive: bool = False,
    per_page: int = PER_PAGE,
    refused: LinksRefused | None = None,
) -> LocationsPage:
    """The rows of one page of the Locations screen, with states and suggestions."""
    query = clean_query(query)
    stores = cached_stores(merchant)
    sync = last_sync(merchant)
    found = paginate(
        _filtered(merchant, query, inactive).order_by(Location.ref), page=page, per_page=per_page
    )
    locations: list[Location] = found.items
    taken = _linked_slugs(merchant)
    free = [store for slug, store in stores.items() if slug not in taken]
    suggestions = _suggestions(merchant, locations, free)
    errors = refused.errors if refused else {}
    choices = refused.choices if refused else {}
    rows = []
    for location in locations:
        suggestion = suggestions.get(location.ref)
        rows.append(
            Row(
                location=location,
                state=state_of(location, stores, sync is not None),
                store=stores.get(location.store_slug or ""),
                suggestion=suggestion,
                suggested=stores.get(suggestion.slug) if suggestion else None,
                chosen=choices.get(location.ref),
                error=errors.get(location.ref),
            )
        )
    return LocationsPage(
        rows=rows,
        free_stores=free,
        page=found.page,
        pages=found.pages,
        total=found.total,
        query=query,
        inactive=inactive,
        active_count=count(_filtered(merchant, "", False)),
        inactive_count=count(_filtered(merchant, "", True)),
        synced_at=sync.synced_at if sync else None,
        store_count=len(stores),
        problems=location_problems(merchant),
        no_store_count=count(
            _filtered(merchant, "", False).where(
                Location.store_slug.is_(None), Location.no_store_at.is_not(None)
            )
        ),
    )


def choice_of(location: Location) -> str | None:
    """What the links table shows as chosen: a store slug, NO_STORE, or None (not linked)."""
    return NO_STORE if location.no_store_at and not location.store_slug else location.store_slug


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


def save_links(*, merchant: Merchant, choices: Mapping[str, str | None], actor: Actor) -> int:
    """Save the submitted store of each row shown, all or nothing; returns how many changed.

    Raises LinksRefused naming each refused row when any row breaks a rule.
    """
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
    for slug, ref in _linked_slugs(merchant).items():
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
    if errors:
        raise LinksRefused(errors, dict(choices))
    _apply(merchant, changes, stores, actor)
    return len(changes)


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
    taken = _linked_slugs(merchant)
    free = [store for slug, store in stores.items() if slug not in taken]
    suggestions = _suggestions(merchant, locations, free)
    by_ref = {loc.ref: loc for loc in locations}
    changes: dict[Location, str | None] = {
        by_ref[ref]: s.slug for ref, s in suggestions.items() if s.confidence >= threshold
    }
    _apply(merchant, changes, stores, actor)
    return len(changes)


def _conditions(merchant_id: MerchantId) -> dict[str, tuple[ColumnElement[bool], ...]]:
    """What `state_of` decides row by row, as SQL conditions on a merchant's locations."""
    mine = Location.merchant_id == merchant_id
    active = Location.archived_at.is_(None)
    linked = and_(Location.store_slug.is_not(None), Location.store_slug != "")
    store = (
        select(PongoStore.name)
        .where(PongoStore.merchant_id == merchant_id, PongoStore.slug == Location.store_slug)
        .correlate(Location)
    )
    synced = select(StoreSync.merchant_id).where(StoreSync.merchant_id == merchant_id).exists()
    renamed = store.where(
        Location.store_name_at_link.is_not(None),
        Location.store_name_at_link != "",
        PongoStore.name != Location.store_name_at_link,
    ).exists()
    return {
        "active": (mine, active),
        "unlinked": (mine, active, not_(linked), Location.no_store_at.is_(None)),
        "orphaned": (mine, active, linked, synced, ~store.exists()),
        "renamed": (mine, active, linked, renamed),
        "inactive_linked": (mine, Location.archived_at.is_not(None), linked),
    }


def _count(where: tuple[ColumnElement[bool], ...]) -> ScalarSelect[int]:
    return select(func.count(Location.id)).where(*where).scalar_subquery()


def location_problem_columns(merchant_id: MerchantId) -> dict[str, ScalarSelect[int]]:
    """The overview's location counts as SQL expressions, to be read in one statement.

    They count what `state_of` decides row by row: unlinked, orphaned (only once the stores
    were synced), renamed, and archived locations still linked.
    """
    conditions = _conditions(merchant_id)
    return {
        key: _count(conditions[key])
        for key in ("unlinked", "orphaned", "renamed", "inactive_linked")
    }


def location_problems(merchant: Merchant) -> dict[str, int]:
    """Counts for the overview: unlinked, orphaned, renamed; inactive locations still linked."""
    columns = location_problem_columns(merchant.id)
    row = db.session.execute(select(*(c.label(k) for k, c in columns.items()))).one()
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


def locations_step_columns(merchant_id: MerchantId) -> dict[str, ScalarSelect[Any]]:
    """The Locations step as SQL expressions, to be read in one statement (see `step_from`)."""
    conditions = _conditions(merchant_id)

    def first(key: str, column: Any) -> ScalarSelect[Any]:
        return (
            select(column).where(*conditions[key]).order_by(Location.ref).limit(1).scalar_subquery()
        )

    return {
        "active": _count(conditions["active"]),
        "unlinked": _count(conditions["unlinked"]),
        "orphaned": _count(conditions["orphaned"]),
        "unlinked_ref": first("unlinked", Location.ref),
        "unlinked_name": first("unlinked", Location.name),
        "orphaned_ref": first("orphaned", Location.ref),
        "orphaned_name": first("orphaned", Location.name),
    }


def step_from(values: Mapping[Any, Any]) -> LocationsStep:
    """The Locations step from the values of `locations_step_columns`."""
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


def locations_step(merchant: Merchant) -> LocationsStep:
    """Where the merchant stands with linking, in the order the Locations page lists rows.

    One statement whatever the number of locations: counts, and the first row of each kind.
    """
    columns = locations_step_columns(merchant.id)
    row = db.session.execute(select(*(c.label(k) for k, c in columns.items()))).one()
    return step_from(row._mapping)
