"""The Locations page: one page of locations with their link states and suggestions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select

from portal.extensions import db
from portal.listing import clean_query, contains, count, paginate
from portal.locations.guide import location_problems
from portal.locations.operations import LinksRefused
from portal.locations.states import LinkState, state_of
from portal.locations.stores import (
    Store,
    cached_stores,
    free_stores,
    last_sync,
    suggestions_for,
)
from portal.locations.suggest import Suggestion
from portal.models.locations import Location
from portal.models.merchant import Merchant

PER_PAGE = 50
DEFAULT_THRESHOLD = 80
# Up to this many free stores, each row's list offers them all, which works without JavaScript.
FULL_LIST_MAX = 12


@dataclass(frozen=True)
class Row:
    """One location on the page with its link, drift state and suggestion."""

    location: Location
    state: LinkState
    store: Store | None
    suggestion: Suggestion | None = None
    suggested: Store | None = None
    # The merchant's choice not saved yet (a refused save), shown instead of the link.
    chosen: str | None = None
    pending: bool = False
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


def _counts(merchant: Merchant) -> tuple[int, int, int]:
    """The merchant's active, inactive and "no Pongo store" locations, counted together."""
    active = Location.archived_at.is_(None)
    no_store = and_(active, Location.store_slug.is_(None), Location.no_store_at.is_not(None))
    row = db.session.execute(
        select(
            func.count().filter(active),
            func.count().filter(Location.archived_at.is_not(None)),
            func.count().filter(no_store),
        ).where(Location.merchant_id == merchant.id)
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def page_of(merchant: Merchant, ref: str, per_page: int = PER_PAGE) -> int:
    """The page of the unfiltered active list on which a location appears (1 if not there)."""
    before = count(_filtered(merchant, "", False).where(Location.ref < ref))
    return before // per_page + 1


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
    active_count, inactive_count, no_store_count = _counts(merchant)
    found = paginate(
        _filtered(merchant, query, inactive).order_by(Location.ref),
        page=page,
        per_page=per_page,
        total=None if query else inactive_count if inactive else active_count,
    )
    locations: list[Location] = found.items
    free = free_stores(merchant, stores)
    suggestions = suggestions_for(locations, free)
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
                pending=location.ref in choices,
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
        active_count=active_count,
        inactive_count=inactive_count,
        synced_at=sync.synced_at if sync else None,
        store_count=len(stores),
        problems=location_problems(merchant),
        no_store_count=no_store_count,
    )
