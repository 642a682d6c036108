"""The Products page's verbs: search the catalogue, filter it and describe its products.

Nothing here writes: the composer's selection lives in the page's URL (`sel=SKU`), so the
page works the same in a read-only support view.
"""

from __future__ import annotations

import enum
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVarTuple

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Row,
    Select,
    Text,
    and_,
    bindparam,
    cast,
    false,
    func,
    or_,
    select,
    true,
)

from portal.extensions import db
from portal.layout import money
from portal.listing import Listing, Page, escape_like, read, text_rows
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.models.products import Product
from portal.models.rewards import PongoReward
from portal.products.composer import (
    MAX_CODE,
    Composer,
    RewardRef,
    Selection,
    compose,
)
from portal.products.search import MAX_QUERY, query_words, word_prefix_pattern
from portal.rewards.index_cache import IndexCache
from portal.rewards.sku_text import parse_external_id

PER_PAGE = 50
# Each worker's last few merchants' SKU -> rewards mappings, by the reward rows they came from.
_USAGE: IndexCache[dict[str, list[RewardRef]]] = IndexCache()
DEFAULT_CURRENCY = "EUR"
Ts = TypeVarTuple("Ts")


class Usage(enum.Enum):
    """The "used by a reward" filter."""

    USED = "used"
    UNUSED = "unused"


class State(enum.Enum):
    """Which products the list shows: the ones the POS sells, or the ones it left out."""

    ACTIVE = "active"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class Filters:
    """What the merchant asked the list for, parsed from the query string."""

    query: str = ""
    location: str | None = None
    paid: bool = False
    usage: Usage | None = None
    state: State = State.ACTIVE
    product: str | None = None

    @property
    def narrowed(self) -> bool:
        """Whether anything but the default list is asked for."""
        return bool(
            self.query
            or self.location
            or self.paid
            or self.usage
            or self.state is not State.ACTIVE
            or self.product
        )

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments, defaults left out."""
        args: dict[str, str] = {}
        if self.query:
            args["q"] = self.query
        if self.location:
            args["location"] = self.location
        if self.paid:
            args["paid"] = "1"
        if self.usage:
            args["usage"] = self.usage.value
        if self.state is not State.ACTIVE:
            args["state"] = self.state.value
        if self.product:
            args["product"] = self.product
        return args


class ProductRow(NamedTuple):
    """One product as the page shows it (a tuple: a page and an export make one per product)."""

    ref: str
    sku: str
    name: str
    price: str | None
    price_cents: int | None
    has_paid_options: bool
    archived: bool
    # Location names, or None when the product is sold everywhere.
    sold_at: tuple[str, ...] | None
    rewards: Sequence[RewardRef]
    # How many active products carry this SKU (more than one: rewards cannot tell them apart).
    sharing: int


@dataclass(frozen=True)
class ProductsPage:
    """Everything the Products page shows, computed before rendering."""

    rows: list[ProductRow]
    # Where the page sits; its items are the rows as read, before they are described.
    paging: Page
    filters: Filters
    composer: Composer
    locations: list[tuple[str, str]]
    catalogue_size: int

    def args(
        self,
        *,
        page: int = 1,
        selection: Selection | None = None,
        filters: Filters | None = None,
    ) -> dict[str, Any]:
        """Query-string arguments for a link that keeps the filters and the selection."""
        args: dict[str, Any] = {
            **(filters or self.filters).args(),
            **(selection or self.composer.selection).args(),
        }
        if page > 1:
            args["page"] = str(page)
        return args

    def unfiltered_args(self) -> dict[str, Any]:
        """Query-string arguments for the whole catalogue, the selection kept."""
        return self.args(filters=Filters())


def format_price(cents: int | None, currency: str) -> str | None:
    """A price in the merchant's currency, written the way the user's language writes it."""
    return None if cents is None else money(cents, currency)


def merchant_currency(merchant: Merchant) -> str:
    """The merchant's currency when the POS sent one, else euros."""
    value = getattr(merchant, "currency", None)
    return value if isinstance(value, str) and len(value) == 3 else DEFAULT_CURRENCY


def parse_filters(args: Mapping[str, str]) -> Filters:
    """The list's filters from untrusted query-string arguments; unknown values are ignored."""
    usage = args.get("usage")
    state = args.get("state")
    return Filters(
        query=args.get("q", "").strip()[:MAX_QUERY],
        location=(args.get("location") or "").strip()[:MAX_CODE] or None,
        paid=args.get("paid") == "1",
        usage=Usage(usage) if usage in {u.value for u in Usage} else None,
        state=State(state) if state in {s.value for s in State} else State.ACTIVE,
        product=(args.get("product") or "").strip()[:MAX_CODE] or None,
    )


# The statements below name the merchant by a parameter: each is built once, not once per view.
@functools.cache
def _reward_rows() -> Select[str, str, str | None]:
    """The merchant's cached Pongo rewards as (public id, name, SKU text), in Pongo's order."""
    return (
        select(PongoReward.public_id, PongoReward.name, PongoReward.raw_external_id)
        .where(PongoReward.merchant_id == bindparam("merchant_id"))
        .order_by(PongoReward.position, PongoReward.id)
    )


@functools.cache
def _active_locations() -> Select[str, str]:
    """The merchant's active POS locations as (ref, name), by name."""
    return (
        select(Location.ref, Location.name)
        .where(Location.merchant_id == bindparam("merchant_id"), Location.archived_at.is_(None))
        .order_by(Location.name, Location.ref)
    )


@functools.cache
def _sharing() -> Select[str, int]:
    """How many of the merchant's active products carry each SKU of a list."""
    return (
        select(Product.sku, func.count())
        .where(
            Product.merchant_id == bindparam("merchant_id"),
            Product.archived_at.is_(None),
            Product.sku.in_(bindparam("skus", expanding=True)),
        )
        .group_by(Product.sku)
    )


def reward_usage(merchant: Merchant) -> dict[str, list[RewardRef]]:
    """SKU -> the cached Pongo rewards whose SKU list holds it, in Pongo's order."""
    # Plain tuples, also because they are compared with the cached version's far faster.
    rows = tuple(text_rows(_reward_rows(), {"merchant_id": merchant.id}))
    # The rows read are the version: the mapping is built again only when they change.
    return _USAGE.get(merchant.id, rows, lambda: _usage_of(rows))


def _usage_of(rows: Iterable[tuple[str, str, str | None]]) -> dict[str, list[RewardRef]]:
    """The mapping from the rewards' rows."""
    usage: dict[str, list[RewardRef]] = defaultdict(list)
    for public_id, name, raw in rows:
        reward = RewardRef(public_id, name)
        for token in parse_external_id(raw):
            usage[token].append(reward)
    return dict(usage)


def _location_condition(ref: str) -> ColumnElement[bool]:
    """Sold at a location: everywhere, or the ref is one of the JSON list's strings."""
    as_text = cast(Product.location_refs, Text)
    pattern = "%" + escape_like(json.dumps(ref)) + "%"
    return or_(
        Product.location_refs.is_(None), as_text == "null", as_text.like(pattern, escape="\\")
    )


def filter_conditions(
    merchant: Merchant, filters: Filters, used_skus: Iterable[str]
) -> list[ColumnElement[bool]]:
    """The WHERE clause of the list: always the merchant's own products."""
    return [*scope_conditions(merchant, filters.state), *narrowing_conditions(filters, used_skus)]


def scope_conditions(merchant: Merchant, state: State) -> list[ColumnElement[bool]]:
    """The merchant's products the POS sells, or the ones it left out."""
    return _scope(merchant.id, state)


def _scope(merchant_id: int | BindParameter[int], state: State) -> list[ColumnElement[bool]]:
    """`scope_conditions` for a merchant's id, or a parameter standing for it."""
    if state is State.ACTIVE:
        return [Product.merchant_id == merchant_id, Product.archived_at.is_(None)]
    return [Product.merchant_id == merchant_id, Product.archived_at.is_not(None)]


def narrowing_conditions(filters: Filters, used_skus: Iterable[str]) -> list[ColumnElement[bool]]:
    """What the search and the filters ask of a product, beyond being the merchant's."""
    conditions: list[ColumnElement[bool]] = []
    for word in query_words(filters.query):
        conditions.append(Product.search_text.like(word_prefix_pattern(word), escape="\\"))
    if filters.location:
        conditions.append(_location_condition(filters.location))
    if filters.paid:
        conditions.append(Product.has_paid_options.is_(True))
    if filters.usage is not None:
        used = sorted(set(used_skus))
        if filters.usage is Usage.USED:
            conditions.append(Product.sku.in_(used) if used else false())
        else:
            conditions.append(Product.sku.not_in(used) if used else true())
    if filters.product:
        conditions.append(Product.ref == filters.product)
    return conditions


_Fields = tuple[str, str, str, int | None, bool, datetime | None, list[str] | None]
# What the page and the export read of a product: plain rows, no ORM objects, so that an
# export of 50,000 products takes a fraction of the time.
_COLUMNS = (
    Product.ref,
    Product.sku,
    Product.name,
    Product.price_cents,
    Product.has_paid_options,
    Product.archived_at,
    Product.location_refs,
)


def listing(conditions: list[ColumnElement[bool]]) -> Select[*_Fields]:
    """The products that meet `conditions`, in the order of their search text."""
    return select(*_COLUMNS).where(and_(*conditions)).order_by(Product.search_text, Product.ref)


@functools.cache
def _unfiltered() -> Listing:
    """A merchant's active products, unfiltered: the list as first opened."""
    return Listing.of(listing(_scope(bindparam("merchant_id"), State.ACTIVE)))


def listed_page(
    merchant: Merchant, filters: Filters, used_skus: Iterable[str], page: int, total: int
) -> Page:
    """The page of the list after search and filters; `total` is how many the filters keep."""
    if filters.narrowed:
        conditions = filter_conditions(merchant, filters, used_skus)
        return Listing.of(listing(conditions)).page(
            page=page, per_page=PER_PAGE, items="plain", total=total
        )
    # The list as first opened, its most viewed page: read through a statement built once.
    return _unfiltered().page(
        {"merchant_id": merchant.id}, page=page, per_page=PER_PAGE, items="plain", total=total
    )


def counts(merchant: Merchant, filters: Filters, used_skus: Iterable[str]) -> tuple[int, int]:
    """How many products the filters keep, and how many the POS sells in all.

    The POS's whole catalogue is counted by its push (`Merchant.active_products`): the
    unfiltered list reads no count at all.
    """
    size = merchant.active_products
    narrowing = narrowing_conditions(filters, used_skus)
    walk = filters.state is State.ACTIVE and filters.usage is not Usage.USED and not filters.product
    if walk and not narrowing:
        return size, size
    scope = scope_conditions(merchant, filters.state)
    if walk:
        # Always true (the column is never NULL), this range lets SQLite, which keeps no
        # statistics, walk the partial index of active products rather than the (merchant,
        # updated_at) one and every row of the table: 5 ms instead of 17 at 50,000 products.
        scope = [*scope, Product.search_text >= ""]
    # A list of SKUs or one product is found at once through its own index.
    total = read(select(func.count()).select_from(Product).where(*scope, *narrowing)).scalar_one()
    return total, size


def active_locations(merchant: Merchant) -> list[tuple[str, str]]:
    """The merchant's active POS locations as (ref, name), for the filter and the rows."""
    return text_rows(_active_locations(), {"merchant_id": merchant.id})


def sharing_counts(merchant: Merchant, skus: Iterable[str]) -> dict[str, int]:
    """How many active products carry each of these SKUs."""
    wanted = sorted(set(skus))
    if not wanted:
        return {}
    rows = read(_sharing(), {"merchant_id": merchant.id, "skus": wanted}).all()
    return {sku: int(count) for sku, count in rows}


def describe(
    products: Iterable[Row[*_Fields]],
    *,
    currency: str | None,
    location_names: Mapping[str, str],
    usage: Mapping[str, Sequence[RewardRef]],
    sharing: Mapping[str, int],
) -> Iterator[ProductRow]:
    """Products as the page and the export show them; prices formatted when a currency is given."""
    for ref, sku, name, cents, paid, archived_at, refs in products:
        yield ProductRow(
            ref=ref,
            sku=sku,
            name=name,
            price=format_price(cents, currency) if currency else None,
            price_cents=cents,
            has_paid_options=paid,
            archived=archived_at is not None,
            sold_at=None if refs is None else tuple([location_names.get(r, r) for r in refs]),
            rewards=usage.get(sku, ()),
            sharing=sharing.get(sku, 0),
        )


def products_page(
    *, merchant: Merchant, filters: Filters, page: int, selection: Selection
) -> ProductsPage:
    """One page of the merchant's catalogue after search and filters, and the composer."""
    usage = reward_usage(merchant)
    total, size = counts(merchant, filters, usage)
    paging = listed_page(merchant, filters, usage, page, total)
    products = paging.items
    locations = active_locations(merchant)
    rows = list(
        describe(
            products,
            currency=merchant_currency(merchant),
            location_names=dict(locations),
            usage=usage,
            sharing=sharing_counts(merchant, (p.sku for p in products)),
        )
    )
    return ProductsPage(
        rows=rows,
        paging=paging,
        filters=filters,
        composer=compose(merchant, selection),
        locations=locations,
        catalogue_size=size,
    )


def export_rows(merchant: Merchant, filters: Filters) -> Iterator[ProductRow]:
    """Every product the filters keep, for the CSV export, in the page's order."""
    usage = reward_usage(merchant)
    conditions = filter_conditions(merchant, filters, usage)
    products = db.session.execute(listing(conditions).execution_options(yield_per=2000))
    # The CSV holds plain amounts (its header names the currency) and no shared-SKU count.
    return describe(
        products,
        currency=None,
        location_names=dict(active_locations(merchant)),
        usage=usage,
        sharing={},
    )
