"""Orders as the POS sends them, linked locations, relay workers and what Pongo received."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
from flask import Flask
from sqlalchemy import select, update

from portal import crypto
from portal.api.orders import accept
from portal.api.schemas import OrderIn
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.locations import Location
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay
from portal.orders.breaker import CircuitBreaker
from portal.orders.relay import RelayWorker
from portal.pongo.merchant import pongo_settings
from tests.helpers.api import Api, new_key
from tests.helpers.apps import make_app
from tests.helpers.connect import connect_merchant
from tests.helpers.sandbox import fault

# Relay settings for tests: tiny backoff so retries are due at once, few attempts.
RELAY_TEST_SETTINGS: dict[str, Any] = {
    "relay_max_attempts": 4,
    "relay_backoff_seconds": 0.0,
    "relay_backoff_cap_seconds": 0.0,
    "relay_lease_seconds": 60.0,
    "relay_batch_size": 50,
}
LOCATIONS = [
    {"ref": "L1", "name": "Paris 11"},
    {"ref": "L2", "name": "Lyon"},
    {"ref": "L3", "name": "Warehouse"},
]
LINKS = {"L1": "lumiere-paris-11", "L2": "lumiere-lyon-2"}


# The root `api` fixture's type, under the name the order tests annotate it with.
OrdersApi = Api


def order_body(ref: str = "POS-1001", **changes: Any) -> dict[str, Any]:
    """A valid closed order at location L1."""
    body: dict[str, Any] = {
        "order_ref": ref,
        "location_ref": "L1",
        "total_cents": 1250,
        "tax_cents": 110,
        "created_at": "2026-11-27T09:30:00+01:00",
        "customer": {"phone": "+33 6 12 34 56 78", "public_id": None},
        "lines": [
            {"sku": "BAK-001", "name": "Croissant", "quantity": 2, "unit_price_cents": 450},
            {
                "sku": "CAF-001",
                "name": "Coffee",
                "quantity": 1,
                "unit_price_cents": 350,
                "public_reward_id": "rew_0ece003f2e",
            },
        ],
    }
    body.update(changes)
    return body


def link_locations(app: Flask, ref: str = "M1", links: dict[str, str] | None = None) -> None:
    """Link POS locations to Pongo stores, as the Locations page would."""
    with app.app_context():
        merchant_id = db.session.scalar(select(Merchant.id).where(Merchant.ref == ref))
        for location_ref, slug in (links or LINKS).items():
            db.session.execute(
                update(Location)
                .where(Location.merchant_id == merchant_id, Location.ref == location_ref)
                .values(store_slug=slug, linked_at=utcnow())
            )
        db.session.commit()


def fast_worker(app: Flask, **kwargs: Any) -> RelayWorker:
    """A worker with short Pongo timeouts and no real sleeping."""
    with app.app_context():
        pongo = replace(
            pongo_settings(),
            deadline=kwargs.pop("deadline", 3.0),
            read_timeout=kwargs.pop("read_timeout", 2.0),
            connect_timeout=1.0,
            backoff_base=0.01,
            backoff_cap=0.02,
        )
    kwargs.setdefault("sleep", lambda seconds: None)
    kwargs.setdefault("breaker", CircuitBreaker(failure_threshold=50, reset_timeout=60))
    worker_class = kwargs.pop("worker_class", RelayWorker)
    worker: RelayWorker = worker_class(
        app, settings=kwargs.pop("settings", None), pongo=pongo, **kwargs
    )
    return worker


def relay_of(app: Flask, order_ref: str, merchant_ref: str = "M1") -> OrderRelay:
    """The outbox row of an order, read fresh."""
    with app.app_context():
        relay = db.session.scalar(
            select(OrderRelay)
            .join(Order, Order.id == OrderRelay.order_id)
            .join(Merchant, Merchant.id == Order.merchant_id)
            .where(Merchant.ref == merchant_ref, Order.order_ref == order_ref)
        )
        assert relay is not None
        db.session.expunge(relay)
        return relay


def sandbox_orders(pongo: httpx.Client) -> list[dict[str, Any]]:
    """Every order request the sandbox received."""
    answer: list[dict[str, Any]] = pongo.get("/_sandbox/orders").json()
    return answer


def created_at_pongo(pongo: httpx.Client) -> set[str]:
    """The distinct orders Pongo created (its ids), whatever the number of requests."""
    return {
        str(entry["response"]["id"])
        for entry in sandbox_orders(pongo)
        if entry["status"] in (200, 201, 202)
    }


def fake_connection(app: Flask, ref: str, name: str) -> None:
    """A merchant marked connected without Pongo (for pages that never send)."""
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == ref))
        if merchant is None:
            merchant = Merchant(ref=ref, name=name)
            db.session.add(merchant)
            db.session.flush()
        db.session.add(
            PongoConnection(
                merchant_id=merchant.id,
                status=ConnectionStatus.CONNECTED,
                access_token_encrypted=crypto.encrypt("not-a-real-token"),
                connected_at=utcnow(),
            )
        )
        db.session.commit()


def order_calls(pongo: httpx.Client) -> int:
    """How many POST /v1/orders requests reached the sandbox."""
    return sum(1 for r in pongo.get("/_sandbox/requests").json() if r["path"] == "/v1/orders")


def refuse_next_order(pongo: httpx.Client, quoted: str = "06 12 34 56 78") -> None:
    """Pongo answers the next order with a 422 that quotes the phone its own way (national)."""
    refusal = {
        "message": "The given data was invalid.",
        "errors": {"customer_phone": [f"The customer phone {quoted} is not a mobile number."]},
    }
    answer = pongo.post(
        "/_sandbox/faults",
        json={"path": "/v1/orders", "method": "POST", "status": 422, "body": refusal},
    )
    assert answer.status_code == 201, answer.text


def drain(app: Flask, **worker: Any) -> None:
    """Send every due order now, as a relay worker (made as `fast_worker` is told) would."""
    with fast_worker(app, **worker) as relay:
        relay.drain()


def fail_refused(
    api: OrdersApi, app: Flask, pongo: httpx.Client, ref: str, refusal: dict[str, Any]
) -> None:
    """The POS sends order `ref`, Pongo refuses it with `refusal` (HTTP 422), the relay fails it."""
    api.order(order_body(ref))
    fault(pongo, status=422, body=refusal)
    drain(app)


def expire_leases(app: Flask) -> None:
    """Every claimed order's lease runs out now, as if the worker holding it had died."""
    with app.app_context():
        db.session.execute(update(OrderRelay).values(claimed_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def linked_portal(
    database_url: str, sandbox_url: str, pongo: httpx.Client
) -> tuple[Flask, OrdersApi]:
    """A portal with M1 connected to the sandbox, L1 and L2 linked (for the browser tests)."""
    app: Flask = make_app(database_url, pongo_base_url=sandbox_url, **RELAY_TEST_SETTINGS)
    api = OrdersApi(app.test_client(), new_key(app))
    connect_merchant(app.test_client(), pongo)
    api.put("/merchants/M1/locations", {"locations": LOCATIONS})
    link_locations(app)
    return app, api


def add_orders(app: Flask, refs: list[str], merchant_ref: str = "M1") -> None:
    """Put a merchant's orders in the outbox as the API accepts them, without HTTP."""
    with app.test_request_context():
        owner = db.session.scalar(select(Merchant).where(Merchant.ref == merchant_ref))
        assert owner is not None
        for ref in refs:
            accept(merchant=owner, body=OrderIn.model_validate(order_body(ref)))
        db.session.commit()


def set_status(app: Flask, order_ref: str, status: str, error: str | None = None) -> None:
    """Force an order's relay status (a failed one has used its four attempts)."""
    with app.app_context():
        order_id = select(Order.id).where(Order.order_ref == order_ref).scalar_subquery()
        db.session.execute(
            update(OrderRelay)
            .where(OrderRelay.order_id == order_id)
            .values(status=status, last_error=error, attempts=4 if status == "failed" else 0)
        )
        db.session.commit()
