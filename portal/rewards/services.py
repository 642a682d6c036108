"""The Rewards page's verbs: the reward cache, the review of every reward against the catalogue.

The review itself is the pure core in `skus.py`; this module feeds it from the database
and keeps the costly catalogue index in a per-process cache keyed by catalogue version.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import current_app
from sqlalchemy import BindParameter, ScalarSelect, Table, Text, cast, delete, func, select

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.folding import fold
from portal.models.base import utcnow
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.models.products import Product
from portal.models.rewards import PongoReward, RewardSync
from portal.pongo import FetchedReward
from portal.rewards.catalogue_index import CatalogueIndex, ProductRow
from portal.rewards.checks import RewardCheck, RewardStatus, check_reward, summary
from portal.rewards.index_cache import IndexCache
from portal.rewards.reviews import Acceptance, ReviewReason, acceptances, mark_reviewed

MAX_QUERY = 100
# Rewards per page: each row lists its SKUs and products, about 3 KB of HTML.
PER_PAGE = 25
# Linked locations per page of columns in the "where each reward can be redeemed" view.
LOCATION_COLUMNS = 20
_PRODUCTS: Table = Product.__table__  # type: ignore[assignment]  # declared models map a Table
_CACHE_KEY = "portal.rewards.index_cache"


class RewardSource(Protocol):
    """Anything that lists a merchant's Pongo rewards: the merchant's Pongo client, in practice."""

    def rewards(self) -> list[FetchedReward]:
        """Every reward of the merchant's Pongo account."""
        ...


@dataclass(frozen=True)
class Classified:
    """One cached reward classified against the catalogue, before the merchant's own review."""

    review: RewardCheck
    points: int | None
    raw_external_id: str | None


@dataclass(frozen=True)
class Catalogue:
    """A merchant's catalogue ready for reviews: its index and what the page needs to know."""

    index: CatalogueIndex
    active_count: int
    # Some active product is sold in some locations only: the locations view is worth showing.
    has_local_products: bool
    # Every reward's classification against this catalogue, for the rewards sync it came from.
    reviews: dict[datetime, list[Classified]] = field(default_factory=dict)


REVIEWED = "reviewed"


@dataclass(frozen=True)
class RewardEntry:
    """One cached reward with its review against the catalogue and the merchant's own review."""

    review: RewardCheck
    points: int | None
    acceptance: Acceptance | None = None

    @property
    def reviewed(self) -> bool:
        """Whether the merchant accepted this flagged reward for its current SKUs."""
        return (
            self.review.status is not RewardStatus.READY
            and self.acceptance is not None
            and self.acceptance.current
        )

    @property
    def needs_review(self) -> bool:
        """Whether the reward still blocks the setup: not ready and not reviewed as it is now."""
        return self.review.status is not RewardStatus.READY and not self.reviewed

    @property
    def review_lapsed(self) -> bool:
        """Whether a review was given, but for SKUs that have changed in Pongo since."""
        return self.needs_review and self.acceptance is not None and not self.acceptance.current


@dataclass(frozen=True)
class RewardsStep:
    """The Rewards step of the setup guide: done when every reward is ready or reviewed."""

    synced: bool
    total: int
    to_review: int
    # The first reward needing a review, in Pongo's order: where the guide's link opens.
    first_to_review: str | None

    @property
    def done(self) -> bool:
        """Whether the rewards were fetched and none needs the merchant's review."""
        return self.synced and self.to_review == 0


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
    status: RewardStatus | None
    query: str
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
    # The "Reviewed" filter is on.
    show_reviewed: bool = False

    @property
    def filtered(self) -> bool:
        """Whether a status filter or a search narrows the list."""
        return self.status is not None or self.show_reviewed or bool(self.query)

    @property
    def filter_value(self) -> str | None:
        """The filter as the query string spells it."""
        return REVIEWED if self.show_reviewed else self.status.value if self.status else None


def last_sync(merchant: Merchant) -> RewardSync | None:
    """When the rewards were last fetched, or None if never."""
    return db.session.get(RewardSync, merchant.id)


def refresh_rewards(*, merchant: Merchant, client: RewardSource, actor: Actor) -> int:
    """Fetch the merchant's rewards from Pongo and replace the cache; returns how many."""
    rewards = client.rewards()
    # Pongo should not send one id twice; if it does, the last copy wins and keeps its place.
    unique = {reward.public_id: reward for reward in rewards}
    db.session.execute(delete(PongoReward).where(PongoReward.merchant_id == merchant.id))
    db.session.add_all(
        PongoReward(
            merchant_id=merchant.id,
            public_id=reward.public_id,
            name=reward.name,
            points=reward.points,
            raw_external_id=reward.raw_external_id,
            position=position,
        )
        for position, reward in enumerate(unique.values())
    )
    sync = last_sync(merchant) or RewardSync(merchant_id=merchant.id)
    sync.synced_at = utcnow()
    sync.reward_count = len(unique)
    db.session.add(sync)
    db.session.flush()
    record("rewards.refresh", actor=actor, merchant=merchant, details={"rewards": len(unique)})
    return len(unique)


def catalogue_version_query(
    merchant_id: int | BindParameter[int],
) -> ScalarSelect[datetime | None]:
    """The catalogue's last change, which stamps its version, as an SQL expression.

    Every write to the catalogue (create, update, archive) stamps the rows it touches with
    its time and products are never deleted, so the latest stamp moves with every change;
    the (merchant, updated_at) index makes reading it one index seek, not a count of rows.
    """
    return (
        select(func.max(_PRODUCTS.c.updated_at))
        .where(_PRODUCTS.c.merchant_id == merchant_id)
        .scalar_subquery()
    )


def version_of(latest: datetime | None) -> Hashable:
    """The catalogue version from its last change."""
    return str(latest)


def catalogue_version(merchant: Merchant) -> Hashable:
    """What changes whenever the POS pushes a different catalogue: its last change."""
    return version_of(db.session.scalar(select(catalogue_version_query(merchant.id))))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic structures.

    Building an index allocates hundreds of thousands of objects, which triggers repeated
    full collections that walk every one of them: a third of the build time. The index holds
    no reference cycles, so reference counting alone frees it when the cache drops it.
    """
    # Garbage from before the build is collected now, so that it is not frozen with the index.
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Move what exists now out of the collector's sight: each later full collection
        # would otherwise walk the whole index again, about 100 ms at 50,000 products, in
        # the middle of some page view.
        gc.freeze()
        if was_enabled:
            gc.enable()


def load_catalogue(merchant: Merchant) -> Catalogue:
    """Read the merchant's products as plain rows and index them."""
    rows = db.session.execute(
        select(
            _PRODUCTS.c.ref,
            _PRODUCTS.c.sku,
            _PRODUCTS.c.name,
            _PRODUCTS.c.archived_at.is_(None),
            _PRODUCTS.c.has_paid_options,
            # As text: most products are sold everywhere ("null"), and decoding 50,000 JSON
            # documents through the column type costs more than the rest of the read.
            cast(_PRODUCTS.c.location_refs, Text),
        )
        .where(_PRODUCTS.c.merchant_id == merchant.id)
        .order_by(_PRODUCTS.c.id)
    )
    # Products of one chain share a handful of location lists: decode each list once.
    places: dict[str | None, frozenset[str] | None] = {None: None, "null": None}
    with _collector_paused():
        products: list[ProductRow] = [
            (
                ref,
                sku,
                name,
                bool(active),
                bool(paid),
                places[where] if where in places else _remember(places, where),
            )
            for ref, sku, name, active, paid, where in rows
        ]
        # The one-edit tier sorts its keys on the first near miss that needs them, a few
        # milliseconds per key length: far less than a table of every SKU's variants.
        index = CatalogueIndex.from_rows(products)
    active = [product for product in products if product[3]]
    return Catalogue(
        index=index,
        active_count=len(active),
        has_local_products=any(product[5] is not None for product in active),
    )


def _remember(places: dict[str | None, frozenset[str] | None], raw: str) -> frozenset[str] | None:
    """Decode a location list not seen yet and keep it for the next products holding it."""
    places[raw] = _location_refs(raw)
    return places[raw]


def _location_refs(raw: str) -> frozenset[str] | None:
    """The location refs stored as JSON; anything but a list means sold everywhere."""
    value = json.loads(raw)
    if not isinstance(value, list):
        return None
    return frozenset(str(ref) for ref in value)


def index_cache() -> IndexCache[Catalogue]:
    """This app's cache of catalogue indexes (one per app, so test apps never share one)."""
    cache: IndexCache[Catalogue] | None = current_app.extensions.get(_CACHE_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(_CACHE_KEY, IndexCache())
    return cache


def catalogue_for(merchant: Merchant, version: Hashable | None = None) -> Catalogue:
    """The merchant's indexed catalogue, from the cache unless the POS changed it since.

    Callers that already read the catalogue version pass it.
    """
    if version is None:
        version = catalogue_version(merchant)
    return index_cache().get(merchant.id, version, lambda: load_catalogue(merchant))


def _classified(merchant: Merchant, catalogue: Catalogue) -> list[Classified]:
    """Every cached reward of the merchant reviewed against its catalogue, in Pongo's order."""
    rows = db.session.execute(
        select(
            PongoReward.public_id, PongoReward.name, PongoReward.points, PongoReward.raw_external_id
        )
        .where(PongoReward.merchant_id == merchant.id)
        .order_by(PongoReward.position, PongoReward.id)
    )
    return [
        Classified(check_reward(public_id, name, raw, catalogue.index), points, raw)
        for public_id, name, points, raw in rows
    ]


def reviewed(merchant: Merchant, catalogue: Catalogue, synced_at: datetime) -> list[RewardEntry]:
    """Every reward's review, with the merchant's own review of it.

    The classification is kept with the catalogue index for the rewards sync it came from, so
    a page view classifies nothing until the POS pushes another catalogue or the rewards are
    fetched again; the merchant's reviews (a small read) are applied on each call.
    """
    classified = catalogue.reviews.get(synced_at)
    if classified is None:
        classified = _classified(merchant, catalogue)
        catalogue.reviews.clear()
        catalogue.reviews[synced_at] = classified
    accepted = acceptances(merchant, {c.review.public_id: c.raw_external_id for c in classified})
    return [RewardEntry(c.review, c.points, accepted.get(c.review.public_id)) for c in classified]


def review_all(merchant: Merchant) -> list[RewardEntry]:
    """Every cached reward of the merchant with its reviews (none when never fetched)."""
    sync = last_sync(merchant)
    return reviewed(merchant, catalogue_for(merchant), sync.synced_at) if sync else []


# Problems first: what the merchant must fix, then what to check, then the rest.
_PROBLEMS_FIRST = {
    RewardStatus.NOT_REDEEMABLE: 0,
    RewardStatus.CHECK: 1,
    RewardStatus.NO_SKU: 2,
    RewardStatus.READY: 3,
}


def page_slice(
    rows: list[RewardEntry], page: int, per_page: int
) -> tuple[list[RewardEntry], int, int]:
    """One page of rows, the page number kept within range, and the number of pages."""
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(1, page), pages)
    return rows[(page - 1) * per_page : page * per_page], page, pages


def matches(entry: RewardEntry, folded_query: str) -> bool:
    """Whether a reward's name, id, typed SKUs or suggested SKUs contain the search text."""
    review = entry.review
    texts = [review.name, review.public_id]
    for result in review.tokens:
        texts.append(result.token)
        if result.suggestion:
            texts.append(result.suggestion)
    return any(folded_query in fold(text) for text in texts)


def parse_filter(value: str | None) -> RewardStatus | str | None:
    """The filter from the query string: a status, "reviewed", or None for anything else."""
    return REVIEWED if value == REVIEWED else parse_status(value)


def parse_status(value: str | None) -> RewardStatus | None:
    """The status filter from the query string; anything unknown means no filter."""
    try:
        return RewardStatus(value) if value else None
    except ValueError:
        return None


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
    status: str | None = None,
    query: str = "",
    view: str = "rewards",
    page: int = 1,
    per_page: int = PER_PAGE,
    where_page: int = 1,
) -> RewardsPage:
    """One page of the Rewards list, problems first, after the status filter and the search.

    The counts and the filters cover every reward; only the rows shown are one page.
    """
    catalogue = catalogue_for(merchant)
    sync = last_sync(merchant)
    entries = reviewed(merchant, catalogue, sync.synced_at) if sync else []
    chosen = parse_status(status)
    show_reviewed = status == REVIEWED
    query = query.strip()[:MAX_QUERY]
    folded = fold(query)
    found = sorted(
        (
            entry
            for entry in entries
            if (not show_reviewed or entry.reviewed)
            and (chosen is None or (entry.review.status is chosen and not entry.reviewed))
            and (not folded or matches(entry, folded))
        ),
        key=lambda entry: _PROBLEMS_FIRST[entry.review.status],
    )
    rows, page, pages = page_slice(found, page, per_page)
    locations: list[LinkedLocation] = []
    redeemable: dict[str, frozenset[str]] = {}
    view = "locations" if view == "locations" and catalogue.has_local_products else "rewards"
    column_page, column_pages = 1, 1
    if view == "locations":
        linked = linked_locations(merchant)
        # A chain's hundreds of locations are shown as columns a page at a time.
        starts = range(0, max(len(linked), 1), LOCATION_COLUMNS)
        column_pages = len(starts)
        column_page = min(max(1, where_page), column_pages)
        locations = linked[starts[column_page - 1] :][:LOCATION_COLUMNS]
        refs = [location.ref for location in locations]
        redeemable = {row.review.public_id: row.review.redeemable_at(refs) for row in rows}
    return RewardsPage(
        rows=rows,
        counts=summary(entry.review for entry in entries if not entry.reviewed),
        total=len(entries),
        found=len(found),
        page=page,
        pages=pages,
        column_page=column_page,
        column_pages=column_pages,
        status=chosen,
        query=query,
        view=view,
        synced_at=sync.synced_at if sync else None,
        active_products=catalogue.active_count,
        has_local_products=catalogue.has_local_products,
        locations=locations,
        redeemable=redeemable,
        reviewed_count=sum(1 for entry in entries if entry.reviewed),
        show_reviewed=show_reviewed,
    )


def rewards_step(merchant: Merchant) -> RewardsStep:
    """The Rewards step of the setup guide: how many rewards need the merchant, the first one."""
    sync = last_sync(merchant)
    if sync is None:
        return step_of(None)
    return step_of(reviewed(merchant, catalogue_for(merchant), sync.synced_at))


def step_of(entries: list[RewardEntry] | None) -> RewardsStep:
    """The Rewards step from every reward's review; None when the rewards were never fetched."""
    if entries is None:
        return RewardsStep(synced=False, total=0, to_review=0, first_to_review=None)
    waiting = [entry.review.public_id for entry in entries if entry.needs_review]
    return RewardsStep(
        synced=True,
        total=len(entries),
        to_review=len(waiting),
        first_to_review=waiting[0] if waiting else None,
    )


class RewardNotFound(LookupError):
    """No reward of this merchant has that public id (in the last fetched list)."""


def review_as_is(
    *, merchant: Merchant, public_id: str, reason: ReviewReason, note: str | None, actor: Actor
) -> RewardEntry:
    """Mark a flagged reward reviewed for its current SKUs; a ready reward needs no review."""
    reward = db.session.scalar(
        select(PongoReward).where(
            PongoReward.merchant_id == merchant.id, PongoReward.public_id == public_id
        )
    )
    if reward is None:
        raise RewardNotFound(public_id)
    index = catalogue_for(merchant).index
    review = check_reward(reward.public_id, reward.name, reward.raw_external_id, index)
    entry = RewardEntry(review, reward.points)
    if review.status is RewardStatus.READY:
        return entry
    mark_reviewed(
        merchant=merchant,
        public_id=reward.public_id,
        name=reward.name,
        raw_external_id=reward.raw_external_id,
        reason=reason,
        note=note,
        actor=actor,
    )
    return entry


def reward_problems(
    merchant: Merchant, *, version: Hashable | None = None, synced_at: datetime | None = None
) -> dict[str, int]:
    """Counts for the overview: rewards no product of this POS can honour, and rewards to check.

    Rewards the merchant reviewed for their current SKUs are not problems any more. Callers
    that already read the catalogue version and the rewards sync time pass them.
    """
    if synced_at is None:
        sync = last_sync(merchant)
        if sync is None:
            return problems_of([])
        synced_at = sync.synced_at
    return problems_of(reviewed(merchant, catalogue_for(merchant, version), synced_at))


def problems_of(entries: list[RewardEntry]) -> dict[str, int]:
    """The overview's reward problems among reviews: not redeemable, and to check."""
    counts = summary(entry.review for entry in entries if not entry.reviewed)
    return {
        "not_redeemable": counts[RewardStatus.NOT_REDEEMABLE],
        "check": counts[RewardStatus.CHECK],
    }


def pos_rewards(merchant: Merchant) -> Iterator[RewardCheck]:
    """Every cached reward's review, for the POS API."""
    return (entry.review for entry in review_all(merchant))
