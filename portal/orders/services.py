"""Orders: taking a closed order into the outbox, reading relay states, retrying failures.

Verbs flush and never commit: the request (or the worker) owns the transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    CursorResult,
    ScalarSelect,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from portal import config
from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.models.orders import (
    ERASED_BODY_HASH,
    Order,
    OrderRelay,
    RelayStatus,
)
from portal.orders.mapping import OrderEnums, PosOrder, to_pongo
from portal.pongo import inferred
from portal.pongo.connection import get_connection, request_connection

PER_PAGE = 50
STATUSES = tuple(s.value for s in RelayStatus)


class RefusalCode(StrEnum):
    """Why an order is not taken."""

    MERCHANT_NOT_CONNECTED = "merchant_not_connected"
    UNKNOWN_LOCATION = "unknown_location"
    LOCATION_NOT_LINKED = "location_not_linked"
    # The order_ref is already taken by an order with a different body.
    ORDER_REF_REUSED = "order_ref_reused"


@dataclass(frozen=True)
class Refusal:
    """One reason to refuse an order; `field` names the order field at fault, if one is."""

    code: RefusalCode
    message: str
    field: str = ""


class OrderRefused(Exception):
    """The order cannot be taken; every reason is given at once and nothing was stored."""

    def __init__(self, *reasons: Refusal) -> None:
        self.reasons = reasons
        super().__init__("; ".join(f"{r.code}: {r.message}" for r in reasons))


@dataclass(frozen=True)
class OrderRow:
    """One order with its outbox row."""

    order: Order
    relay: OrderRelay


def order_enums() -> OrderEnums:
    """The order enum values: the PONGO_ORDER_* settings, else Pongo's guessed values."""
    orders = config.current().orders
    return OrderEnums(
        channel=orders.channel or inferred.CHANNEL,
        delivery_mode=orders.delivery_mode or inferred.DELIVERY_MODE,
        status=orders.status or inferred.STATUS,
        delivery_status=orders.delivery_status or inferred.DELIVERY_STATUS,
    )


def new_relay_id() -> str:
    """A public relay id; it is also the Idempotency-Key sent to Pongo."""
    return "rel_" + secrets.token_hex(12)


def _find(merchant_id: int, order_ref: str) -> OrderRow | None:
    row = db.session.execute(
        select(Order, OrderRelay)
        .join(OrderRelay, OrderRelay.order_id == Order.id)
        .where(Order.merchant_id == merchant_id, Order.order_ref == order_ref)
    ).first()
    return OrderRow(order=row[0], relay=row[1]) if row else None


def _repeat(found: OrderRow, fingerprint: str) -> OrderRow:
    # An erased order's content cannot be compared any more: a repeat answers it as it is.
    if found.order.body_hash not in (fingerprint, ERASED_BODY_HASH):
        raise OrderRefused(
            Refusal(
                RefusalCode.ORDER_REF_REUSED,
                f"order {found.order.order_ref!r} was already taken with different content",
                "order_ref",
            )
        )
    return found


def _refusals(
    merchant: Merchant, location_ref: str, connection: PongoConnection | None
) -> tuple[list[Refusal], Location | None]:
    """Why this order cannot be relayed, if it cannot: every reason at once."""
    problems: list[Refusal] = []
    # Only a merchant that never connected is refused: once connected, a disconnected
    # or rejected connection keeps the orders, paused, until the merchant reconnects.
    if connection is None:
        problems.append(
            Refusal(
                RefusalCode.MERCHANT_NOT_CONNECTED,
                "the merchant has never connected a Pongo account in the portal",
            )
        )
    location = db.session.scalar(
        select(Location).where(Location.merchant_id == merchant.id, Location.ref == location_ref)
    )
    if location is None:
        problems.append(
            Refusal(
                RefusalCode.UNKNOWN_LOCATION,
                f"no location {location_ref!r} for this merchant",
                "location_ref",
            )
        )
    elif not location.store_slug:
        problems.append(
            Refusal(
                RefusalCode.LOCATION_NOT_LINKED,
                f"location {location_ref!r} is not linked to a Pongo store (the merchant "
                "links it on the portal's Locations page)",
                "location_ref",
            )
        )
    return problems, location


def accept_order(
    *, merchant: Merchant, order: PosOrder, location_ref: str, fingerprint: str
) -> tuple[OrderRow, bool]:
    """Store the order and its outbox row together; True when it is new.

    `fingerprint` identifies the order's content: the same order_ref with the same
    fingerprint answers the first order and writes nothing. Raises OrderRefused.
    """
    found = _find(merchant.id, order.order_ref)
    if found is not None:
        return _repeat(found, fingerprint), False
    connection = get_connection(merchant)
    problems, location = _refusals(merchant, location_ref, connection)
    if problems:
        raise OrderRefused(*problems)
    assert location is not None
    assert location.store_slug is not None
    # A merchant whose token Pongo rejected, or who disconnected, keeps taking orders:
    # they wait, paused, until the merchant reconnects, instead of being lost. An order
    # paused while a reconnection commits is resumed by the relay all the same.
    paused = connection is not None and connection.status != ConnectionStatus.CONNECTED
    now = utcnow()
    row = Order(
        merchant_id=merchant.id,
        order_ref=order.order_ref,
        location_ref=location_ref,
        store_slug=location.store_slug,
        total_cents=order.total_cents,
        tax_cents=order.tax_cents,
        ordered_at=order.created_at,
        line_count=len(order.lines),
        # Nobody identified at the till: Pongo's tablet at the location asks the customer.
        without_customer=not (order.customer_phone or order.customer_public_id),
        payload=to_pongo(
            order,
            store_slug=location.store_slug,
            enums=order_enums(),
            tablet_id=location.pongo_tablet_id,
        ),
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
        db.session.add(row)
        db.session.flush()
        relay.order_id = row.id
        db.session.add(relay)
        db.session.flush()
    except IntegrityError:
        # Another request stored the same order_ref meanwhile: answer with its row. This
        # request wrote nothing else, so rolling back loses nothing.
        db.session.rollback()
        found = _find(merchant_id, order.order_ref)
        if found is None:
            raise
        return _repeat(found, fingerprint), False
    return OrderRow(order=row, relay=relay), True


def pongo_outage(merchant: Merchant) -> datetime | None:
    """Since when calls to Pongo for this merchant fail as unavailable; None when it answers."""
    connection = request_connection(merchant)
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        return None
    return connection.unavailable_since


def find_order(*, merchant: Merchant, order_ref: str) -> OrderRow | None:
    """One of the merchant's orders with its outbox row (another merchant's order is None)."""
    return _find(merchant.id, order_ref)


def order_problem_columns(merchant_id: int | BindParameter[int]) -> dict[str, ScalarSelect[int]]:
    """The overview's order counts as SQL expressions, to be read in one statement.

    Rows are counted, not ids: the (merchant, status) index alone answers, where counting
    ids made PostgreSQL read every counted relay's row as well.
    """

    def count(status: RelayStatus) -> ScalarSelect[int]:
        return (
            select(func.count())
            .where(OrderRelay.merchant_id == merchant_id, OrderRelay.status == status)
            .scalar_subquery()
        )

    return {"failed": count(RelayStatus.FAILED), "paused": count(RelayStatus.PAUSED)}


def order_problems(merchant: Merchant) -> dict[str, int]:
    """For the overview: orders that failed and orders paused by the connection."""
    columns = order_problem_columns(merchant.id)
    row = db.session.execute(select(*(c.label(k) for k, c in columns.items()))).one()
    return {key: int(value or 0) for key, value in row._mapping.items()}


def retry_order(*, merchant: Merchant, order_ref: str, actor: Actor) -> bool:
    """Put a failed order back in the queue with a fresh attempt budget; audited."""
    found = _find(merchant.id, order_ref)
    if found is None or found.relay.status != RelayStatus.FAILED:
        return False
    # Its customer was erased: Pongo could not credit anybody, so it is not sent again.
    if found.order.customer_erased_at is not None:
        return False
    relay = found.relay
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
