"""Locations page with 1,000 locations x 1,000 stores, and the 50,000-product catalogue PUT.

Each figure is printed beside a limit measured in the same run: the page beside rendering
its template from precomputed data, the PUT beside a raw bulk insert of the same rows.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template
from sqlalchemy import insert, select

from bench.common import bench_app, median_ms, pos_merchant
from portal.extensions import db
from portal.locations import markup
from portal.locations.forms import AcceptForm, LinksForm
from portal.locations.pages import locations_page
from portal.models.base import utcnow
from portal.models.locations import PongoStore, StoreSync
from portal.models.merchant import Merchant
from portal.models.products import Product
from tests.helpers.launch import launch

SIZE = 1_000
PRODUCTS = 50_000
CITIES = ("Paris", "Lyon", "Marseille", "Lille", "Nantes", "Bordeaux")


def bench_page(folder: str) -> None:
    """GET /locations through the whole stack, beside rendering its template alone."""
    app = bench_app(f"sqlite:///{folder}/page.db")
    api = pos_merchant(app)
    client = api.client
    sites = [
        {
            "ref": f"L{n:04d}",
            "name": f"Boulangerie {n}",
            "address": f"{n} rue de la Paix",
            "city": CITIES[n % 6],
            "postal_code": f"{75000 + n % 20}",
        }
        for n in range(SIZE)
    ]
    api.put("/merchants/BIG/locations", {"locations": sites})
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "BIG"))
        assert merchant is not None
        db.session.add_all(
            PongoStore(
                merchant_id=merchant.id,
                slug=f"store-{n}",
                name=f"Lumière {n}",
                address=f"{n} r. de la Paix",
                city=CITIES[n % 6],
                postal_code=f"{75000 + n % 20}",
            )
            for n in range(SIZE)
        )
        db.session.add(StoreSync(merchant_id=merchant.id, store_count=SIZE))
        db.session.commit()
    launch(client, merchant_ref="BIG", merchant_name="Big chain")
    answer = client.get("/locations")
    assert answer.status_code == 200
    page = median_ms(lambda: client.get("/locations"), 10)
    with app.test_request_context("/locations"):
        from flask import g

        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "BIG"))
        g.merchant = merchant
        listing = locations_page(merchant=merchant)
        context: dict[str, Any] = {
            "listing": listing,
            "errors": {},
            "tablet_errors": {},
            "typed_tablets": {},
            "link_rows": markup.link_rows,
            "version_fields": markup.version_fields,
            "links_form": LinksForm(meta={"csrf": False}),
            "accept_form": AcceptForm(meta={"csrf": False}),
        }
        render = median_ms(lambda: render_template("locations/index.html", **context), 10)
        data = median_ms(lambda: locations_page(merchant=merchant), 10)
    print(
        f"locations page, {SIZE:,} locations x {SIZE:,} stores, 50 rows: "
        f"{page:.0f} ms median, {len(answer.data) / 1e6:.2f} MB of HTML "
        f"(limit, same run: template alone {render:.0f} ms; page data alone {data:.0f} ms)"
    )


def catalogue() -> list[dict[str, Any]]:
    """50,000 products as the POS sends them."""
    return [
        {
            "sku": f"SKU-{n:06d}",
            "name": f"Product {n}",
            "price_cents": n % 5000,
            "category": "Bench",
        }
        for n in range(PRODUCTS)
    ]


def bench_products(folder: str) -> None:
    """PUT of 50,000 products (time, peak memory) beside a raw bulk insert of the same rows."""
    app = bench_app(f"sqlite:///{folder}/products.db")
    with app.app_context():
        raw_merchant = Merchant(ref="RAW", name="Raw")
        db.session.add(raw_merchant)
        db.session.commit()
        raw_id = raw_merchant.id
    api = pos_merchant(app, "BIG", "Big")
    client = api.client
    headers = {"Authorization": f"Bearer {api.key}"}
    body = {"products": catalogue()}
    import json

    raw_body = json.dumps(body).encode()
    del body
    api.put("/merchants/TRACED", {"name": "Traced"})

    def put(ref: str) -> Any:
        return client.put(
            f"/api/v1/merchants/{ref}/products",
            data=raw_body,
            headers={**headers, "Content-Type": "application/json"},
        )

    gc.collect()
    start = time.perf_counter()
    answer = put("BIG")
    put_ms = (time.perf_counter() - start) * 1000
    assert answer.status_code == 200, answer.text
    start = time.perf_counter()
    again = put("BIG")
    repeat_ms = (time.perf_counter() - start) * 1000
    assert again.json == {"created": 0, "updated": 0, "archived": 0, "unchanged": PRODUCTS}
    # Memory is measured on a second merchant: tracemalloc slows everything it traces.
    gc.collect()
    tracemalloc.start()
    put("TRACED")
    _, put_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    def rows(merchant_id: int) -> list[dict[str, Any]]:
        return [
            {
                "merchant_id": merchant_id,
                "ref": p["sku"],
                "updated_at": utcnow(),
                "has_paid_options": False,
                **p,
            }
            for p in catalogue()
        ]

    with app.app_context():
        other = Merchant(ref="RAW2", name="Raw 2")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
        gc.collect()
        start = time.perf_counter()
        db.session.execute(insert(Product.__table__), rows(raw_id))  # type: ignore[arg-type]
        db.session.commit()
        raw_ms = (time.perf_counter() - start) * 1000
        gc.collect()
        tracemalloc.start()
        db.session.execute(insert(Product.__table__), rows(other_id))  # type: ignore[arg-type]
        db.session.commit()
        _, raw_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(
        f"PUT {PRODUCTS:,} products: {put_ms:.0f} ms, peak {put_peak / 1e6:.0f} MB traced; "
        f"same PUT repeated (no change): {repeat_ms:.0f} ms; body {len(raw_body) / 1e6:.1f} MB "
        f"(limit, same run: raw bulk insert {raw_ms:.0f} ms, peak {raw_peak / 1e6:.0f} MB)"
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        bench_page(folder)
        bench_products(folder)
