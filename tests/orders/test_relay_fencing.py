"""One sender per order: per-send leases, the database clock, confirming sends, send logs."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal import crypto
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import PongoConnection
from portal.models.orders import OrderRelay
from portal.orders.relay import LeaseTooShort, RelaySettings, RelayWorker
from tests.helpers.orders import (
    OrdersApi,
    created_at_pongo,
    drain,
    expire_leases,
    fast_worker,
    order_body,
    relay_of,
    sandbox_orders,
)
from tests.helpers.sandbox import fault, revoke_token


def ignore_idempotency_key(pongo: httpx.Client) -> None:
    """Leave Pongo's documented order_id-per-store rule as the only protection."""
    answer = pongo.post("/_sandbox/settings", json={"honour_idempotency_key": False})
    assert answer.json() == {"honour_idempotency_key": False}


def sends_per_order(pongo: httpx.Client) -> Counter[str]:
    """How many POST /v1/orders requests the sandbox received for each order_id."""
    return Counter(str(entry["body"]["order_id"]) for entry in sandbox_orders(pongo))


def answer_lost_on_first_send(
    app: Flask, api: OrdersApi, pongo: httpx.Client, **settings: float
) -> RelayWorker:
    """One order whose first send times out while Pongo still takes it (the order_id rule its
    only protection), and a worker that waits its full backoff before any second send."""
    ignore_idempotency_key(pongo)
    api.order(order_body())
    fault(pongo, delay_ms=1000, count=1)
    relay = RelaySettings(lease_seconds=60.0, backoff_cap_seconds=1.0, **settings)
    return fast_worker(app, settings=relay, deadline=0.5, read_timeout=5.0, jitter=lambda: 1.0)


def test_worker_refuses_a_lease_that_one_send_could_outlast(relay_app: Flask) -> None:
    too_short = RelaySettings(lease_seconds=6.0)
    with pytest.raises(LeaseTooShort, match="at least 7 s"):
        fast_worker(relay_app, settings=too_short, deadline=1.0)
    fast_worker(relay_app, settings=RelaySettings(lease_seconds=7.0), deadline=1.0).close()


def test_relay_worker_verb_refuses_to_start_with_a_lease_shorter_than_a_send(
    database_url: str, sandbox: object
) -> None:
    from tests.helpers.apps import make_app

    app = make_app(database_url, relay_lease_seconds=20.0)  # default deadline: 20 s
    result = app.test_cli_runner().invoke(args=["relay-worker", "--once"])
    assert result.exit_code != 0
    assert "lease must be at least 45 s" in result.output


def test_batch_slower_than_its_lease_never_sends_an_order_twice(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """Each send takes 0.5 s; one worker's batch of 16 takes 8 s against a 7 s lease, and a
    second worker claims the rows whose batch lease ran out: each order is sent once."""
    ignore_idempotency_key(pongo)
    refs = [f"S-{n}" for n in range(16)]
    for ref in refs:
        api.order(order_body(ref))
    fault(pongo, delay_ms=500, count=1000)
    settings = RelaySettings(lease_seconds=7.0, batch_size=50, max_attempts=4, backoff_seconds=0.0)
    first = fast_worker(relay_app, settings=settings, deadline=1.0, read_timeout=0.9)
    second = fast_worker(relay_app, settings=settings, deadline=1.0, read_timeout=0.9)
    claimed = first.claim(50)
    assert len(claimed) == 16

    def rival() -> None:
        # Claims whatever the first worker's lease no longer covers.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not second.drain():
            time.sleep(0.2)

    thread = threading.Thread(target=rival)
    thread.start()
    skipped = sum(1 for claim in claimed if first.process(claim) is None)
    thread.join()
    first.close()
    second.close()
    assert skipped > 0, "the second worker should have taken over part of the batch"
    assert sends_per_order(pongo) == Counter(dict.fromkeys(refs, 1))
    assert all(relay_of(relay_app, ref).status == "delivered" for ref in refs)


def test_claims_compare_due_times_on_the_database_clock(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """An order due in ten minutes by the database is not sent, whatever the worker's clock."""
    api.order(order_body())
    with relay_app.app_context():
        from portal.models.dbclock import db_now

        db.session.execute(update(OrderRelay).values(next_attempt_at=db_now(600)))
        db.session.commit()
    with fast_worker(relay_app) as worker:
        assert worker.claim(10) == []
        with relay_app.app_context():
            db.session.execute(update(OrderRelay).values(next_attempt_at=db_now(-1)))
            db.session.commit()
        [claim] = worker.claim(10)
        assert worker.take(claim)
    relay = relay_of(relay_app, "POS-1001")
    assert relay.claimed_until is not None
    lease = relay.claimed_until - utcnow()
    assert timedelta(seconds=55) < lease <= timedelta(seconds=61)  # 60 s lease in the tests


def test_send_that_timed_out_after_pongo_took_it_is_confirmed_not_failed(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """The only attempt times out while Pongo creates the order: before failing it, the
    relay sends once more, Pongo answers 202 "already processed", the order is delivered."""
    with answer_lost_on_first_send(
        relay_app, api, pongo, max_attempts=1, backoff_seconds=1.0
    ) as worker:
        worker.drain()
        relay = relay_of(relay_app, "POS-1001")
        assert relay.status == "pending"
        assert relay.confirming
        time.sleep(1.1)  # the slow request reaches Pongo meanwhile; the confirming send is due
        worker.drain()
    relay = relay_of(relay_app, "POS-1001")
    assert relay.status == "delivered"
    assert relay.pongo_answer is not None
    assert relay.pongo_answer["already_processed"]
    assert relay.attempts == 2
    assert len(created_at_pongo(pongo)) == 1


def test_4xx_to_a_resend_after_a_lost_answer_does_not_fail_a_delivered_order(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    """First send: Pongo takes the order but the answer is lost. Resend: a 422. The relay
    makes a confirming send before failing, and Pongo's 202 marks the order delivered."""
    with answer_lost_on_first_send(
        relay_app, api, pongo, max_attempts=4, backoff_seconds=0.5
    ) as worker:
        worker.drain()  # times out; the order reaches Pongo half a second later
        time.sleep(1.1)
        fault(pongo, status=422, count=1, body={"message": "The given data was invalid."})
        worker.drain()
        relay = relay_of(relay_app, "POS-1001")
        assert (relay.status, relay.confirming) == ("pending", True)
        time.sleep(1.1)
        worker.drain()
    relay = relay_of(relay_app, "POS-1001")
    assert relay.status == "delivered"
    assert relay.attempts == 3
    assert len(created_at_pongo(pongo)) == 1


def test_worker_killed_mid_send_leaves_the_order_marked_as_possibly_at_pongo(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    api.order(order_body())
    with fast_worker(relay_app) as worker:
        [claim] = worker.claim(10)
        assert worker.take(claim)
        # ...killed here, before the send's answer is recorded.
    expire_leases(relay_app)
    with fast_worker(relay_app) as rerun:
        [again] = rerun.claim(10)
        assert again.answer_lost
        assert not worker.take(claim)  # the first worker's token no longer holds the row
        assert rerun.take(again)


def test_list_and_order_page_show_the_same_number_of_attempts(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    """A pause then a delivery: two attempts on the order's page and in the list."""
    api.order(order_body())
    revoke_token(pongo)
    drain(relay_app)
    assert relay_of(relay_app, "POS-1001").status == "paused"
    with relay_app.app_context():
        db.session.execute(update(OrderRelay).values(status="pending"))
        connection = db.session.scalar(select(PongoConnection))
        assert connection is not None
        db.session.commit()
    from tests.helpers.connect import connect_merchant

    connect_merchant(client, pongo)
    drain(relay_app)
    assert relay_of(relay_app, "POS-1001").status == "delivered"
    listing = client.get("/orders").get_data(as_text=True)
    page = client.get("/orders/POS-1001").get_data(as_text=True)
    assert page.count("Sent to Pongo (attempt") == 2  # two attempts on the timeline
    row = listing[listing.index("POS-1001") :]
    row = row[: row.index("</tr>")]
    assert '<td class="numeric" data-label="Attempts">2</td>' in row


def test_relay_worker_logs_one_json_line_per_send_without_token_or_phone(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    api.order(order_body("LOG-1"))
    api.order(order_body("LOG-2"))
    result = relay_app.test_cli_runner().invoke(args=["relay-worker", "--once"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    assert sorted(line["order_ref"] for line in lines) == ["LOG-1", "LOG-2"]
    for line in lines:
        assert line["merchant"] == "M1"
        assert line["outcome"] == "delivered"
        assert line["attempt"] == 1
        assert isinstance(line["duration_ms"], int)
    with relay_app.app_context():
        stored = db.session.scalar(select(PongoConnection.access_token_encrypted))
        assert stored is not None
        token = crypto.decrypt(stored)
    assert token not in result.output
    for phone in ("33612345678", "+33 6 12 34 56 78", "12 34 56 78"):
        assert phone not in result.output
    left = logging.getLogger("portal.relay.sends").handlers
    assert not [h for h in left if type(h) is logging.StreamHandler]


def test_clearing_the_sandbox_faults_lets_orders_through_at_once(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    api.order(order_body())
    fault(pongo, status=503, count=100)
    assert pongo.delete("/_sandbox/faults").json() == {"cleared": 1}
    assert pongo.get("/_sandbox/faults").json() == []
    drain(relay_app)
    relay = relay_of(relay_app, "POS-1001")
    assert (relay.status, relay.attempts) == ("delivered", 1)


def test_sandbox_honours_idempotency_key_until_told_not_to(pongo: httpx.Client) -> None:
    assert pongo.get("/_sandbox/settings").json() == {"honour_idempotency_key": True}
    refused = pongo.post("/_sandbox/settings", json={"honour_idempotency_key": "no"})
    assert refused.status_code == 422
    ignore_idempotency_key(pongo)
    assert pongo.post("/_sandbox/reset").is_success
    assert pongo.get("/_sandbox/settings").json() == {"honour_idempotency_key": True}
