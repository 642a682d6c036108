"""Products page over 50,000 products: searches through the whole stack beside their limit.

Each page figure is printed beside a limit measured in the same run: rendering the page's
template from precomputed data. The page's size is printed too (it must stay under 100 KB).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import g
from sqlalchemy import select

from bench.common import bench_app, median_ms, pos_merchant
from portal.extensions import db
from portal.models.merchant import Merchant
from portal.products.composer import Selection
from portal.products.services import parse_filters, products_page
from portal.products.views import render_page
from tests.helpers.launch import launch

PRODUCTS = 50_000
LIMIT_KB = 100
NOUNS = ("Croissant", "Éclair", "Café", "Thé", "Crème", "Tarte", "Menu", "Salade", "Pizza")
KINDS = ("nature", "au chocolat", "glacé", "végétarien", "brûlée", "géant", "du jour")
PREFIXES = ("BAK", "DRK", "SAN", "PIZ", "DES", "MEN", "SAL", "CAF")
SEARCHES = {
    "whole catalogue, first page": {},
    "name prefix, accents folded (“eclair glac”)": {"q": "eclair glac"},
    "SKU with punctuation (“PIZ-01235”)": {"q": "PIZ-01235"},
    "rare word (“12345”)": {"q": "12345"},
    "paid options at one location, page 3": {"paid": "1", "location": "L3", "page": "3"},
    "used by no reward, with a selection": {"usage": "unused", "sel": ["CAF-00007", "BAK-00008"]},
}


def catalogue(rng: random.Random) -> list[dict[str, Any]]:
    """50,000 products as the POS sends them: prices, paid options, some sold locally."""
    return [
        {
            "ref": f"P{n}",
            "sku": f"{PREFIXES[n % len(PREFIXES)]}-{n:05d}",
            "name": f"{rng.choice(NOUNS)} {rng.choice(KINDS)} {n}",
            "price_cents": rng.randrange(100, 2500),
            "has_paid_options": rng.random() < 0.1,
            "location_refs": [f"L{rng.randrange(20)}"] if rng.random() < 0.3 else None,
        }
        for n in range(PRODUCTS)
    ]


def main() -> None:
    """Load the catalogue, then time each search page beside the template alone."""
    rng = random.Random(20261130)  # noqa: S311 -- fixed seed for repeatable test data
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(f"sqlite:///{folder}/products.db")
        api = pos_merchant(app)
        client = api.client
        locations = [{"ref": f"L{n}", "name": f"Boutique {n}"} for n in range(20)]
        api.put("/merchants/BIG/locations", {"locations": locations})
        started = time.perf_counter()
        answer = api.put("/merchants/BIG/products", {"products": catalogue(rng)})
        push = time.perf_counter() - started
        assert answer.status_code == 200, answer.text
        launch(client, merchant_ref="BIG", merchant_name="Big chain")
        print(f"products page, {PRODUCTS:,} products (catalogue push: {push:.1f} s)")
        for label, args in SEARCHES.items():
            response = client.get("/products", query_string=args)
            assert response.status_code == 200
            page = median_ms(lambda args=args: client.get("/products", query_string=args), 10)
            with app.test_request_context("/products"):
                merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "BIG"))
                assert merchant is not None
                g.merchant, g.user = merchant, {}
                plain = {k: v for k, v in args.items() if isinstance(v, str)}
                listing = products_page(
                    merchant=merchant,
                    filters=parse_filters(plain),
                    page=int(plain.get("page", "1")),
                    selection=Selection(skus=tuple(args.get("sel", ()))),
                )
                render = median_ms(lambda listing=listing: render_page(listing), 10)
            size = len(response.data) / 1024
            verdict = "ok" if size < LIMIT_KB else f"OVER {LIMIT_KB} KB"
            print(
                f"  {label}: {page:.1f} ms median, {listing.paging.total:,} found "
                f"(limit, same run: template alone {render:.1f} ms); "
                f"page {size:.0f} KB ({verdict})"
            )
        export = median_ms(lambda: client.get("/products/export.csv"), 3)
        print(f"  CSV export of the whole catalogue: {export:.0f} ms median")


if __name__ == "__main__":
    main()
