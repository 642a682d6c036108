"""A merchant of any size, loaded the way production fills it, for page-cost tests and the bench.

Merchants, locations and products go through the POS API; Pongo's side (stores, rewards, the
connection) and the order history are written directly, because fetching them from Pongo or
posting 10,000 orders one by one would measure the loading instead of the pages.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import insert, select, text

from portal import crypto
from portal.audit.actor import SYSTEM
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.locations import PongoStore, StoreSync
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayStatus
from portal.models.session import WebSession
from portal.pongo import FetchedReward
from portal.rewards.operations import refresh_rewards
from tests.helpers.api import new_key

CITIES = ("Paris", "Lyon", "Marseille", "Lille", "Nantes", "Bordeaux")
PREFIXES = ("BAK", "DRK", "SAN", "PIZ", "DES", "MEN", "SAL", "CAF")
# Most orders went through; the rest are what the overview counts as problems.
ORDER_STATUSES = (RelayStatus.DELIVERED,) * 7 + (
    RelayStatus.FAILED,
    RelayStatus.PENDING,
    RelayStatus.PAUSED,
)


@dataclass(frozen=True)
class Size:
    """How much of everything one merchant has."""

    locations: int
    stores: int
    products: int
    rewards: int
    orders: int
    skus_per_reward: int = 6


SMALL = Size(locations=3, stores=3, products=20, rewards=5, orders=10)
LARGEST = Size(locations=1_000, stores=1_000, products=50_000, rewards=500, orders=10_000)


class FixedRewards:
    """A reward source standing in for Pongo: the rewards are prepared, not fetched."""

    def __init__(self, items: list[FetchedReward]) -> None:
        self.items = items

    def rewards(self) -> list[FetchedReward]:
        """The prepared rewards."""
        return self.items


def _rewards(size: Size, rng: random.Random) -> list[FetchedReward]:
    """Rewards mixing matched SKUs, near misses and other partners' codes."""
    made = []
    for r in range(size.rewards):
        tokens = []
        for _ in range(size.skus_per_reward):
            sku = _sku(rng.randrange(size.products))
            roll = rng.random()
            if roll < 0.6:
                tokens.append(sku)
            elif roll < 0.7:
                tokens.append(sku.lower().replace("-", " "))
            else:
                tokens.append(f"ZLT-{rng.randrange(100_000):05d}")
        made.append(
            FetchedReward(f"rew_{r:010d}", f"Récompense {r} : produit", 100, ", ".join(tokens))
        )
    return made


def _sku(n: int) -> str:
    return f"{PREFIXES[n % len(PREFIXES)]}-{n:05d}"


def api_key(app: Flask) -> str:
    """A fresh POS API key."""
    return new_key(app, name="seed")


def seed_merchant(app: Flask, key: str, ref: str, size: Size, *, seed: int = 7) -> int:
    """Create merchant `ref` with `size` of everything; returns its id."""
    rng = random.Random(seed)  # noqa: S311 -- repeatable test data, not secrets
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}

    def put(path: str, body: dict[str, Any]) -> None:
        answer = client.put(f"/api/v1/merchants/{ref}{path}", json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.get_data(as_text=True)[:500]

    put("", {"name": f"Merchant {ref}"})
    put(
        "/locations",
        {
            "locations": [
                {
                    "ref": f"L{n:04d}",
                    "name": f"Boulangerie {n}",
                    "address": f"{n} rue de la Paix",
                    "city": CITIES[n % len(CITIES)],
                    "postal_code": f"{75000 + n % 20}",
                }
                for n in range(size.locations)
            ]
        },
    )
    put(
        "/products",
        {
            "products": [
                {
                    "ref": f"P{n}",
                    "sku": _sku(n),
                    "name": f"Produit {n}",
                    "price_cents": 100 + n % 900,
                    "has_paid_options": n % 10 == 0,
                    "location_refs": [f"L{n % max(size.locations, 1):04d}"] if n % 3 == 0 else None,
                }
                for n in range(size.products)
            ]
        },
    )
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == ref))
        assert merchant is not None
        merchant_id = merchant.id
        _pongo_side(merchant, size, rng)
        _orders(merchant_id, size, rng)
        db.session.commit()
    return merchant_id


def _pongo_side(merchant: Merchant, size: Size, rng: random.Random) -> None:
    """Stores, rewards and a connection, as if fetched from Pongo; half the locations linked."""
    now = utcnow()
    db.session.execute(
        insert(PongoStore),
        [
            {
                "merchant_id": merchant.id,
                "slug": f"store-{n}",
                "name": f"Lumière {n}",
                "address": f"{n} r. de la Paix",
                "city": CITIES[n % len(CITIES)],
                "postal_code": f"{75000 + n % 20}",
                "public_id": f"st_{n}",
            }
            for n in range(size.stores)
        ],
    )
    db.session.add(StoreSync(merchant_id=merchant.id, synced_at=now, store_count=size.stores))
    from portal.models.locations import Location

    locations = db.session.scalars(
        select(Location).where(Location.merchant_id == merchant.id).order_by(Location.ref)
    ).all()
    for n, location in enumerate(locations[: min(len(locations), size.stores) // 2]):
        location.store_slug = f"store-{n}"
        location.store_name_at_link = f"Lumière {n}"
        location.linked_at = now
        location.linked_by = "seed"
    db.session.add(
        PongoConnection(
            merchant_id=merchant.id,
            status=ConnectionStatus.CONNECTED,
            account_id=f"acc_{merchant.ref}",
            account_name=f"Pongo {merchant.name}",
            scopes="stores:read,rewards:read,orders:write",
            access_token_encrypted=crypto.encrypt("seed-access-token"),
            expires_at=now + timedelta(days=365),
            connected_by="seed",
            connected_at=now,
            last_success_at=now,
        )
    )
    db.session.flush()
    refresh_rewards(merchant=merchant, client=FixedRewards(_rewards(size, rng)), actor=SYSTEM)


def _orders(merchant_id: int, size: Size, rng: random.Random) -> None:
    """The order history: mostly delivered, some failed, pending or paused."""
    if not size.orders:
        return
    now = utcnow()
    first = db.session.scalar(select(db.func.coalesce(db.func.max(Order.id), 0))) or 0
    orders, relays = [], []
    for n in range(size.orders):
        order_id = first + n + 1
        when = now - timedelta(minutes=size.orders - n)
        location = f"L{n % max(size.locations, 1):04d}"
        orders.append(
            {
                "id": order_id,
                "merchant_id": merchant_id,
                "order_ref": f"O{n:06d}",
                "location_ref": location,
                "store_slug": "store-0",
                "total_cents": 350 + n % 2000,
                "tax_cents": 30,
                "ordered_at": when,
                "line_count": 1,
                "payload": {"order_id": f"O{n:06d}", "store": "store-0", "total": 350},
                "body_hash": hashlib.sha256(str(n).encode()).hexdigest(),
                "received_at": when,
            }
        )
        status = ORDER_STATUSES[rng.randrange(len(ORDER_STATUSES))]
        relays.append(
            {
                "relay_id": f"rel_{merchant_id}_{n}",
                "order_id": order_id,
                "merchant_id": merchant_id,
                "status": status,
                "attempts": 1,
                "next_attempt_at": when,
                "last_error": "Pongo refused the order" if status == RelayStatus.FAILED else None,
                "updated_at": when,
            }
        )
    db.session.execute(insert(Order), orders)
    db.session.execute(insert(OrderRelay), relays)
    if db.session.get_bind().dialect.name == "postgresql":
        # The ids above were given, not drawn: the next order the API takes draws after them.
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence('orders', 'id'), max(id)) FROM orders")
        )


def open_session(app: Flask, merchant_id: int) -> str:
    """A signed-in merchant session written as a launch would; returns the cookie's token."""
    token = secrets.token_urlsafe(32)
    with app.app_context():
        now = utcnow()
        db.session.add(
            WebSession(
                id=hashlib.sha256(token.encode()).hexdigest(),
                data={
                    "merchant_id": merchant_id,
                    "user": {"email": "owner@example.com", "name": "Camille Martin"},
                },
                merchant_id=merchant_id,
                created_at=now,
                last_seen_at=now,
            )
        )
        db.session.commit()
    return token
