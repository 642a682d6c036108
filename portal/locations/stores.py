"""The merchant's Pongo stores as last fetched, and which of them no location holds yet."""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import NamedTuple, Protocol

from sqlalchemy import Integer, Select, and_, bindparam, or_, select

from portal.extensions import db
from portal.listing import read
from portal.locations.suggest import PosLocation, StoreChoice, Suggestion, suggest_links
from portal.models.locations import Location, PongoStore, StoreSync
from portal.models.merchant import Merchant


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
        place = ", ".join(filter(None, (self.address, self.postal_code, self.city)))
        return f"{self.name} — {place}" if place else self.name


# The columns a `Store` is made of, in its fields' order.
STORE_COLUMNS = (
    PongoStore.slug,
    PongoStore.name,
    PongoStore.address,
    PongoStore.city,
    PongoStore.postal_code,
)


def cached_stores(merchant: Merchant) -> dict[str, Store]:
    """The merchant's Pongo stores as last fetched, by slug, in name order."""
    rows = db.session.execute(
        select(*STORE_COLUMNS)
        .where(PongoStore.merchant_id == merchant.id)
        .order_by(PongoStore.name)
    )
    # Plain rows: a thousand stores as ORM objects would cost more than the rest of the page.
    return {row.slug: Store(*row) for row in rows}


class PageStores(NamedTuple):
    """The stores one page of locations needs: every free one, and those its rows link to."""

    free: list[Store]
    by_slug: dict[str, Store]


@functools.cache
def _page_stores_statement() -> Select[str, str, str | None, str | None, str | None, bool]:
    """The stores a page needs, built once for any merchant and any rows (see `page_stores`)."""
    merchant_id = bindparam("merchant_id", type_=Integer)
    # A store is free when no location holds it; at most one can (uq_locations_merchant_store).
    holder = and_(Location.merchant_id == merchant_id, Location.store_slug == PongoStore.slug)
    free = Location.id.is_(None)
    return (
        select(*STORE_COLUMNS, free)
        .outerjoin(Location, holder)
        .where(
            PongoStore.merchant_id == merchant_id,
            or_(free, PongoStore.slug.in_(bindparam("slugs", expanding=True))),
        )
        .order_by(PongoStore.name)
    )


def page_stores(merchant: Merchant, slugs: Collection[str]) -> PageStores:
    """The free stores in name order, and by slug those free or linked by `slugs`.

    One statement reads only these stores: the linked ones the page does not show are
    neither loaded nor turned into tuples. It runs on the request's connection: its rows are
    plain columns, which the ORM's row loading would only slow down.
    """
    rows = read(_page_stores_statement(), {"merchant_id": merchant.id, "slugs": list(slugs)})
    found = PageStores(free=[], by_slug={})
    by_slug = found.by_slug
    free = found.free
    for row in rows:
        store = Store._make(row[:5])
        by_slug[store.slug] = store
        if row[5]:
            free.append(store)
    return found


def last_sync(merchant: Merchant) -> StoreSync | None:
    """When the store list was last fetched, or None if never."""
    return db.session.get(StoreSync, merchant.id)


def linked_slugs(merchant: Merchant) -> dict[str, str]:
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


def free_stores(merchant: Merchant, stores: Mapping[str, Store]) -> list[Store]:
    """The cached stores that no location of the merchant is linked to, archived ones included."""
    taken = linked_slugs(merchant)
    return [store for slug, store in stores.items() if slug not in taken]


# A location's ref, name, address, city and postal code, as suggestions compare them.
LocationFields = tuple[str, str, str | None, str | None, str | None]


class SuggestionFields(Protocol):
    """What a suggestion reads of a location: the model, or a page's plain row."""

    @property
    def ref(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def address(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def postal_code(self) -> str | None: ...
    @property
    def active(self) -> bool: ...
    @property
    def store_slug(self) -> str | None: ...
    @property
    def no_store_at(self) -> datetime | None: ...


def suggestions_for(
    rows: Sequence[SuggestionFields], free: list[Store]
) -> Mapping[str, Suggestion]:
    """Suggestions for the unlinked active rows among the free stores."""
    # Suggestions are computed for the rows shown only, against every free store: scoring
    # all of a large merchant's locations on every page view would cost half a second.
    unlinked = tuple(
        (loc.ref, loc.name, loc.address, loc.city, loc.postal_code)
        for loc in rows
        if loc.active and not loc.store_slug and not loc.no_store_at
    )
    if not unlinked:
        return MappingProxyType({})
    # Plain tuples as the key: hashed and compared in C, where a thousand dataclasses would
    # each run Python code on every view.
    return _suggested(unlinked, tuple(free))


@functools.lru_cache(maxsize=16)
def _suggested(
    locations: tuple[LocationFields, ...], stores: tuple[Store, ...]
) -> Mapping[str, Suggestion]:
    """Suggestions for these rows among these stores, kept while neither changes (read-only)."""
    return MappingProxyType(
        suggest_links(
            [PosLocation(*location) for location in locations],
            [StoreChoice(*store) for store in stores],
            {},
        )
    )
