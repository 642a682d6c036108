"""The Orders pages: one page of the merchant's relayed orders, and one order in detail."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, Select, case, func, select, type_coerce

from portal import config
from portal.extensions import db
from portal.listing import clean_query, contains, paginate
from portal.models.locations import Location, PongoStore
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayAttempt, RelayStatus
from portal.orders.reasons import plain_reason
from portal.orders.services import PER_PAGE, STATUSES


class ListedOrder(NamedTuple):
    """One row of the Orders page: only what the list shows, and why it is not delivered."""

    order_ref: str
    status: str
    place: str
    total_cents: int
    ordered_at: datetime
    attempts: int
    without_customer: bool
    reason: str | None


@dataclass(frozen=True)
class OrdersPage:
    """One page of the merchant's relayed orders."""

    rows: list[ListedOrder]
    status: str | None
    query: str
    page: int
    pages: int
    total: int
    counts: dict[str, int]


def status_counts(merchant: Merchant) -> dict[str, int]:
    """How many of the merchant's orders are in each relay status."""
    counts = dict.fromkeys(STATUSES, 0)
    for status, count in db.session.execute(
        select(OrderRelay.status, func.count())
        .where(OrderRelay.merchant_id == merchant.id)
        .group_by(OrderRelay.status)
    ):
        counts[status] = count
    return counts


@functools.cache
def _listed_columns() -> Select[*tuple[Any, ...]]:
    """The columns the list shows, read as plain rows: no ORM objects are built for a page.

    The statement is immutable and names no merchant: it is built once, not once per view.
    """
    return (
        select(
            Order.order_ref,
            OrderRelay.status,
            # A location the merchant no longer has is shown by its POS code.
            func.coalesce(Location.name, Order.location_ref).label("place"),
            Order.total_cents,
            Order.ordered_at,
            # A column_property added after the class body, which mypy cannot see.
            OrderRelay.attempt_count,  # type: ignore[attr-defined]
            Order.without_customer,
            Order.customer_erased_at,
            # Only a failure's reason reads Pongo's answer; a receipt is not worth decoding.
            type_coerce(
                case((OrderRelay.status == RelayStatus.FAILED, OrderRelay.pongo_answer)), JSON
            ).label("answer"),
        )
        .join(OrderRelay, OrderRelay.order_id == Order.id)
        .outerjoin(
            Location,
            (Location.merchant_id == Order.merchant_id) & (Location.ref == Order.location_ref),
        )
    )


def _with_reasons(rows: Sequence[tuple[Any, ...]]) -> list[ListedOrder]:
    """Each row with why it is not delivered, a sentence that only the status sets written once."""
    paused_days = config.current().orders.paused_days
    said: dict[tuple[str, bool], str | None] = {}
    listed = []
    for ref, status, place, total, at, attempts, tablet, erased_at, answer in rows:
        erased = erased_at is not None
        if status == RelayStatus.FAILED and not erased:
            reason = plain_reason(status=status, answer=answer, paused_days=paused_days)
        elif (status, erased) in said:
            reason = said[status, erased]
        else:
            reason = said[status, erased] = plain_reason(
                status=status, answer=None, paused_days=paused_days, erased=erased
            )
        listed.append(ListedOrder(ref, status, place, total, at, attempts, tablet, reason))
    return listed


def orders_page(
    *, merchant: Merchant, status: str | None, query: str, page: int, per_page: int = PER_PAGE
) -> OrdersPage:
    """The merchant's orders, newest first, filtered by status and order ref."""
    statement = _listed_columns().where(Order.merchant_id == merchant.id)
    if status in STATUSES:
        statement = statement.where(OrderRelay.status == status)
    else:
        status = None
    query = clean_query(query, 128)
    if query:
        statement = statement.where(contains(Order.order_ref, query))
    counts = status_counts(merchant)
    # Every order has one relay row: without a search the status counts are the list's size.
    known = None if query else (counts[status] if status else sum(counts.values()))
    found = paginate(
        statement.order_by(Order.received_at.desc(), Order.id.desc()),
        page=page,
        per_page=per_page,
        scalars=False,
        total=known,
    )
    return OrdersPage(
        rows=_with_reasons(found.items),
        status=status,
        query=query,
        page=found.page,
        pages=found.pages,
        total=found.total,
        counts=counts,
    )


@dataclass(frozen=True)
class OrderDetail:
    """One order with what was sent, Pongo's answer, every attempt and the names of its places."""

    order: Order
    relay: OrderRelay
    attempts: list[RelayAttempt]
    # None when the merchant no longer has the location, or Pongo no longer lists the store.
    location_name: str | None
    store_name: str | None


def order_detail(*, order: Order) -> OrderDetail:
    """An order with its relay, its location's and store's names, and every attempt."""
    relay, location_name, store_name = db.session.execute(
        select(OrderRelay, Location.name, PongoStore.name)
        .select_from(OrderRelay)
        .outerjoin(
            Location,
            (Location.merchant_id == order.merchant_id) & (Location.ref == order.location_ref),
        )
        .outerjoin(
            PongoStore,
            (PongoStore.merchant_id == order.merchant_id) & (PongoStore.slug == order.store_slug),
        )
        .where(OrderRelay.order_id == order.id)
    ).one()
    attempts = db.session.scalars(
        select(RelayAttempt)
        .where(RelayAttempt.relay_id == relay.id)
        .order_by(RelayAttempt.at, RelayAttempt.id)
    ).all()
    return OrderDetail(
        order=order,
        relay=relay,
        attempts=list(attempts),
        location_name=location_name,
        store_name=store_name,
    )
