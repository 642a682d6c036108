"""Orders: taking a closed order into the outbox, reading relay states, retrying failures.

Verbs flush and never commit: the request (or the worker) owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.api.errors import InvalidBody
from portal.api.schemas import FieldError
from portal.audit.actor import Actor
from portal.audit.services import record
from portal.config import Settings
from portal.connect.services import get_connection
from portal.extensions import db
from portal.listing import contains, paginate, search_text
from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayAttempt, RelayStatus
from portal.orders.mapping import OrderEnums, PosLine, PosOrder, to_pongo
from portal.orders.schemas import OrderAccepted, OrderIn, OrderStatusOut

PER_PAGE = 50
STATUSES = tuple(s.value for s in RelayStatus)


class OrderConflict(Exception):
    """The order_ref is already taken by an order with a different body."""


def order_enums(settings: Settings | None = None) -> OrderEnums:
    """The order enum values from the portal's settings."""
    s: Settings = settings or current_app.extensions["portal.settings"]
    return OrderEnums(
        channel=s.pongo_order_channel,
        delivery_mode=s.pongo_order_delivery_mode,
        status=s.pongo_order_status,
        delivery_status=s.pongo_order_delivery_status,
    )


def new_relay_id() -> str:
    """A public relay id; it is also the Idempotency-Key sent to Pongo."""
    return "rel_" + secrets.token_hex(12)


def body_hash(body: OrderIn) -> str:
    """A fingerprint of the order as the POS sent it (after validation)."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def pos_order(body: OrderIn) -> PosOrder:
    """The validated body as the mapping's input."""
    return PosOrder(
        order_ref=body.order_ref,
        total_cents=body.total_cents,
        tax_cents=body.tax_cents,
        created_at=body.created_at,
        lines=tuple(
            PosLine(
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                public_reward_id=line.public_reward_id,
            )
            for line in body.lines
        ),
        customer_phone=body.customer.phone,
        customer_public_id=body.customer.public_id,
    )


def _find(merchant_id: int, order_ref: str) -> tuple[Order, OrderRelay] | None:
    row = db.session.execute(
        select(Order, OrderRelay)
        .join(OrderRelay, OrderRelay.order_id == Order.id)
        .where(Order.merchant_id == merchant_id, Order.order_ref == order_ref)
    ).first()
    return (row[0], row[1]) if row else None


def _accepted(order: Order, relay: OrderRelay) -> OrderAccepted:
    return OrderAccepted(
        relay_id=relay.relay_id,
        order_ref=order.order_ref,
        status=RelayStatus(relay.status).value,
        loyalty_store_slug=order.store_slug,
    )


def _repeat(found: tuple[Order, OrderRelay], fingerprint: str) -> OrderAccepted:
    order, relay = found
    if order.body_hash != fingerprint:
        raise OrderConflict(order.order_ref)
    return _accepted(order, relay)


def _refusals(merchant: Merchant, location_ref: str) -> tuple[list[FieldError], Location | None]:
    """Why this order cannot be relayed, if it cannot: every reason at once."""
    problems: list[FieldError] = []
    connection = get_connection(merchant)
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        problems.append(
            FieldError(
                path="",
                message="merchant not connected: the merchant has not connected a Pongo "
                "account in the portal",
            )
        )
    location = db.session.scalar(
        select(Location).where(Location.merchant_id == merchant.id, Location.ref == location_ref)
    )
    if location is None:
        problems.append(
            FieldError(
                path="location_ref",
                message=f"unknown location: no location {location_ref!r} for this merchant "
                "(push it with PUT /merchants/{ref}/locations first)",
            )
        )
    elif not location.store_slug:
        problems.append(
            FieldError(
                path="location_ref",
                message=f"location not linked: location {location_ref!r} is not linked to a "
                "Pongo store (the merchant links it on the portal's Locations page)",
            )
        )
    return problems, location


def accept_order(*, merchant: Merchant, body: OrderIn) -> tuple[OrderAccepted, bool]:
    """Store the order and its outbox row together; True when it is new.

    The same order_ref with the same body answers the first answer and writes nothing.
    """
    fingerprint = body_hash(body)
    found = _find(merchant.id, body.order_ref)
    if found is not None:
        return _repeat(found, fingerprint), False
    problems, location = _refusals(merchant, body.location_ref)
    if problems:
        raise InvalidBody(problems)
    assert location is not None
    assert location.store_slug is not None
    connection = get_connection(merchant)
    # A merchant whose token Pongo rejected keeps taking orders: they wait, paused,
    # until the merchant reconnects, instead of being lost.
    paused = connection is not None and connection.status != ConnectionStatus.CONNECTED
    now = utcnow()
    order = Order(
        merchant_id=merchant.id,
        order_ref=body.order_ref,
        location_ref=body.location_ref,
        store_slug=location.store_slug,
        total_cents=body.total_cents,
        tax_cents=body.tax_cents,
        ordered_at=body.created_at,
        line_count=len(body.lines),
        payload=to_pongo(pos_order(body), store_slug=location.store_slug, enums=order_enums()),
        body_hash=fingerprint,
        received_at=now,
    )
    relay = OrderRelay(
        relay_id=new_relay_id(),
        merchant_id=merchant.id,
        status=RelayStatus.PAUSED if paused else RelayStatus.PENDING,
        paused_at=now if paused else None,
        last_error="The Pongo connection needs to be reconnected." if paused else None,
        next_attempt_at=now,
    )
    merchant_id = merchant.id
    try:
        db.session.add(order)
        db.session.flush()
        relay.order_id = order.id
        db.session.add(relay)
        db.session.flush()
    except IntegrityError:
        # Another request stored the same order_ref meanwhile: answer with its row. This
        # request wrote nothing else, so rolling back loses nothing.
        db.session.rollback()
        found = _find(merchant_id, body.order_ref)
        if found is None:
            raise
        return _repeat(found, fingerprint), False
    return _accepted(order, relay), True


def order_status(*, merchant: Merchant, order_ref: str) -> OrderStatusOut | None:
    """The relay status of one of the merchant's orders."""
    found = _find(merchant.id, order_ref)
    if found is None:
        return None
    order, relay = found
    return OrderStatusOut(
        relay_id=relay.relay_id,
        order_ref=order.order_ref,
        location_ref=order.location_ref,
        loyalty_store_slug=order.store_slug,
        status=RelayStatus(relay.status).value,
        attempts=relay.attempts,
        last_error=relay.last_error,
        next_attempt_at=relay.next_attempt_at if relay.status == RelayStatus.PENDING else None,
        pongo_order_id=relay.pongo_order_id,
        delivered_at=relay.delivered_at,
        received_at=order.received_at,
    )


@dataclass(frozen=True)
class OrderRow:
    """One order as the Orders page lists it."""

    order: Order
    relay: OrderRelay


@dataclass(frozen=True)
class OrdersPage:
    """One page of the merchant's relayed orders."""

    rows: list[OrderRow]
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


def order_problems(merchant: Merchant) -> dict[str, int]:
    """For the overview: orders that failed and orders paused by the connection."""
    counts = status_counts(merchant)
    return {"failed": counts[RelayStatus.FAILED], "paused": counts[RelayStatus.PAUSED]}


def orders_page(
    *, merchant: Merchant, status: str | None, query: str, page: int, per_page: int = PER_PAGE
) -> OrdersPage:
    """The merchant's orders, newest first, filtered by status and order ref."""
    statement = (
        select(Order, OrderRelay)
        .join(OrderRelay, OrderRelay.order_id == Order.id)
        .where(Order.merchant_id == merchant.id)
    )
    if status in STATUSES:
        statement = statement.where(OrderRelay.status == status)
    else:
        status = None
    query = search_text(query, 128)
    if query:
        statement = statement.where(contains(Order.order_ref, query))
    found = paginate(
        statement.order_by(Order.received_at.desc(), Order.id.desc()),
        page=page,
        per_page=per_page,
        scalars=False,
    )
    return OrdersPage(
        rows=[OrderRow(order=o, relay=r) for o, r in found.items],
        status=status,
        query=query,
        page=found.page,
        pages=found.pages,
        total=found.total,
        counts=status_counts(merchant),
    )


@dataclass(frozen=True)
class OrderDetail:
    """One order with what was sent, Pongo's answer and every attempt."""

    order: Order
    relay: OrderRelay
    attempts: list[RelayAttempt]


def order_detail(*, order: Order) -> OrderDetail:
    """An order with its relay and every attempt."""
    relay = db.session.scalars(select(OrderRelay).where(OrderRelay.order_id == order.id)).one()
    attempts = db.session.scalars(
        select(RelayAttempt)
        .where(RelayAttempt.relay_id == relay.id)
        .order_by(RelayAttempt.at, RelayAttempt.id)
    ).all()
    return OrderDetail(order=order, relay=relay, attempts=list(attempts))


def retry_order(*, merchant: Merchant, order_ref: str, actor: Actor) -> bool:
    """Put a failed order back in the queue with a fresh attempt budget; audited."""
    found = _find(merchant.id, order_ref)
    if found is None or found[1].status != RelayStatus.FAILED:
        return False
    relay = found[1]
    previous_error = relay.last_error
    # Guarded on the status so that two clicks (or a click and a worker) retry it once.
    result = db.session.execute(
        update(OrderRelay)
        .where(OrderRelay.id == relay.id, OrderRelay.status == RelayStatus.FAILED)
        .values(
            status=RelayStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            claimed_until=None,
            claim_token=None,
        )
        .execution_options(synchronize_session=False)
    )
    if not cast("CursorResult[Any]", result).rowcount:
        return False
    db.session.expire(relay)
    record(
        "order.retry",
        actor=actor,
        merchant=merchant,
        details={"order_ref": order_ref, "relay_id": relay.relay_id, "error": previous_error},
    )
    return True
