"""Events reach a real HTTP receiver: signed, in order, coalesced, again after it was down."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from portal import config
from portal.demo.receiver import PATH, Inbox, start_receiver
from portal.extensions import db
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.pos_events import PosEvent
from portal.pos_status.signature import verify
from portal.pos_status.worker import PosEventWorker, start_beside
from portal.sandbox.server import RunningSandbox
from tests.helpers.apps import make_app
from tests.helpers.orders import (
    RELAY_TEST_SETTINGS,
    OrdersApi,
    drain,
    order_body,
    relay_of,
)
from tests.helpers.ports import free_port
from tests.helpers.sandbox import revoke_token
from tests.helpers.staff import AGENT, add_staff, sign_in

SECRET = "whsec_0123456789abcdef0123456789"
TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture
def port() -> int:
    """The receiver's port, kept across its restarts."""
    return free_port()


@pytest.fixture
def inbox(port: int) -> Iterator[Inbox]:
    """What a receiver listening on `port` for the whole test got."""
    running, inbox = start_receiver(SECRET, port=port)
    yield inbox
    running.close()


@pytest.fixture
def relay_app(database_url: str, sandbox: RunningSandbox, port: int) -> Iterator[Flask]:
    """The portal with its relay test settings, announcing to the receiver's port."""
    app = make_app(
        database_url,
        pongo_base_url=sandbox.url,
        metrics_token=TOKEN,
        pos_events_url=f"http://127.0.0.1:{port}{PATH}",
        pos_events_secret=SECRET,
        pos_events_window_seconds=0.0,
        pos_events_check_seconds=0.0,
        pos_events_backoff_seconds=0.2,
        pos_events_backoff_cap_seconds=0.2,
        pos_events_timeout_seconds=2.0,
        **RELAY_TEST_SETTINGS,
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def events_worker(app: Flask, **changes: Any) -> PosEventWorker:
    """A worker whose backoff is its ceiling (no jitter), with settings changed as asked."""
    settings = config.of(app).pos_events
    if changes:
        from dataclasses import replace

        settings = replace(settings, **changes)
    return PosEventWorker(app, settings=settings, jitter=lambda: 1.0)


@pytest.fixture
def reject_token(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> Callable[..., None]:
    """Pongo refuses M1's token; the relay pauses the orders sent then (one unless told)."""

    def rejecting(orders: int = 1) -> None:
        revoke_token(pongo)
        for n in range(orders):
            assert api.order(order_body(f"R-{n}")).status_code == 202
        drain(relay_app)

    return rejecting


def set_connection(app: Flask, status: str) -> None:
    with app.app_context():
        db.session.execute(update(PongoConnection).values(status=status))
        db.session.commit()


def outbox(app: Flask) -> list[PosEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(PosEvent).order_by(PosEvent.id)))
        db.session.expunge_all()
        return rows


def samples(app: Flask) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = app.test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text.get_data(as_text=True))
        for sample in family.samples
    }


def sends(app: Flask, outcome: str) -> float:
    return samples(app).get(("portal_pos_events_total", (("outcome", outcome),)), 0.0)


def test_a_rejected_token_reaches_the_receiver_as_one_signed_event(
    reject_token: Callable[..., None], relay_app: Flask, inbox: Inbox
) -> None:
    with events_worker(relay_app) as worker:
        worker.drain()  # the merchant's first summary: the baseline, nothing sent
        assert inbox.listed() == []
        reject_token(orders=2)
        delivered_before = sends(relay_app, "delivered")
        worker.drain()
    [got] = inbox.listed()
    assert got.deliveries == 1
    assert inbox.refused == 0  # the receiver checked the signature
    event = got.event
    assert event["type"] == "merchant.status_changed"
    assert event["merchant"] == "M1"
    assert event["id"].startswith("evt_")
    assert event["summary"]["connection"] == "needs_reconnection"
    assert event["summary"]["orders_waiting"] == 2
    assert event["summary"]["changed_at"] == event["occurred_at"]
    assert sends(relay_app, "delivered") - delivered_before == 1
    assert samples(relay_app)[("portal_pos_events_pending", ())] == 0


def test_the_signature_covers_the_exact_bytes_received(
    reject_token: Callable[..., None], relay_app: Flask, port: int
) -> None:
    seen: list[tuple[str, bytes]] = []
    # A receiver written the simple way, outside the portal's code, keeps what arrives.
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    @Request.application
    def keep(request: Request) -> Response:
        seen.append((request.headers["Portal-Signature"], request.get_data()))
        return Response(status=204)

    server = make_server("127.0.0.1", port, keep)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with events_worker(relay_app) as worker:
            worker.drain()
            reject_token()
            worker.drain()
    finally:
        server.shutdown()
        thread.join(5)
    [(header, body)] = seen
    assert verify(SECRET, header, body, now=time.time()) > 0
    assert b'"merchant":"M1"' in body


def test_a_receiver_down_for_a_while_gets_the_event_later_with_the_same_id(
    reject_token: Callable[..., None], relay_app: Flask, port: int
) -> None:
    with events_worker(relay_app) as worker:
        worker.drain()
        reject_token()
        retries_before = sends(relay_app, "retry")
        # Nothing listens on the port: the first send is refused.
        assert worker.run_once() != []
        [waiting] = outbox(relay_app)
        assert (waiting.status, waiting.attempts) == ("pending", 1)
        assert waiting.body is not None
        assert sends(relay_app, "retry") - retries_before == 1
        assert samples(relay_app)[("portal_pos_events_pending", ())] == 1
        # Support sees the event waiting, with why.
        add_staff(relay_app, AGENT)
        support = relay_app.test_client()
        assert sign_in(support).status_code == 302
        page = support.get("/support/merchants/M1").get_data(as_text=True)
        assert waiting.event_id in page
        assert "Retrying" in page
        assert "ConnectError" in page
        # The receiver comes back.
        running, inbox = start_receiver(SECRET, port=port)
        try:
            time.sleep(0.3)  # the backoff
            worker.drain()
        finally:
            running.close()
    [got] = inbox.listed()
    assert got.event["id"] == waiting.event_id
    [delivered] = outbox(relay_app)
    assert (delivered.status, delivered.attempts, delivered.body) == (
        "delivered",
        2,
        waiting.body,
    )
    page = support.get("/support/merchants/M1").get_data(as_text=True)
    assert "Received by the POS" in page


def test_an_answer_lost_brings_the_same_event_again(
    reject_token: Callable[..., None], relay_app: Flask, inbox: Inbox
) -> None:
    with events_worker(relay_app) as worker:
        worker.drain()
        reject_token()
        inbox.lose_answers = 1
        worker.drain()
        [first] = inbox.listed()
        body_before = dict(first.event)
        time.sleep(0.3)
        worker.drain()
    [again] = inbox.listed()
    assert again.deliveries == 2
    assert again.event == body_before


def test_a_merchants_events_arrive_in_order_after_the_receiver_was_down(
    reject_token: Callable[..., None], relay_app: Flask, port: int
) -> None:
    with events_worker(relay_app) as worker:
        worker.drain()
        reject_token()
        worker.run_once()  # refused: nothing listens yet
        # The merchant reconnects meanwhile: a second event, due before the first's retry.
        set_connection(relay_app, ConnectionStatus.CONNECTED)
        worker.watch_due()
        first, second = outbox(relay_app)
        assert second.next_attempt_at < first.next_attempt_at
        time.sleep(0.3)
        running, inbox = start_receiver(SECRET, port=port)
        try:
            worker.drain()
        finally:
            running.close()
    got = [r.event for r in reversed(inbox.listed())]  # arrival order
    assert [e["summary"]["connection"] for e in got] == ["needs_reconnection", "connected"]
    assert [e["id"] for e in got] == [e.event_id for e in outbox(relay_app)]


def test_changes_inside_the_window_coalesce_into_one_event_with_the_latest_summary(
    reject_token: Callable[..., None], api: OrdersApi, relay_app: Flask, inbox: Inbox
) -> None:
    with events_worker(relay_app, window_seconds=1.0) as worker:
        worker.drain()
        reject_token(orders=1)
        worker.drain()  # opens the event; due in a second
        assert api.order(order_body("LATER")).status_code == 202  # paused at once
        worker.drain()  # the second change rewrites the open event
        assert inbox.listed() == []
        assert len(outbox(relay_app)) == 1
        time.sleep(1.1)
        worker.drain()
    [got] = inbox.listed()
    assert got.event["summary"]["orders_waiting"] == 2


def test_a_dead_receiver_never_delays_an_order(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client, port: int
) -> None:
    # A receiver that takes connections and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", port))
    silent.listen(16)
    stop = threading.Event()
    try:
        with events_worker(relay_app) as worker:
            worker.drain()
        set_connection(relay_app, ConnectionStatus.NEEDS_RECONNECTION)
        thread = start_beside(relay_app, stop, interval=0.05)
        time.sleep(0.3)  # the events worker is now waiting on the silent receiver
        set_connection(relay_app, ConnectionStatus.CONNECTED)
        started = time.monotonic()
        assert api.order(order_body("FAST")).status_code == 202
        drain(relay_app)
        assert relay_of(relay_app, "FAST").status == "delivered"
        assert time.monotonic() - started < 1.5  # well under the receiver's 2 s timeout
    finally:
        stop.set()
        silent.close()
    thread.join(5)


def test_relay_worker_once_sends_the_due_events_too(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client, inbox: Inbox
) -> None:
    runner = relay_app.test_cli_runner()
    assert runner.invoke(args=["relay-worker", "--once"]).exit_code == 0  # the baseline
    revoke_token(pongo)
    assert api.order(order_body("ONCE")).status_code == 202
    # The order is paused first, then the change is seen and sent.
    result = runner.invoke(args=["relay-worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 order(s) handled" in result.output
    [got] = inbox.listed()
    assert got.event["summary"]["connection"] == "needs_reconnection"
    assert got.event["summary"]["orders_waiting"] == 1
