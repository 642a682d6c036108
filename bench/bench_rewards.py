"""Rewards page for 500 rewards of about 6 SKUs against 50,000 products, cold and warm index.

Each page figure is printed beside a limit measured in the same run: rendering the page's
template from precomputed data. The classification alone is timed on the cached index. The
cold rewards index (reading and indexing the catalogue, then reviewing every reward, as the
first page view after a catalogue change does) is printed beside its fixed limit.
"""

from __future__ import annotations

import gc
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import g, render_template
from sqlalchemy import select

from bench.common import bench_app, median_ms, pos_merchant, reward_tokens
from portal.audit.actor import SYSTEM
from portal.extensions import db
from portal.models.merchant import Merchant
from portal.pongo import FetchedReward
from portal.rewards.catalogue import catalogue_for, catalogue_version, index_cache, load_catalogue
from portal.rewards.checks import check_reward
from portal.rewards.entries import reward_entries
from portal.rewards.operations import refresh_rewards
from portal.rewards.pages import rewards_page
from tests.helpers.launch import launch

PRODUCTS = 50_000
REWARDS = 500
TOKENS = 6
# Reading and indexing the catalogue, then reviewing every reward, from a cold start.
COLD_INDEX_LIMIT_MS = 300
PREFIXES = ("BAK", "DRK", "SAN", "PIZ", "DES", "MEN", "SAL", "CAF")


def catalogue(rng: random.Random) -> list[dict[str, Any]]:
    """50,000 products as the POS sends them: some with paid options, some sold locally."""
    return [
        {
            "ref": f"P{n}",
            "sku": f"{PREFIXES[n % len(PREFIXES)]}-{n:05d}",
            "name": f"Produit {n}",
            "has_paid_options": rng.random() < 0.1,
            "location_refs": [f"L{rng.randrange(20)}"] if rng.random() < 0.3 else None,
        }
        for n in range(PRODUCTS)
    ]


def rewards(rng: random.Random, products: list[dict[str, Any]]) -> list[FetchedReward]:
    """Rewards mixing matched SKUs, typos, other partners' codes and blank items."""
    skus = [str(p["sku"]) for p in products]
    made = []
    for r in range(REWARDS):
        tokens = reward_tokens(rng, skus, TOKENS)
        made.append(
            FetchedReward(f"rew_{r:010d}", f"Récompense {r}", 100, " , ".join(tokens) + ",")
        )
    return made


class FixedRewards:
    """A reward source standing in for Pongo: the benchmark measures the portal, not HTTP."""

    def __init__(self, items: list[FetchedReward]) -> None:
        self.items = items

    def rewards(self) -> list[FetchedReward]:
        """The prepared rewards."""
        return self.items


def main() -> None:
    """Load the data, then time the page cold and warm beside its limits."""
    rng = random.Random(20240601)  # noqa: S311 -- fixed seed for repeatable test data
    products = catalogue(rng)
    with tempfile.TemporaryDirectory() as folder:
        app = bench_app(f"sqlite:///{folder}/rewards.db")
        api = pos_merchant(app)
        client = api.client
        answer = api.put("/merchants/BIG/products", {"products": products})
        assert answer.status_code == 200, answer.text
        with app.app_context():
            merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "BIG"))
            assert merchant is not None
            made = rewards(rng, products)
            refresh_rewards(merchant=merchant, client=FixedRewards(made), actor=SYSTEM)
            db.session.commit()
        launch(client, merchant_ref="BIG", merchant_name="Big chain")

        def cold_start() -> None:
            with app.app_context():
                index_cache().clear()
            gc.collect()

        page = client.get("/rewards")
        assert page.status_code == 200
        cold = median_ms(lambda: client.get("/rewards"), 3, before=cold_start)
        client.get("/rewards")
        warm = median_ms(lambda: client.get("/rewards"), 10)
        filtered = median_ms(lambda: client.get("/rewards?status=check&q=bak"), 10)
        csv_ms = median_ms(lambda: client.get("/rewards/export.csv"), 5)

        with app.test_request_context("/rewards"):
            merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "BIG"))
            assert merchant is not None
            g.merchant = merchant
            g.user = {}
            listing = rewards_page(merchant=merchant)
            render = median_ms(lambda: render_template("rewards/index.html", listing=listing), 10)
            data = median_ms(lambda: rewards_page(merchant=merchant), 10)
            version = median_ms(lambda: catalogue_version(merchant), 10)
            load = median_ms(lambda: load_catalogue(merchant), 3)
            index = catalogue_for(merchant).index
            inputs = [(r.public_id, r.name, r.raw_external_id) for r in made]
            classify = median_ms(lambda: [check_reward(*r, index) for r in inputs], 10)
            fresh = load_catalogue(merchant).index
            first = median_ms(lambda: [check_reward(*r, fresh) for r in inputs], 1)

            def forget_index() -> None:
                index_cache().clear()
                gc.collect()

            cold_index = median_ms(lambda: reward_entries(merchant), 5, before=forget_index)
            tokens = sum(len(entry.check.tokens) for entry in reward_entries(merchant))

    print(
        f"rewards page, {REWARDS} rewards ({tokens:,} tokens) x {PRODUCTS:,} products, "
        f"{len(page.data) / 1e6:.2f} MB of HTML:"
    )
    print(f"  warm index: {warm:.0f} ms median (filtered and searched: {filtered:.0f} ms)")
    print(f"  cold index: {cold:.0f} ms median (reading and indexing the catalogue: {load:.0f} ms)")
    print(
        f"  limit, same run: template alone {render:.0f} ms; page data alone {data:.0f} ms "
        f"(catalogue version check {version:.1f} ms)"
    )
    print(
        f"  classification alone: {classify:.1f} ms on the cached index "
        f"({first:.0f} ms the first time on a fresh index, one-edit lists sorted on demand)"
    )
    print(f"  cold rewards index: {cold_index:.0f} ms (limit {COLD_INDEX_LIMIT_MS} ms)")
    print(f"  CSV export of every token: {csv_ms:.0f} ms median")


if __name__ == "__main__":
    main()
