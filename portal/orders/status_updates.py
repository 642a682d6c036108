"""Cancellations and refunds: status changes of orders already taken, relayed after the order.

A change waits in `order_status_updates` until its order is delivered and every change
asked before it has reached Pongo; then the relay worker sends it with Pongo's "Update
order status" call. A paused order's changes wait with it; asking the same change twice
stores one; changes of an order Pongo will never have (failed, expired) are dropped.
Verbs flush and never commit: the request (or the worker) owns the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import Integer, and_, bindparam, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models.dbclock import db_now
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayStatus
from portal.models.status_updates import OrderStatusUpdate, UpdateState
from portal.pongo import endpoints
from portal.pongo.connection import NotConnected
from portal.pongo.errors import MissingScope, NeedsReconnection, PongoError, Unavailable
from portal.pongo.merchant import MerchantPongo

log = logging.getLogger("portal.orders")


class PosStatus(StrEnum):
    """The changes the POS may ask for (the POS API's words)."""

    CANCELLED = "cancelled"
    REFUNDED = "refunded"


# The POS API's words → Pongo's (guessed in portal.pongo.inferred).
PONGO_STATUS = dict(zip(PosStatus, endpoints.STATUS_VALUES, strict=True))
# How long a change waits before it is looked at again.
WAIT_FOR_RECONNECTION = timedelta(minutes=5)
WAIT_FOR_SCOPE = timedelta(hours=1)
BACKOFF = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
LEASE = timedelta(seconds=120)
MAX_ATTEMPTS = 10


class StatusRefused(Exception):
    """The change cannot be taken: the order will never reach Pongo, or is busy."""


class UnknownOrder(StatusRefused):
    """The merchant has no order with this ref."""


@dataclass(frozen=True)
class Requested:
    """A change as stored, and whether this request stored it (False: asked before)."""

    update: OrderStatusUpdate
    created: bool


def request_status_update(*, merchant: Merchant, order_ref: str, status: PosStatus) -> Requested:
    """Store a change of one of the merchant's orders, after the changes asked before it."""
    row = db.session.execute(
        select(Order, OrderRelay)
        .join(OrderRelay, OrderRelay.order_id == Order.id)
        .where(Order.merchant_id == merchant.id, Order.order_ref == order_ref)
    ).first()
    if row is None:
        raise UnknownOrder(order_ref)
    order, relay = row
    if relay.status in (RelayStatus.FAILED, RelayStatus.EXPIRED):
        raise StatusRefused(f"the order is {relay.status}: Pongo does not have it")
    for _ in range(3):  # two requests for one order may race for the next seq
        found = _existing(order.id, status)
        if found is not None:
            return Requested(found, False)
        seq = db.session.scalar(
            select(func.coalesce(func.max(OrderStatusUpdate.seq), 0)).where(
                OrderStatusUpdate.order_id == order.id
            )
        )
        update_row = OrderStatusUpdate(
            order_id=order.id, merchant_id=merchant.id, seq=(seq or 0) + 1, status=status.value
        )
        try:
            with db.session.begin_nested():
                db.session.add(update_row)
        except IntegrityError:
            continue
        return Requested(update_row, True)
    raise StatusRefused("the order is being changed by another request: try again")


def _existing(order_id: int, status: PosStatus) -> OrderStatusUpdate | None:
    return db.session.scalar(
        select(OrderStatusUpdate).where(
            OrderStatusUpdate.order_id == order_id, OrderStatusUpdate.status == status.value
        )
    )


# An order's changes, built once: each order's page reads them.
_UPDATES = (
    select(OrderStatusUpdate)
    .where(OrderStatusUpdate.order_id == bindparam("order_id", type_=Integer))
    .order_by(OrderStatusUpdate.seq)
)


def updates_of(order_id: int) -> list[OrderStatusUpdate]:
    """An order's changes, in the order they were asked."""
    return list(db.session.scalars(_UPDATES, {"order_id": order_id}))


def drop_unsendable() -> int:
    """Drop the waiting changes of orders that will never reach Pongo; returns how many."""
    dead = select(OrderRelay.order_id).where(
        OrderRelay.status.in_((RelayStatus.FAILED, RelayStatus.EXPIRED))
    )
    result = db.session.execute(
        update(OrderStatusUpdate)
        .where(
            OrderStatusUpdate.state == UpdateState.PENDING,
            OrderStatusUpdate.order_id.in_(dead),
        )
        .values(state=UpdateState.DROPPED, last_error="its order never reached Pongo")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _due(limit: int) -> list[tuple[int, int, str | None]]:
    """(update id, merchant id, Pongo's order id) of changes that may go now, oldest first."""
    earlier = aliased(OrderStatusUpdate)
    before_waits = exists().where(
        earlier.order_id == OrderStatusUpdate.order_id,
        earlier.seq < OrderStatusUpdate.seq,
        earlier.state == UpdateState.PENDING,
    )
    rows = db.session.execute(
        select(OrderStatusUpdate.id, OrderStatusUpdate.merchant_id, OrderRelay.pongo_order_id)
        .join(OrderRelay, OrderRelay.order_id == OrderStatusUpdate.order_id)
        .where(
            OrderStatusUpdate.state == UpdateState.PENDING,
            OrderStatusUpdate.next_attempt_at <= db_now(),
            and_(
                OrderStatusUpdate.claimed_until.is_(None)
                | (OrderStatusUpdate.claimed_until < db_now())
            ),
            # Strictly after the order itself, and after the changes asked before it.
            OrderRelay.status == RelayStatus.DELIVERED,
            ~before_waits,
        )
        .order_by(OrderStatusUpdate.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _claim(update_id: int) -> bool:
    claimed = db.session.execute(
        update(OrderStatusUpdate)
        .where(
            OrderStatusUpdate.id == update_id,
            OrderStatusUpdate.state == UpdateState.PENDING,
            OrderStatusUpdate.claimed_until.is_(None)
            | (OrderStatusUpdate.claimed_until < db_now()),
        )
        .values(claimed_until=db_now(LEASE.total_seconds()))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(getattr(claimed, "rowcount", 0))


def send_due_updates(
    *, limit: int = 50, client: Callable[[int], MerchantPongo] = MerchantPongo
) -> int:
    """Send the changes that may go now; returns how many reached Pongo (commits each)."""
    drop_unsendable()
    db.session.commit()
    sent = looked = 0
    # A delivered change lets the next change of its order go: look again until none is due.
    while looked < limit:
        due = _due(limit - looked)
        if not due:
            break
        looked += len(due)
        progress = 0
        for update_id, merchant_id, pongo_id in due:
            if not _claim(update_id):
                continue  # another worker has it
            row = db.session.get(OrderStatusUpdate, update_id)
            assert row is not None
            progress += _send(row, merchant_id, pongo_id, client)
            row.claimed_until = None
            db.session.commit()
        sent += progress
        if not progress:
            break
    return sent


def _send(
    row: OrderStatusUpdate,
    merchant_id: int,
    pongo_id: str | None,
    client: Callable[[int], MerchantPongo],
) -> int:
    """One change to Pongo; its row says what came of it. 1 when it arrived."""
    if not pongo_id:
        _finish(row, UpdateState.FAILED, "Pongo gave no id for the order, so it cannot be changed")
        return 0
    try:
        with client(merchant_id) as pongo:
            pongo.update_order_status(pongo_id, PONGO_STATUS[PosStatus(row.status)])
    except (NeedsReconnection, NotConnected):
        # Waits, like the order's paused sends, without counting an attempt.
        _later(row, WAIT_FOR_RECONNECTION, "waiting for the merchant to reconnect Pongo")
        return 0
    except MissingScope as error:
        _later(row, WAIT_FOR_SCOPE, f"{error}: reconnect Pongo to grant order.update")
        return 0
    except Unavailable as error:
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            _finish(row, UpdateState.FAILED, f"Pongo kept failing: {error}")
        else:
            wait = min(BACKOFF * 2 ** (row.attempts - 1), BACKOFF_CAP)
            _later(row, wait, str(error))
        return 0
    except PongoError as error:
        row.attempts += 1
        _finish(row, UpdateState.FAILED, str(error))
        return 0
    row.attempts += 1
    row.state = UpdateState.DELIVERED
    row.delivered_at = db_now()
    row.last_error = None
    return 1


def _later(row: OrderStatusUpdate, wait: timedelta, why: str) -> None:
    # On the database's clock, which `_due` compares with.
    row.next_attempt_at = db_now(wait.total_seconds())
    row.last_error = why[:500]


def _finish(row: OrderStatusUpdate, state: UpdateState, why: str) -> None:
    row.state = state
    row.last_error = why[:500]
    log.warning("status update %s of order %s: %s", row.status, row.order_id, state)
