"""The Locations page: one page of locations with their link states and suggestions."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, Select, bindparam, or_, select

from portal.listing import Listing, Page, clean_query, contains, count, paginate
from portal.locations import tally
from portal.locations.guide import PROBLEMS, LocationsStep
from portal.locations.operations import LinksRefused
from portal.locations.states import LinkState, choice_of, state_of
from portal.locations.stores import Store, page_stores, suggestions_for
from portal.locations.suggest import Suggestion
from portal.models.locations import Location
from portal.models.merchant import Merchant

PER_PAGE = 50
DEFAULT_THRESHOLD = 80
# Up to this many free stores, each row's list offers them all, which works without JavaScript.
FULL_LIST_MAX = 12


class PageLocation(NamedTuple):
    """A location as the page shows it: a tuple, cheaper to load and to read than the model."""

    ref: str
    name: str
    address: str | None
    city: str | None
    postal_code: str | None
    archived_at: datetime | None
    store_slug: str | None
    store_name_at_link: str | None
    no_store_at: datetime | None
    pongo_tablet_id: int | None
    link_version: int

    @property
    def active(self) -> bool:
        """True unless the POS left this location out of its last full push."""
        return self.archived_at is None


class Row(NamedTuple):
    """One location on the page with its link, drift state and suggestion."""

    location: PageLocation
    state: LinkState
    store: Store | None
    suggestion: Suggestion | None = None
    suggested: Store | None = None
    # The merchant's choice not saved yet (a refused save), shown instead of the link.
    chosen: str | None = None
    pending: bool = False
    error: str | None = None
    # What the links table was drawn with (`choice_of`), and what its select shows now.
    drawn: str | None = None
    shown: str | None = None


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
    def step_done(self) -> bool:
        """Whether the setup's Locations step is done, from the page's own counts."""
        return LocationsStep(
            active=self.active_count,
            unlinked=self.problems.get("unlinked", 0),
            orphaned=self.problems.get("orphaned", 0),
            first_unlinked=None,
            first_orphaned=None,
        ).done

    @property
    def compact(self) -> bool:
        """Whether rows offer a few stores each and the page carries the full list once.

        Every row listing every free store would repeat a thousand options fifty times: past
        a handful of stores, each row offers its own, suggested and chosen stores, and a
        small script turns the one shared list into a search in each row.
        """
        return len(self.free_stores) > FULL_LIST_MAX

    @property
    def suggested_count(self) -> int:
        """How many rows shown have a suggestion."""
        return sum(1 for row in self.rows if row.suggestion)

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


# The columns a `PageLocation` is made of, in its fields' order.
PAGE_COLUMNS = tuple(getattr(Location, column) for column in PageLocation._fields)


def _kind(inactive: bool) -> ColumnElement[bool]:
    """The condition that picks the inactive locations, or the active ones."""
    return Location.archived_at.is_not(None) if inactive else Location.archived_at.is_(None)


def _filtered(merchant: Merchant, query: str, inactive: bool) -> Select[Any]:
    statement = select(*PAGE_COLUMNS).where(Location.merchant_id == merchant.id, _kind(inactive))
    if query:
        statement = statement.where(
            or_(
                contains(Location.name, query),
                contains(Location.ref, query),
                contains(Location.city, query),
            )
        )
    return statement


class _Figures(NamedTuple):
    """The counts above the table, and when the stores were last fetched."""

    active: int
    inactive: int
    no_store: int
    problems: dict[str, int]
    stores: int
    synced_at: datetime | None


def _figures(merchant: Merchant) -> _Figures:
    """The counts above the table, and when the stores were last fetched."""
    row = tally.read(merchant.id)
    return _Figures(
        active=int(row["active"]),
        inactive=int(row["inactive"]),
        no_store=int(row["no_store"]),
        stores=int(row["stores"]),
        synced_at=row["synced_at"],
        problems={key: int(row[key] or 0) for key in PROBLEMS},
    )


@functools.cache
def _page_listing(inactive: bool) -> Listing:
    """A merchant's active or inactive locations, unsearched, built once for any merchant."""
    return Listing.of(
        select(*PAGE_COLUMNS)
        .where(Location.merchant_id == bindparam("merchant_id", type_=Integer), _kind(inactive))
        .order_by(Location.ref)
    )


def _listed(
    merchant: Merchant, query: str, inactive: bool, page: int, per_page: int, total: int
) -> Page:
    """The page of locations shown; `total` is how many there are of the kind, unsearched.

    Unsearched, as most views are, the page's statement is built once and its rows, plain
    columns, are read past the ORM's loading.
    """
    if query:
        ordered = _filtered(merchant, query, inactive).order_by(Location.ref)
        return paginate(ordered, page=page, per_page=per_page, items="rows")
    return _page_listing(inactive).page(
        {"merchant_id": merchant.id}, page=page, per_page=per_page, items="plain", total=total
    )


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
    figures = _figures(merchant)
    total = figures.inactive if inactive else figures.active
    found = _listed(merchant, query, inactive, page, per_page, total)
    locations = [PageLocation._make(row) for row in found.items]
    stores = page_stores(merchant, {loc.store_slug for loc in locations if loc.store_slug})
    suggestions = suggestions_for(locations, stores.free)
    synced = figures.synced_at is not None
    errors = refused.errors if refused else {}
    choices = refused.choices if refused else {}
    rows = []
    for location in locations:
        suggestion = suggestions.get(location.ref)
        drawn = choice_of(location)
        rows.append(
            Row(
                location=location,
                state=state_of(location, stores.by_slug, synced),
                store=stores.by_slug.get(location.store_slug or ""),
                suggestion=suggestion,
                suggested=stores.by_slug.get(suggestion.slug) if suggestion else None,
                chosen=choices.get(location.ref),
                pending=location.ref in choices,
                error=errors.get(location.ref),
                drawn=drawn,
                shown=choices.get(location.ref, drawn),
            )
        )
    return LocationsPage(
        rows=rows,
        free_stores=stores.free,
        page=found.page,
        pages=found.pages,
        total=found.total,
        query=query,
        inactive=inactive,
        active_count=figures.active,
        inactive_count=figures.inactive,
        synced_at=figures.synced_at,
        store_count=figures.stores,
        problems=figures.problems,
        no_store_count=figures.no_store,
    )
