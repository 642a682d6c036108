"""The Rewards page: one page of checked rewards, problems first, filtered and searched.

What the merchant asked for is parsed once (`RewardsQuery`); everything the template shows,
the "did you mean" hints included, is computed here before rendering.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.folding import fold
from portal.listing import clamp_page, clean_query, last_page
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.rewards.catalogue import catalogue_for
from portal.rewards.catalogue_index import TokenKind
from portal.rewards.checks import RewardCheck, RewardStatus, summary
from portal.rewards.entries import RewardEntry, checked, last_sync
from portal.rewards.hints import NearMissHint, near_miss_hint

MAX_QUERY = 100
# Rewards per page: each row lists its SKUs and products, about 3 KB of HTML.
PER_PAGE = 25
# Linked locations per page of columns in the "where each reward can be redeemed" view.
LOCATION_COLUMNS = 20
REVIEWED = "reviewed"
LOCATIONS_VIEW = "locations"


@dataclass(frozen=True)
class RewardsQuery:
    """What the merchant asked the list for: a status or the reviewed rewards, a search, a view."""

    status: RewardStatus | None = None
    show_reviewed: bool = False
    text: str = ""
    view: str = "rewards"

    @classmethod
    def parse(cls, unsafe_args: Mapping[str, str]) -> RewardsQuery:
        """Read the query string or form; anything unknown means no filter."""
        status = unsafe_args.get("status")
        return cls(
            status=_status(status),
            show_reviewed=status == REVIEWED,
            # Cut to length, the text may end in a space: the search ignores it.
            text=clean_query(unsafe_args.get("q"), MAX_QUERY).rstrip(),
            view=LOCATIONS_VIEW if unsafe_args.get("view") == LOCATIONS_VIEW else "rewards",
        )

    @property
    def filter_value(self) -> str | None:
        """The filter as the query string spells it."""
        return REVIEWED if self.show_reviewed else self.status.value if self.status else None

    @functools.cached_property
    def folded(self) -> str:
        """The search text as the search compares it, folded once for every reward."""
        return fold(self.text)

    def args(self) -> dict[str, Any]:
        """The query as URL arguments, to come back to the same list after a POST."""
        args: dict[str, Any] = {"status": self.filter_value, "q": self.text}
        if self.view == LOCATIONS_VIEW:
            args["view"] = LOCATIONS_VIEW
        return {key: value for key, value in args.items() if value}

    def wants(self, entry: RewardEntry) -> bool:
        """Whether a reward passes the filter and the search."""
        if self.show_reviewed and not entry.reviewed:
            return False
        if self.status is not None and (entry.check.status is not self.status or entry.reviewed):
            return False
        return not self.text or matches(entry.check, self.folded)


def _status(value: str | None) -> RewardStatus | None:
    try:
        return RewardStatus(value) if value else None
    except ValueError:
        return None


def matches(check: RewardCheck, folded_query: str) -> bool:
    """Whether a reward's name, id, typed SKUs or suggested SKUs contain the search text."""
    texts = [check.name, check.public_id]
    for result in check.tokens:
        texts.append(result.token)
        if result.suggestion:
            texts.append(result.suggestion)
    return any(folded_query in fold(text) for text in texts)


@dataclass(frozen=True)
class LinkedLocation:
    """A POS location linked to a Pongo store: a place where rewards can be redeemed."""

    ref: str
    name: str
    store_slug: str


@dataclass(frozen=True)
class RewardsPage:
    """Everything the Rewards page shows, computed before rendering."""

    rows: list[RewardEntry]
    # Rewards per status, those the merchant reviewed left out (they have their own count).
    counts: dict[RewardStatus, int]
    total: int
    asked: RewardsQuery
    # The view shown: the locations view only when some product is sold in some places only.
    view: str
    synced_at: datetime | None
    active_products: int
    has_local_products: bool
    found: int = 0
    page: int = 1
    pages: int = 1
    # In the locations view: which page of linked locations the columns show.
    column_page: int = 1
    column_pages: int = 1
    locations: list[LinkedLocation] = field(default_factory=list)
    # Reward public id -> refs of the linked locations where it can really be redeemed.
    redeemable: dict[str, frozenset[str]] = field(default_factory=dict)
    reviewed_count: int = 0
    # Reward public id -> typed SKU -> what the page shows beside its "did you mean".
    near_misses: dict[str, dict[str, NearMissHint]] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        """Whether a status filter or a search narrows the list."""
        return self.asked.filter_value is not None or bool(self.asked.text)

    @property
    def keep(self) -> dict[str, str | None]:
        """The filter, search and view the page's links and forms carry along."""
        view = LOCATIONS_VIEW if self.view == LOCATIONS_VIEW else None
        return {"status": self.asked.filter_value, "q": self.asked.text or None, "view": view}


# Problems first: what the merchant must fix, then what to check, then the rest.
_PROBLEMS_FIRST = {
    RewardStatus.NOT_REDEEMABLE: 0,
    RewardStatus.CHECK: 1,
    RewardStatus.NO_SKU: 2,
    RewardStatus.READY: 4,
}
# Reviewed rewards come after the problems still open and before the ready ones.
_REVIEWED = 3


def _problems_first(entry: RewardEntry) -> int:
    """Where a reward comes in the list: open problems, then reviewed, then ready."""
    return _REVIEWED if entry.reviewed else _PROBLEMS_FIRST[entry.check.status]


def linked_locations(merchant: Merchant) -> list[LinkedLocation]:
    """Active POS locations linked to a Pongo store, by ref."""
    rows = db.session.execute(
        select(Location.ref, Location.name, Location.store_slug)
        .where(
            Location.merchant_id == merchant.id,
            Location.archived_at.is_(None),
            Location.store_slug.is_not(None),
        )
        .order_by(Location.ref)
    )
    return [LinkedLocation(ref, name, slug) for ref, name, slug in rows if slug]


def rewards_page(
    *,
    merchant: Merchant,
    asked: RewardsQuery | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
    where_page: int = 1,
) -> RewardsPage:
    """One page of the Rewards list, problems first, after the status filter and the search.

    The counts and the filters cover every reward; only the rows shown are one page.
    """
    asked = asked or RewardsQuery()
    catalogue = catalogue_for(merchant)
    sync = last_sync(merchant)
    entries = checked(merchant, catalogue, sync.synced_at) if sync else []
    found = sorted((entry for entry in entries if asked.wants(entry)), key=_problems_first)
    page = clamp_page(page, len(found), per_page)
    rows = found[(page - 1) * per_page : page * per_page]
    locations: list[LinkedLocation] = []
    redeemable: dict[str, frozenset[str]] = {}
    local = asked.view == LOCATIONS_VIEW and catalogue.has_local_products
    column_page, column_pages = 1, 1
    if local:
        linked = linked_locations(merchant)
        # A chain's hundreds of locations are shown as columns a page at a time.
        column_pages = last_page(len(linked), LOCATION_COLUMNS)
        column_page = clamp_page(where_page, len(linked), LOCATION_COLUMNS)
        start = (column_page - 1) * LOCATION_COLUMNS
        locations = linked[start : start + LOCATION_COLUMNS]
        refs = [location.ref for location in locations]
        redeemable = {row.check.public_id: row.check.redeemable_at(refs) for row in rows}
    return RewardsPage(
        rows=rows,
        counts=summary(entry.check for entry in entries if not entry.reviewed),
        total=len(entries),
        found=len(found),
        page=page,
        pages=last_page(len(found), per_page),
        column_page=column_page,
        column_pages=column_pages,
        asked=asked,
        view=LOCATIONS_VIEW if local else "rewards",
        synced_at=sync.synced_at if sync else None,
        active_products=catalogue.active_count,
        has_local_products=catalogue.has_local_products,
        locations=locations,
        redeemable=redeemable,
        reviewed_count=sum(1 for entry in entries if entry.reviewed),
        near_misses={row.check.public_id: _near_misses(row.check) for row in rows},
    )


def _near_misses(check: RewardCheck) -> dict[str, NearMissHint]:
    """The hints beside each "did you mean" of one reward, by typed SKU."""
    return {
        result.token: near_miss_hint(
            check.name, result.token, result.suggestion, [p.name for p in result.products]
        )
        for result in check.tokens
        if result.kind is TokenKind.NEAR_MISS and result.suggestion is not None
    }
