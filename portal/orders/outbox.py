"""The order outbox as a leased queue: the SQL that claims, takes, records and pauses orders.

Each statement is one short transaction on the database's clock (`db_now`); none is
open while an order is in flight. The claim token fences every write: a worker whose
lease ran out changes nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, case, insert, select, true, update

from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.dbclock import db_now
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayAttempt, RelayStatus
from portal.orders.outcomes import Claim, Kind, Outcome
from portal.orders.retry import Decision
from portal.workers import LeasedQueue

QUEUE = LeasedQueue(OrderRelay, OrderRelay.id, OrderRelay.next_attempt_at)
PENDING = OrderRelay.status == RelayStatus.PENDING


def expiry_reason(days: int) -> str:
    """Why an order expired, as stored (pages show it in the reader's language)."""
    return f"Waited more than {days} days for a Pongo connection; it is no longer sent."


def expire_paused(connection: Connection, days: int) -> int:
    """End the orders paused longer than `days` (status `expired`)."""
    return connection.execute(
        update(OrderRelay)
        .where(
            OrderRelay.status == RelayStatus.PAUSED, OrderRelay.paused_at < db_now(-days * 86400.0)
        )
        .values(
            status=RelayStatus.EXPIRED,
            last_error=expiry_reason(days),
            claimed_until=None,
            claim_token=None,
        )
    ).rowcount


def resume_paused(connection: Connection) -> int:
    """Put every paused order of a merchant whose connection is usable back in the queue."""
    # No timestamp is compared: an order paused while the connection was being replaced
    # (stamped after the new connection's time) is resumed like any other. They go out
    # oldest first: each is due from its arrival; the claim orders by due time.
    usable = (
        select(PongoConnection.id)
        .where(
            PongoConnection.merchant_id == OrderRelay.merchant_id,
            PongoConnection.status == ConnectionStatus.CONNECTED,
            PongoConnection.access_token_encrypted.is_not(None),
        )
        .exists()
    )
    return connection.execute(
        update(OrderRelay)
        .where(OrderRelay.status == RelayStatus.PAUSED, usable)
        .values(
            status=RelayStatus.PENDING,
            paused_at=None,
            last_error=None,
            # Due since it arrived: ahead of orders taken after it, even those taken
            # after the reconnection.
            next_attempt_at=select(Order.received_at)
            .where(Order.id == OrderRelay.order_id)
            .scalar_subquery(),
        )
    ).rowcount


def claim(connection: Connection, *, limit: int, seconds: float, owner: str) -> list[Claim]:
    """Lease up to `limit` due orders with what their sends need, due first."""
    token, ids = QUEUE.claim(
        connection,
        limit=limit,
        seconds=seconds,
        owner=owner,
        where=[PENDING],
        # Still in flight from an earlier claim: that worker died mid-send.
        answer_lost=case(
            (OrderRelay.in_flight_since.is_not(None), true()), else_=OrderRelay.answer_lost
        ),
        in_flight_since=None,
    )
    if not ids:
        return []
    rows = connection.execute(
        select(
            OrderRelay.id,
            OrderRelay.relay_id,
            OrderRelay.merchant_id,
            OrderRelay.attempts,
            OrderRelay.answer_lost,
            OrderRelay.confirming,
            Order.payload,
            Order.order_ref,
            Merchant.ref.label("merchant_ref"),
        )
        .join(Order, Order.id == OrderRelay.order_id)
        .join(Merchant, Merchant.id == OrderRelay.merchant_id)
        .where(OrderRelay.id.in_(ids), OrderRelay.claim_token == token)
        .order_by(OrderRelay.next_attempt_at, OrderRelay.id)
    ).all()
    return [
        Claim(
            id=row.id,
            relay_id=row.relay_id,
            merchant_id=row.merchant_id,
            token=token,
            attempts=row.attempts,
            payload=dict(row.payload),
            order_ref=row.order_ref,
            merchant_ref=row.merchant_ref,
            answer_lost=bool(row.answer_lost),
            confirming=bool(row.confirming),
        )
        for row in rows
    ]


def take(connection: Connection, claim: Claim, seconds: float) -> bool:
    """Lease one claimed order for one send and mark it in flight, if the claim still holds."""
    return bool(
        connection.execute(
            update(OrderRelay)
            .where(QUEUE.held(claim.id, claim.token), PENDING)
            .values(claimed_until=db_now(seconds), in_flight_since=db_now())
        ).rowcount
    )


def _values(claim: Claim, outcome: Outcome, decision: Decision) -> dict[str, Any]:
    """The row's new values for a decision."""
    values: dict[str, Any] = {"in_flight_since": None}
    if decision.wait is not None:
        values["next_attempt_at"] = db_now(decision.wait)
    if not decision.counted:
        return values
    if decision.status is RelayStatus.PAUSED:
        return values | {
            "status": RelayStatus.PAUSED,
            "paused_at": db_now(),
            "last_error": decision.last_error,
        }
    values["attempts"] = claim.attempts + 1
    if outcome.kind is Kind.DELIVERED:
        return values | {
            "status": RelayStatus.DELIVERED,
            "delivered_at": db_now(),
            "pongo_order_id": outcome.pongo_order_id,
            "pongo_answer": outcome.answer,
            "last_error": None,
            "confirming": False,
        }
    values |= {"answer_lost": decision.answer_lost, "last_error": decision.last_error}
    if outcome.answer is not None:
        # Pongo's last refusal, for the order's technical details.
        values["pongo_answer"] = outcome.answer
    if decision.status is not None:
        values["status"] = decision.status
    if decision.confirming:
        values["confirming"] = True
    return values


def record(
    connection: Connection, claim: Claim, outcome: Outcome, decision: Decision, worker: str
) -> bool:
    """Write the decision if the claim still holds the row; False when the lease was lost."""
    if not QUEUE.release(connection, claim.id, claim.token, **_values(claim, outcome, decision)):
        return False
    if outcome.kind is Kind.PAUSED:
        # The merchant's other waiting orders would meet the same refusal.
        connection.execute(
            update(OrderRelay)
            .where(OrderRelay.merchant_id == claim.merchant_id, PENDING, QUEUE.free())
            .values(status=RelayStatus.PAUSED, paused_at=db_now(), last_error=outcome.detail)
        )
    if decision.counted:
        connection.execute(
            insert(RelayAttempt).values(
                relay_id=claim.id,
                at=db_now(),
                outcome=str(decision.recorded),
                status_code=outcome.status_code,
                detail=outcome.detail,
                duration_ms=outcome.duration_ms,
                worker=worker,
            )
        )
    return True
