"""Write throughput on PostgreSQL, and no table row that every write transaction updates.

Writers are processes, each writing orders of its own merchant for a few seconds, 1, 8 and
32 at once. Each figure is the portal's write path (the orders service in the app's session,
with the hooks the session runs in every transaction, committed) beside the same
transactions without those hooks, measured just before with as many writers: the ratio must
stay at or above MIN_RATIO. The same rows inserted bare (two INSERTs in one transaction) are
printed too, for reference: that ratio is the service's own work per order (reading the key,
the merchant and the location, checking the body), on this machine's cores.

Then every kind of write of the portal that the bench can make (an order through the POS
API, a merchant renamed, a link saved, a product list sent) runs once for different
merchants, and the rows each transaction updated are read from PostgreSQL's `xmin`: no row
may be in all of them.

Needs PORTAL_BENCH_DATABASE_URL (postgresql+psycopg://...); `make bench` sets it to the local
server when that answers. Each run uses a private schema, dropped afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask
from sqlalchemy import event, insert, inspect, select, text

from bench.bench_http import database
from bench.common import link_location
from portal import create_app
from portal.api.orders import accept, body_hash
from portal.api.schemas import OrderIn
from portal.extensions import db
from portal.locations import tally
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayStatus
from portal.orders.services import new_relay_id
from tests.helpers.orders import order_body
from tests.helpers.seed import Size, api_key, seed_merchant
from tests.helpers.settings import TEST_SETTINGS

WRITERS = (1, 8, 32)
SECONDS = float(os.environ.get("PORTAL_BENCH_WRITE_SECONDS", "3"))
MIN_RATIO = 0.9
# Enough for a linked location (the first half of the locations are linked) and its orders.
TINY = Size(locations=2, stores=2, products=2, rewards=1, orders=0)
LOCATION = "L0000"


def prepare(url: str, merchants: int) -> tuple[Flask, str, list[int]]:
    """The app on `url` with `merchants` small connected merchants; returns their ids."""
    app = create_app({**TEST_SETTINGS, "database_url": url})
    with app.app_context():
        db.create_all()
    key = api_key(app)
    ids = [seed_merchant(app, key, f"W{n:02d}", TINY) for n in range(merchants)]
    with app.app_context():
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return app, key, ids


def portal_order(app: Flask, merchant_id: int, ref: str) -> Callable[[], None]:
    """One order taken by the orders service in the app's session, committed."""
    body = OrderIn.model_validate(order_body(ref, location_ref=LOCATION))

    def write() -> None:
        with app.app_context():
            merchant = db.session.get(Merchant, merchant_id)
            assert merchant is not None
            accept(merchant=merchant, body=body)
            db.session.commit()

    return write


def plain_order(app: Flask, merchant_id: int, ref: str) -> Callable[[], None]:
    """The same order taken by the same service, without the session's per-transaction hooks.

    The writers are forked processes: the hooks are taken off in the writer's process only.
    """
    taken = portal_order(app, merchant_id, ref)

    def write() -> None:
        for name, listener in tally.LISTENERS:
            if event.contains(db.session, name, listener):
                event.remove(db.session, name, listener)
        taken()

    return write


def bare_order(app: Flask, merchant_id: int, ref: str) -> Callable[[], None]:
    """The same two rows, inserted with nothing around them."""
    body = OrderIn.model_validate(order_body(ref, location_ref=LOCATION))
    payload = body.model_dump(mode="json")
    fingerprint = body_hash(body)

    def write() -> None:
        now = utcnow()
        with app.app_context(), db.engine.begin() as connection:
            order_id = connection.scalar(
                insert(Order)
                .values(
                    merchant_id=merchant_id,
                    order_ref=ref,
                    location_ref=LOCATION,
                    store_slug="store-0",
                    total_cents=body.total_cents,
                    tax_cents=body.tax_cents,
                    ordered_at=body.created_at,
                    line_count=len(body.lines),
                    payload=payload,
                    body_hash=fingerprint,
                    received_at=now,
                )
                .returning(Order.id)
            )
            connection.execute(
                insert(OrderRelay).values(
                    relay_id=new_relay_id(),
                    order_id=order_id,
                    merchant_id=merchant_id,
                    status=RelayStatus.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    updated_at=now,
                )
            )

    return write


Maker = Callable[[Flask, int, str], Callable[[], None]]


def writer(app: Flask, make: Maker, merchant_id: int, tag: str, start: Any, done: Any) -> None:
    """Write orders until the time is up; put how many were written."""
    with app.app_context():
        db.engine.dispose(close=False)  # a forked child opens its own connections
    count = 0
    start.wait()
    deadline = time.perf_counter() + SECONDS
    while time.perf_counter() < deadline:
        make(app, merchant_id, f"{tag}-{count}")()
        count += 1
    done.put(count)


def throughput(app: Flask, make: Maker, merchants: list[int], tag: str) -> float:
    """Transactions per second of len(merchants) writers at once, one merchant each."""
    context = multiprocessing.get_context("fork")
    start, done = context.Event(), context.SimpleQueue()
    processes = [
        context.Process(target=writer, args=(app, make, m, f"{tag}{i}", start, done))
        for i, m in enumerate(merchants)
    ]
    for process in processes:
        process.start()
    time.sleep(0.5)
    start.set()
    for process in processes:
        process.join()
    return sum(done.get() for _ in processes) / SECONDS


def bench_throughput(app: Flask, merchants: list[int]) -> None:
    """Portal write path beside the same without its per-transaction hooks, and bare inserts."""
    with app.app_context():
        db.engine.dispose()
    for count in WRITERS:
        chosen = merchants[:count]
        bare = throughput(app, bare_order, chosen, f"b{count}-")
        # Each side twice, in turns (ABBA), the better run kept: the tables grow as the runs
        # go, and a 2-core machine's background work lands on one run or another.
        plain = throughput(app, plain_order, chosen, f"n{count}-")
        portal = throughput(app, portal_order, chosen, f"p{count}-")
        portal = max(portal, throughput(app, portal_order, chosen, f"q{count}-"))
        plain = max(plain, throughput(app, plain_order, chosen, f"m{count}-"))
        ratio = portal / plain
        mark = "ok" if ratio >= MIN_RATIO else "UNDER"
        print(
            f"  {count:2d} writer(s): portal {portal:6.0f} orders/s, without its per-transaction"
            f" hooks {plain:6.0f}/s: ratio {ratio:4.2f} (limit >= {MIN_RATIO}) [{mark}];"
            f" the two rows inserted bare {bare:6.0f}/s (the service's own work: ratio"
            f" {portal / bare:4.2f})"
        )


def versions(app: Flask) -> dict[tuple[str, str], str]:
    """Every row of every table, by table and primary key, with the transaction that wrote it."""
    seen: dict[tuple[str, str], str] = {}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            keys = ", ".join(c.name for c in table.primary_key.columns)
            if not inspect(db.engine).has_table(table.name):
                continue
            rows = db.session.execute(text(f"SELECT ({keys})::text, xmin::text FROM {table.name}"))  # noqa: S608  # names from our own metadata
            for key, xmin in rows:
                seen[(table.name, key)] = xmin
        db.session.rollback()
    return seen


def updated_by(app: Flask, write: Callable[[], None]) -> set[tuple[str, str]]:
    """The rows that existed before `write` and that it rewrote."""
    before = versions(app)
    write()
    after = versions(app)
    return {row for row, xmin in before.items() if row in after and after[row] != xmin}


def bench_shared_rows(app: Flask, key: str, merchants: list[int]) -> None:
    """Each kind of write once, for different merchants: no row may be rewritten by all."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}

    def api(method: str, path: str, body: dict[str, Any]) -> Callable[[], None]:
        def write() -> None:
            answer = client.open(path, method=method, json=body, headers=headers)
            assert answer.status_code < 300, answer.get_data(as_text=True)[:300]

        return write

    def link(merchant_id: int) -> Callable[[], None]:
        def write() -> None:
            with app.app_context():
                merchant = db.session.get(Merchant, merchant_id)
                assert merchant is not None
                link_location(merchant, "L0001", "store-1")
                db.session.commit()

        return write

    with app.app_context():
        refs = [db.session.scalar(select(Merchant.ref).where(Merchant.id == m)) for m in merchants]
    writes = {
        "order through the POS API": api(
            "POST",
            f"/api/v1/merchants/{refs[0]}/orders",
            order_body("SHARED-1", location_ref=LOCATION),
        ),
        "merchant renamed": api("PUT", f"/api/v1/merchants/{refs[1]}", {"name": "Renamed"}),
        "link saved": link(merchants[2]),
        "products sent": api(
            "PUT",
            f"/api/v1/merchants/{refs[3]}/products",
            {"products": [{"ref": "P9", "sku": "BAK-00009", "name": "Pain", "price_cents": 120}]},
        ),
    }
    common: set[tuple[str, str]] | None = None
    for name, write in writes.items():
        rewritten = updated_by(app, write)
        print(f"  {name}: {len(rewritten)} existing row(s) rewritten")
        common = rewritten if common is None else common & rewritten
    shown = ", ".join(f"{t} {k}" for t, k in sorted(common or ())) or "none"
    mark = "ok" if not common else "OVER"
    print(f"  rows rewritten by every kind of write: {shown} (limit: none) [{mark}]")


def main() -> None:
    """Prepare, measure, print; PostgreSQL only."""
    url = os.environ.get("PORTAL_BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        print("  PostgreSQL only: set PORTAL_BENCH_DATABASE_URL (make bench does when it answers)")
        return
    with database(url) as private:
        start = time.perf_counter()
        app, key, merchants = prepare(private, max(WRITERS))
        print(f"  {len(merchants)} merchants prepared in {time.perf_counter() - start:.0f} s")
        bench_throughput(app, merchants)
        bench_shared_rows(app, key, merchants)
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
