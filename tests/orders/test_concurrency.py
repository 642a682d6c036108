"""Several workers on PostgreSQL: every order delivered exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.config import RelaySettings
from portal.extensions import db
from portal.models.orders import OrderRelay, RelayAttempt
from portal.sandbox.server import RunningSandbox
from tests.helpers.api import new_key
from tests.helpers.apps import make_app
from tests.helpers.connect import connect_merchant
from tests.helpers.databases import POSTGRES_URL, private_schema
from tests.helpers.orders import (
    LOCATIONS,
    RELAY_TEST_SETTINGS,
    OrdersApi,
    add_orders,
    fast_worker,
    link_locations,
    sandbox_orders,
)

ORDERS = 500

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="several workers need PostgreSQL (SKIP LOCKED); set PORTAL_TEST_DATABASE_URL",
)


@pytest.fixture
def pg_app(sandbox: RunningSandbox) -> Iterator[Flask]:
    with private_schema() as url:
        app = make_app(url, pongo_base_url=sandbox.url, **RELAY_TEST_SETTINGS)
        yield app
        with app.app_context():
            db.engine.dispose()


def test_two_workers_deliver_each_of_500_orders_exactly_once(
    pg_app: Flask, pongo: httpx.Client
) -> None:
    """SEC-30: two workers deliver each of 500 orders exactly once."""
    client = pg_app.test_client()
    connect_merchant(client, pongo)
    api = OrdersApi(pg_app.test_client(), new_key(pg_app))
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    link_locations(pg_app)
    add_orders(pg_app, [f"P-{n}" for n in range(ORDERS)])

    settings = RelaySettings(batch_size=7, lease_seconds=60, max_attempts=3)
    workers = [fast_worker(pg_app, settings=settings, name=f"w{i}") for i in range(2)]
    start = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            start.wait()
            workers[index].drain()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for worker in workers:
        worker.close()
    assert errors == []

    received = Counter(entry["body"]["order_id"] for entry in sandbox_orders(pongo))
    assert len(received) == ORDERS
    assert set(received.values()) == {1}  # never sent twice
    with pg_app.app_context():
        statuses = dict(
            db.session.execute(
                select(OrderRelay.status, func.count()).group_by(OrderRelay.status)
            ).all()
        )
        by_worker = dict(
            db.session.execute(
                select(RelayAttempt.worker, func.count()).group_by(RelayAttempt.worker)
            ).all()
        )
    assert statuses == {"delivered": ORDERS}
    assert sum(by_worker.values()) == ORDERS
