"""The relay worker against the sandbox: delivery, crashes, faults, poison orders, pauses."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.orders import OrderRelay
from portal.orders.breaker import BreakerState, CircuitBreaker
from portal.orders.outcomes import Kind
from tests.helpers.connect import connect_merchant
from tests.helpers.orders import (
    OrdersApi,
    created_at_pongo,
    drain,
    expire_leases,
    fast_worker,
    order_body,
    order_calls,
    relay_of,
    sandbox_orders,
)
from tests.helpers.sandbox import fault, revoke_token


def test_pending_order_is_delivered_with_the_linked_store_slug(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    relay_id = api.order(order_body()).json["relay_id"]
    with fast_worker(relay_app) as worker:
        assert len(worker.drain()) == 1
    relay = relay_of(relay_app, "POS-1001")
    assert relay.status == "delivered"
    assert relay.attempts == 1
    assert relay.pongo_order_id
    [received] = sandbox_orders(pongo)
    assert received["idempotency_key"] == relay_id
    assert received["body"]["loyalty_store_slug"] == "lumiere-paris-11"
    assert received["body"]["order_id"] == "POS-1001"
    assert received["body"]["customer"] == {"phone": "33612345678"}
    assert received["body"]["reward_ids"] == ["rew_0ece003f2e"]


def test_status_api_reports_delivery(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    api.order(order_body())
    drain(relay_app)
    status = api.get("/merchants/M1/orders/POS-1001").json
    assert status["status"] == "delivered"
    assert status["delivered_at"]
    assert status["pongo_order_id"]


def test_crash_after_pongo_accepted_delivers_once_on_rerun(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """SEC-30: Killed after Pongo took the order, before marking it: the lease expires, it is sent
    again with the same Idempotency-Key, and Pongo still holds one order."""
    api.order(order_body())
    with fast_worker(relay_app) as worker:
        [claim] = worker.claim(10)
        assert worker.take(claim)
        assert worker.send(claim).kind is Kind.DELIVERED
        # ...and the process dies here: no record().
        assert worker.claim(10) == []  # the lease still holds the row
    expire_leases(relay_app)
    with fast_worker(relay_app) as rerun:
        assert len(rerun.drain()) == 1
    assert relay_of(relay_app, "POS-1001").status == "delivered"
    received = sandbox_orders(pongo)
    assert len(received) == 2
    assert received[0]["idempotency_key"] == received[1]["idempotency_key"]
    assert len(created_at_pongo(pongo)) == 1


def test_order_pongo_already_has_counts_as_delivered(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """SEC-30: Without Idempotency-Key support Pongo still answers 202 "already processed"."""
    api.order(order_body())
    with fast_worker(relay_app) as worker:
        [claim] = worker.claim(10)
        with relay_app.app_context():
            from portal.pongo.merchant import MerchantPongo

            with MerchantPongo(claim.merchant_id, worker.pongo) as client:
                client.create_order(claim.payload, idempotency_key="another-key")
        outcome = worker.send(claim)
        assert outcome.kind is Kind.DELIVERED
        assert outcome.status_code == 202
        assert worker.record(claim, outcome)
    relay = relay_of(relay_app, "POS-1001")
    assert relay.status == "delivered"
    assert relay.pongo_answer == {
        "status_code": 202,
        "id": relay.pongo_order_id,
        "already_processed": True,
    }
    assert len(created_at_pongo(pongo)) == 1


@pytest.mark.parametrize(
    ("passing", "least_wait"),
    [
        pytest.param({"status": 503, "count": 3}, 0.0, id="three-503"),
        pytest.param({"status": 429, "count": 1, "headers": {"Retry-After": "2"}}, 2.0, id="429"),
    ],
)
def test_passing_unavailability_is_retried_then_delivered_once(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    passing: dict[str, Any],
    least_wait: float,
) -> None:
    """SEC-29: three 503, or a 429 whose Retry-After is honoured, then delivered."""
    api.order(order_body())
    fault(pongo, **passing)
    slept: list[float] = []
    drain(relay_app, sleep=slept.append)
    assert relay_of(relay_app, "POS-1001").status == "delivered"
    assert max(slept, default=0.0) >= least_wait
    assert len(created_at_pongo(pongo)) == 1


def test_slow_answer_past_the_deadline_is_retried_then_delivered(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """SEC-28: slow answer past the deadline is retried then delivered."""
    api.order(order_body())
    fault(pongo, delay_ms=1000, count=1)
    drain(relay_app, deadline=0.3, read_timeout=5.0)
    relay = relay_of(relay_app, "POS-1001")
    assert relay.status == "delivered"
    assert relay.attempts == 2
    # The slow request still reaches Pongo later: same key, same order, nothing new.
    for _ in range(60):
        if len(sandbox_orders(pongo)) == 2:
            break
        time.sleep(0.05)
    assert len(sandbox_orders(pongo)) == 2
    assert len(created_at_pongo(pongo)) == 1


def test_pongo_down_fails_the_order_after_the_last_attempt(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    api.order(order_body())
    fault(pongo, status=503, count=1000)
    drain(relay_app)
    relay = relay_of(relay_app, "POS-1001")
    assert relay.status == "failed"
    # relay_max_attempts (4) in the test settings, then the confirming send.
    assert relay.attempts == 5
    assert relay.last_error is not None
    assert relay.last_error.startswith("Gave up after 5 attempts")


def test_backoff_grows_and_stays_within_its_cap(relay_app: Flask) -> None:
    """SEC-29: backoff grows and stays within its cap."""
    from portal.config import RelaySettings

    with fast_worker(
        relay_app,
        settings=RelaySettings(backoff_seconds=30, backoff_cap_seconds=3600),
        jitter=lambda: 1.0,
    ) as worker:
        waits = [worker.backoff(n) for n in range(1, 10)]
    assert waits[:4] == [30, 60, 120, 240]
    assert max(waits) == 3600
    with fast_worker(
        relay_app, settings=RelaySettings(backoff_seconds=30), jitter=lambda: 0.0
    ) as worker:
        assert worker.backoff(1) == 15  # jitter spreads retries over the upper half


def test_poison_order_fails_with_pongo_field_errors_and_others_go_through(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """SEC-30: poison order fails with pongo field errors and others go through."""
    api.order(order_body("GOOD-1"))
    api.order(order_body("BAD"))
    api.order(order_body("GOOD-2"))
    # The store was deleted at Pongo after the order was taken: Pongo refuses it (422).
    with relay_app.app_context():
        from portal.models.orders import Order

        db.session.execute(
            update(Order)
            .where(Order.order_ref == "BAD")
            .values(payload={**order_payload(relay_app, "BAD"), "loyalty_store_slug": "gone"})
        )
        db.session.commit()
    drain(relay_app)
    bad = relay_of(relay_app, "BAD")
    assert bad.status == "failed"
    assert bad.attempts == 1
    assert bad.last_error is not None
    assert "loyalty_store_slug: The selected loyalty store slug is invalid." in bad.last_error
    assert relay_of(relay_app, "GOOD-1").status == "delivered"
    assert relay_of(relay_app, "GOOD-2").status == "delivered"


def order_payload(app: Flask, ref: str) -> dict[str, object]:
    from sqlalchemy import select

    from portal.models.orders import Order

    with app.app_context():
        payload = db.session.scalar(select(Order.payload).where(Order.order_ref == ref))
        assert payload is not None
        return dict(payload)


def test_revoked_token_pauses_orders_and_reconnecting_resumes_them(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    api.order(order_body("A"))
    api.order(order_body("B"))
    revoke_token(pongo)
    with fast_worker(relay_app) as worker:
        worker.drain()
        for ref in ("A", "B"):
            paused = relay_of(relay_app, ref)
            assert (paused.status, paused.attempts) == ("paused", 0)
        # Orders keep arriving while paused; they wait too.
        assert api.order(order_body("C")).json["status"] == "paused"
        assert len(worker.drain()) == 0
        # One 401 at most: the others were paused without calling Pongo.
        assert order_calls(pongo) == 1  # the one 401
        connect_merchant(client, pongo)
        worker.drain()
    for ref in ("A", "B", "C"):
        assert relay_of(relay_app, ref).status == "delivered"
    assert len(created_at_pongo(pongo)) == 3


def make_due(app: Flask) -> None:
    """Move every pending order's next try to now, as if its wait had passed."""
    with app.app_context():
        db.session.execute(
            update(OrderRelay)
            .where(OrderRelay.status == "pending")
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def test_circuit_breaker_opens_fails_fast_and_half_opens_with_one_trial(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """SEC-31: circuit breaker opens fails fast and half opens with one trial."""
    for n in range(6):
        api.order(order_body(f"O-{n}"))
    # Two sends' worth of 503s (the client itself tries each send four times).
    fault(pongo, status=503, count=8)
    seconds = [0.0]
    breaker = CircuitBreaker(failure_threshold=2, reset_timeout=30, clock=lambda: seconds[0])
    with fast_worker(relay_app, breaker=breaker) as worker:
        assert len(worker.run_once()) == 6
        assert breaker.state is BreakerState.OPEN
        assert order_calls(pongo) == 8  # the four other orders were deferred without HTTP
        attempts = [relay_of(relay_app, f"O-{n}").attempts for n in range(6)]
        assert attempts == [1, 1, 0, 0, 0, 0]
        assert len(worker.run_once()) == 0  # open: nothing claimed
        assert order_calls(pongo) == 8
        seconds[0] = 31.0
        make_due(relay_app)  # the deferred orders' 30 s have passed too
        assert breaker.state is BreakerState.HALF_OPEN
        assert len(worker.run_once()) == 1  # one trial order
        assert breaker.state is BreakerState.CLOSED
        worker.drain()
    assert all(relay_of(relay_app, f"O-{n}").status == "delivered" for n in range(6))
    assert len(created_at_pongo(pongo)) == 6


def test_relay_worker_verb_sends_what_is_due_and_exits(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    api.order(order_body())
    result = relay_app.test_cli_runner().invoke(args=["relay-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 order(s) handled" in result.output
    assert relay_of(relay_app, "POS-1001").status == "delivered"


def test_worker_thread_delivers_until_stopped(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    import threading

    from portal.orders.relay import run_worker

    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(relay_app, stop, 0.05))
    thread.start()
    try:
        api.order(order_body())
        for _ in range(100):
            if relay_of(relay_app, "POS-1001").status == "delivered":
                break
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert relay_of(relay_app, "POS-1001").status == "delivered"
