"""Replacing a merchant's whole catalogue in bulk statements, sized for 50,000 products.

One ORM object per product would cost seconds and hundreds of megabytes at that size, so
the current catalogue is read as plain tuples, diffed in memory against the body, and
written with executemany statements in chunks.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal.api.errors import InvalidBody, duplicates
from portal.api.schemas import ProductIn, ReplaceCounts
from portal.api.services import lock_merchant
from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.models.products import Product
from portal.products.search import search_text

CHUNK = 2_000
_FIELDS = ("sku", "name", "price_cents", "category", "has_paid_options", "location_refs")
_TABLE: Table = Product.__table__  # type: ignore[assignment]  # declared models map a Table


def _values(item: ProductIn) -> tuple[Any, ...]:
    return (
        item.sku,
        item.name,
        item.price_cents,
        item.category,
        item.has_paid_options,
        item.location_refs,
    )


@contextmanager
def collector_disabled() -> Iterator[None]:
    """Pause the cyclic garbage collector while a whole catalogue is parsed and written.

    50,000 products make hundreds of thousands of short-lived objects, none in a cycle:
    the collections they trigger, each walking every live object, cost as much as the
    parsing itself. Reference counting frees them all when the request ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def replace_products(
    *, merchant: Merchant, incoming: list[ProductIn], actor: Actor
) -> ReplaceCounts:
    """Make the merchant's active catalogue exactly these products; the rest are archived."""
    refs = [item.ref or item.sku for item in incoming]
    problems = duplicates(refs, "products")
    if problems:
        raise InvalidBody(problems)
    lock_merchant(merchant)
    # ref -> (id, field values, archived?)
    existing: dict[str, tuple[int, tuple[Any, ...], bool]] = {
        row.ref: (row.id, tuple(row[2:-1]), row.archived_at is not None)
        for row in db.session.execute(
            select(
                _TABLE.c.id,
                _TABLE.c.ref,
                *(_TABLE.c[f] for f in _FIELDS),
                _TABLE.c.archived_at,
            ).where(_TABLE.c.merchant_id == merchant.id)
        )
    }
    now = utcnow()
    merchant_id = merchant.id
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    unchanged = 0
    for ref, item in zip(refs, incoming, strict=True):
        values = _values(item)
        current = existing.pop(ref, None)
        if current is None:
            row = dict(zip(_FIELDS, values, strict=True))
            row.update(
                merchant_id=merchant_id,
                ref=ref,
                updated_at=now,
                search_text=search_text(item.name, item.sku),
            )
            inserts.append(row)
        elif current[1] == values and not current[2]:
            unchanged += 1
        else:
            updates.append(
                {
                    "b_id": current[0],
                    "b_updated_at": now,
                    "b_search_text": search_text(item.name, item.sku),
                    **{f"b_{f}": v for f, v in zip(_FIELDS, values, strict=True)},
                }
            )
    to_archive = [
        {"b_id": product_id, "b_now": now}
        for product_id, _, archived in existing.values()
        if not archived
    ]
    # Most products are sold everywhere: leaving their empty location list out of the insert
    # stores SQL NULL (read back as None, like JSON null) and spares a JSON encoding per row.
    everywhere = [row for row in inserts if row["location_refs"] is None]
    for row in everywhere:
        del row["location_refs"]
    for rows in (everywhere, [row for row in inserts if "location_refs" in row]):
        for chunk in _chunks(rows):
            db.session.execute(insert(_TABLE), chunk)
    if updates:
        statement = (
            update(_TABLE)
            .where(_TABLE.c.id == bindparam("b_id"))
            .values(
                archived_at=None,
                **{f: bindparam(f"b_{f}") for f in (*_FIELDS, "updated_at", "search_text")},
            )
        )
        for chunk in _chunks(updates):
            db.session.execute(statement, chunk)
    if to_archive:
        statement = (
            update(_TABLE)
            .where(_TABLE.c.id == bindparam("b_id"))
            .values(archived_at=bindparam("b_now"), updated_at=bindparam("b_now"))
        )
        for chunk in _chunks(to_archive):
            db.session.execute(statement, chunk)
    # The active catalogue is now exactly what came in: the Products page reads its size here.
    db.session.execute(
        update(Merchant)
        .where(Merchant.id == merchant_id)
        # Set as it is: the merchant's own details did not change.
        .values(active_products=len(incoming), updated_at=Merchant.updated_at)
    )
    set_committed_value(merchant, "active_products", len(incoming))
    counts = ReplaceCounts(
        created=len(inserts), updated=len(updates), archived=len(to_archive), unchanged=unchanged
    )
    record("products.replace", actor=actor, merchant=merchant, details=counts.model_dump())
    return counts
