"""PUT products: the full catalogue in bulk, shared SKUs, archive semantics, 50,000 rows."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.models.products import Product
from tests.helpers.api import Api


def catalogue(count: int, *, name: str = "Item", start: int = 0) -> dict[str, Any]:
    """A products body of `count` rows."""
    return {
        "products": [
            {"sku": f"SKU-{n:06d}", "name": f"{name} {n}", "price_cents": n % 5000}
            for n in range(start, start + count)
        ]
    }


def counts(app: Flask) -> tuple[int, int]:
    """(active, archived) products in the database; the merchant's kept count must agree."""
    with app.app_context():
        kept = db.session.scalar(select(Merchant.active_products).where(Merchant.ref == "M1"))
        total = db.session.scalar(select(func.count()).select_from(Product)) or 0
        archived = (
            db.session.scalar(
                select(func.count()).select_from(Product).where(Product.archived_at.is_not(None))
            )
            or 0
        )
    assert kept == total - archived
    return total - archived, archived


def test_ref_defaults_to_sku_and_two_products_may_share_a_sku(
    merchant_api: Api, app: Flask
) -> None:
    body = {
        "products": [
            {"sku": "BAK-012", "name": "Éclair", "has_paid_options": True},
            {"ref": "BAK-012-XL", "sku": "BAK-012", "name": "Giant éclair"},
            {"sku": "CAF-001", "name": "Café", "location_refs": ["L1"]},
        ]
    }
    answer = merchant_api.put("/merchants/M1/products", body)
    assert answer.json == {"created": 3, "updated": 0, "archived": 0, "unchanged": 0}
    with app.app_context():
        rows = db.session.execute(
            select(
                Product.ref, Product.sku, Product.has_paid_options, Product.location_refs
            ).order_by(Product.ref)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("BAK-012", "BAK-012", True, None),
        ("BAK-012-XL", "BAK-012", False, None),
        ("CAF-001", "CAF-001", False, ["L1"]),
    ]


def test_products_left_out_are_archived_changed_ones_updated(merchant_api: Api, app: Flask) -> None:
    merchant_api.put("/merchants/M1/products", catalogue(5))
    body = catalogue(4)
    body["products"][0]["name"] = "Renamed"
    answer = merchant_api.put("/merchants/M1/products", body)
    assert answer.json == {"created": 0, "updated": 1, "archived": 1, "unchanged": 3}
    assert counts(app) == (4, 1)
    back = merchant_api.put("/merchants/M1/products", catalogue(5))
    assert back.json == {"created": 0, "updated": 2, "archived": 0, "unchanged": 3}
    assert counts(app) == (5, 0)


def test_duplicate_product_refs_and_bad_fields_write_nothing(merchant_api: Api, app: Flask) -> None:
    merchant_api.put("/merchants/M1/products", catalogue(3))
    body = catalogue(3)
    body["products"].append({"sku": "SKU-000000", "name": "Again"})
    answer = merchant_api.put("/merchants/M1/products", body)
    assert answer.status_code == 422
    assert answer.json["errors"][0]["path"] == "products.3.ref"
    bad = merchant_api.put(
        "/merchants/M1/products",
        {"products": [{"sku": "X", "name": "X", "price_cents": -1}, {"name": "no sku"}]},
    )
    assert sorted(e["path"] for e in bad.json["errors"]) == [
        "products.0.price_cents",
        "products.1.sku",
    ]
    assert counts(app) == (3, 0)


def test_fifty_thousand_products_in_one_request(merchant_api: Api, app: Flask) -> None:
    started = time.perf_counter()
    first = merchant_api.put("/merchants/M1/products", catalogue(50_000))
    assert first.status_code == 200, first.text
    assert first.json == {"created": 50_000, "updated": 0, "archived": 0, "unchanged": 0}
    # Half renamed, a thousand dropped, a thousand new.
    body = catalogue(50_000, start=1_000)
    for product in body["products"][:24_000]:
        product["name"] += " v2"
    second = merchant_api.put("/merchants/M1/products", body)
    assert second.json == {
        "created": 1_000,
        "updated": 24_000,
        "archived": 1_000,
        "unchanged": 25_000,
    }
    assert counts(app) == (50_000, 1_000)
    assert time.perf_counter() - started < 60
