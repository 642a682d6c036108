"""What every benchmark shares: one way to time, one way to seed a merchant."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import select, text

from portal import create_app
from portal.audit.actor import SYSTEM
from portal.extensions import db
from portal.locations.operations import RowEdit, save_links
from portal.models.locations import Location
from portal.models.merchant import Merchant
from tests.helpers.api import Api, new_key
from tests.helpers.settings import TEST_SETTINGS


def median_ms(
    action: Callable[[], object], runs: int, before: Callable[[], object] = gc.collect
) -> float:
    """Median wall time of `action` in milliseconds, `before` run untimed before each sample."""
    samples = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_app(database_url: str, **settings: Any) -> Flask:
    """A portal with the test settings on an empty database, tables created."""
    app = create_app({**TEST_SETTINGS, "database_url": database_url, **settings})
    with app.app_context():
        db.create_all()
    return app


def vacuum(app: Flask) -> None:
    """On PostgreSQL, what autovacuum does soon after a load: VACUUM ANALYZE the portal's tables.

    Without statistics the planner takes nested loops for the location counts (~200 ms
    instead of ~5 ms); without the visibility map the counts kept in indexes (orders by
    status) read every counted row as well.
    """
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(db.metadata.tables)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f"VACUUM (ANALYZE) {tables}"))
        db.engine.dispose()


def pos_merchant(app: Flask, ref: str = "BIG", name: str = "Big chain") -> Api:
    """A merchant created through the POS API; returns that API, its client used for pages."""
    api = Api(app.test_client(), new_key(app, name="bench"))
    assert api.put(f"/merchants/{ref}", {"name": name}).status_code in (200, 201)
    return api


def link_location(merchant: Merchant, ref: str, store: str | None) -> None:
    """Link one location as the Locations page saves it: drawn as it is now, set to `store`."""
    location = db.session.scalar(
        select(Location).where(Location.merchant_id == merchant.id, Location.ref == ref)
    )
    assert location is not None
    edit = RowEdit(choice=store, drawn=location.store_slug, version=location.link_version)
    save_links(merchant=merchant, edits={ref: edit}, actor=SYSTEM)


def yardstick() -> float:
    """Time a fixed loop so figures from different machines can be compared."""
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        sum(range(10**6))
        timings.append(time.perf_counter() - start)
    return min(timings)


def reward_tokens(rng: random.Random, skus: list[str], count: int) -> list[str]:
    """One reward's items: matched SKUs, typos, other partners' codes, as merchants type them."""
    tokens = []
    for _ in range(count):
        sku = rng.choice(skus)
        roll = rng.random()
        if roll < 0.5:
            tokens.append(sku)
        elif roll < 0.6:
            tokens.append(sku.lower().replace("-", " "))
        elif roll < 0.7:
            tokens.append("Q" + sku[1:])
        else:
            tokens.append(f"ZLT-{rng.randrange(100_000):05d}")
    return tokens
