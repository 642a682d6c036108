"""Order relay throughput: orders accepted per second by the API, delivered per second to a
sandbox by one worker (SQLite) and by two workers (PostgreSQL, when configured).

The sandbox runs in its own process, so the CPU time per order is the portal's alone.
Set PORTAL_BENCH_DATABASE_URL (postgresql+psycopg://...) for the two-worker figure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from flask import Flask
from sqlalchemy import create_engine, select, text

from portal import create_app
from portal.api.keys import create_key
from portal.api.orders import accept
from portal.api.schemas import OrderIn
from portal.extensions import db
from portal.models.merchant import Merchant
from portal.orders.relay import RelayWorker
from tests.conftest import TEST_SETTINGS, connect_merchant
from tests.orders.conftest import LOCATIONS, link_locations, order_body

ACCEPTED = 1_000
DELIVERED = 300
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def sandbox_process() -> Iterator[str]:
    """The Pongo sandbox in a child process, with its test controls."""
    port = free_port()
    portal = str(Path(sys.executable).parent / "portal")
    child = subprocess.Popen(
        [portal, "sandbox", "--port", str(port), "--controls"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url + "/_sandbox/orders", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        yield url
    finally:
        child.terminate()
        child.wait(timeout=10)


def portal_app(database_url: str, sandbox_url: str) -> Flask:
    """The portal on a fresh database, talking to the sandbox."""
    app = create_app({**TEST_SETTINGS, "database_url": database_url, "pongo_base_url": sandbox_url})
    with app.app_context():
        db.create_all()
    return app


def ready_merchant(app: Flask, pongo: httpx.Client) -> str:
    """M1 connected to the sandbox over OAuth, with its locations linked; returns an API key."""
    with app.app_context():
        key = create_key(name="bench").plaintext
        db.session.commit()
    connect_merchant(app.test_client(), pongo)
    app.test_client().put(
        "/api/v1/merchants/M1/locations",
        json={"locations": LOCATIONS},
        headers={"Authorization": f"Bearer {key}"},
    )
    link_locations(app)
    return key


def bench_accept(app: Flask, key: str) -> None:
    """POST /orders through the whole stack."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    app.config["API_RATE_LIMIT"] = "1000000/minute"
    wall, cpu = time.perf_counter(), time.process_time()
    for n in range(ACCEPTED):
        answer = client.post(
            "/api/v1/merchants/M1/orders", json=order_body(f"A-{n}"), headers=headers
        )
        assert answer.status_code == 202, answer.get_data(as_text=True)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"API accepted {ACCEPTED} orders: {ACCEPTED / wall:.0f} orders/s, "
        f"{cpu / ACCEPTED * 1000:.2f} ms CPU per order (SQLite)"
    )


def queue_orders(app: Flask, count: int, prefix: str) -> None:
    """Put orders in the outbox directly (the API's cost is measured separately)."""
    with app.test_request_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert merchant is not None
        for n in range(count):
            accept(merchant=merchant, body=OrderIn.model_validate(order_body(f"{prefix}-{n}")))
        db.session.commit()


def bench_delivery(app: Flask, workers: int, label: str) -> None:
    """Drain the outbox with `workers` threads and report orders delivered per second."""
    queue_orders(app, DELIVERED, f"D{workers}")
    relays = [RelayWorker(app, name=f"bench-{i}") for i in range(workers)]
    wall, cpu = time.perf_counter(), time.process_time()
    handled: list[int] = []
    threads = [
        threading.Thread(target=lambda relay=relay: handled.append(relay.drain()))
        for relay in relays
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    for relay in relays:
        relay.close()
    # Everything pending is sent, including orders the API bench queued before.
    sent = sum(handled)
    print(
        f"{workers} worker(s) delivered {sent} orders: {sent / wall:.0f} orders/s, "
        f"{cpu / sent * 1000:.2f} ms CPU per order ({label})"
    )


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A private schema on the bench PostgreSQL server, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def main() -> None:
    """Every figure of this file."""
    with (
        tempfile.TemporaryDirectory() as folder,
        sandbox_process() as sandbox_url,
        httpx.Client(base_url=sandbox_url) as pongo,
    ):
        app = portal_app(f"sqlite:///{folder}/orders.db", sandbox_url)
        key = ready_merchant(app, pongo)
        bench_accept(app, key)
        bench_delivery(app, 1, "SQLite, one worker as documented")
        with app.app_context():
            db.engine.dispose()
        pg_url = os.environ.get("PORTAL_BENCH_DATABASE_URL", "")
        if not pg_url:
            print("2 workers: skipped (set PORTAL_BENCH_DATABASE_URL to a PostgreSQL URL)")
            return
        with postgres_schema(pg_url) as url:
            pg_app = portal_app(url, sandbox_url)
            pongo.post("/_sandbox/reset")
            ready_merchant(pg_app, pongo)
            bench_delivery(pg_app, 1, "PostgreSQL")
            bench_delivery(pg_app, 2, "PostgreSQL")
            with pg_app.app_context():
                db.engine.dispose()


if __name__ == "__main__":
    main()
