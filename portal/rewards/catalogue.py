"""A merchant's catalogue indexed for SKU checks, kept per process until the POS changes it."""

from __future__ import annotations

import gc
import json
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import (
    BindParameter,
    Integer,
    ScalarSelect,
    Table,
    Text,
    bindparam,
    cast,
    func,
    select,
)

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.models.products import Product
from portal.rewards.catalogue_index import CatalogueIndex, ProductRow
from portal.rewards.index_cache import IndexCache

if TYPE_CHECKING:
    # Only named here: entries.py makes them, and it reads this module.
    from portal.rewards.entries import Classified

_PRODUCTS: Table = Product.__table__  # type: ignore[assignment]  # declared models map a Table
_CACHE_KEY = "portal.rewards.index_cache"


@dataclass(frozen=True)
class Catalogue:
    """A merchant's catalogue ready for checks: its index and what the page needs to know."""

    index: CatalogueIndex
    active_count: int
    # Some active product is sold in some locations only: the locations view is worth showing.
    has_local_products: bool
    # Every reward's check against this catalogue, for the rewards sync it came from.
    checks: dict[datetime, list[Classified]] = field(default_factory=dict)


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


# Built once: the Rewards and Products pages read it on every view.
_VERSION = select(catalogue_version_query(bindparam("merchant_id", type_=Integer)))


def catalogue_version(merchant: Merchant) -> Hashable:
    """What changes whenever the POS pushes a different catalogue: its last change."""
    return version_of(db.session.scalar(_VERSION, {"merchant_id": merchant.id}))


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
