"""The demo: Nonna's orders to look at, and Lumière's setup reachable by following the guide."""

from __future__ import annotations

import httpx
from flask import Flask
from sqlalchemy import select

from portal.demo.data import LUMIERE_LOCATIONS
from portal.demo.loader import load_demo_data
from portal.demo.orders import NONNA_LOGIN, seed_demo_orders
from portal.demo.sandbox import PARTNER_REWARD, add_partner_reward
from portal.extensions import db
from portal.locations.states import NO_STORE
from portal.models.connection import ConnectionStatus
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay
from portal.orders.relay import RelayWorker
from portal.pongo.connection import get_connection
from portal.rewards.entries import reward_entries
from tests.conftest import (
    DEMO_PASSWORD,
    connect_merchant,
    consent,
    csrf_token,
    launch,
    start_connect,
)
from tests.locations.conftest import post_links


def nonna_orders(app: Flask) -> dict[str, tuple[str, str | None]]:
    """Order ref -> (relay status, last error) of Nonna's orders."""
    with app.app_context():
        rows = db.session.execute(
            select(Order.order_ref, OrderRelay.status, OrderRelay.last_error)
            .join(OrderRelay, OrderRelay.order_id == Order.id)
            .join(Merchant, Merchant.id == Order.merchant_id)
            .where(Merchant.ref == "NONNA")
        )
        return {ref: (str(status), error) for ref, status, error in rows}


def test_demo_has_a_delivered_a_failed_and_a_paused_order(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    with pongo_app.app_context():
        load_demo_data()
        assert seed_demo_orders(str(pongo.base_url)) == 3
        # A second start of the demo on the same database changes nothing.
        assert seed_demo_orders(str(pongo.base_url)) == 0
        nonna = db.session.scalar(select(Merchant).where(Merchant.ref == "NONNA"))
        assert nonna is not None
        connection = get_connection(nonna)
        assert connection is not None
        assert connection.status == ConnectionStatus.NEEDS_RECONNECTION
    orders = nonna_orders(pongo_app)
    assert {ref: status for ref, (status, _) in orders.items()} == {
        "NONNA-1001": "delivered",
        "NONNA-1002": "failed",
        "NONNA-1003": "paused",
    }
    assert "The selected customer public id is invalid." in (orders["NONNA-1002"][1] or "")
    sent = pongo.get("/_sandbox/orders").json()
    assert len(sent) == 1

    # Reconnecting Nonna sends the paused order.
    client = pongo_app.test_client()
    launch(client, merchant_ref="NONNA", merchant_name="Pizzeria Nonna")
    back = consent(pongo, start_connect(client), login=NONNA_LOGIN, password=DEMO_PASSWORD)
    parts = httpx.URL(back)
    client.get(f"{parts.path}?{parts.query.decode()}")
    with RelayWorker(pongo_app) as worker:
        worker.resume_paused()
        worker.drain()
    assert nonna_orders(pongo_app)["NONNA-1003"][0] == "delivered"


def test_lumiere_reaches_a_complete_setup_by_following_the_guide(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    with pongo_app.app_context():
        load_demo_data()
    add_partner_reward(str(pongo.base_url))
    client = pongo_app.test_client()
    connect_merchant(client, pongo, merchant_ref="LUMIERE", merchant_name="Boulangerie Lumière")
    token = csrf_token(client, "/locations")
    refs = [location["ref"] for location in LUMIERE_LOCATIONS]
    client.post(
        "/locations/accept",
        data={"csrf_token": token, "threshold": 80, "ref": refs, "version": ["0"] * len(refs)},
    )
    overview = client.get("/").get_data(as_text=True)
    assert "1 location has no Pongo store yet: Laboratoire central" in overview
    post_links(client, token, {"L-LAB": NO_STORE})
    overview = client.get("/").get_data(as_text=True)
    assert "67% done" in overview
    with pongo_app.app_context():
        lumiere = db.session.scalar(select(Merchant).where(Merchant.ref == "LUMIERE"))
        assert lumiere is not None
        flagged = [e for e in reward_entries(lumiere) if e.needs_review]
    partner = next(e for e in flagged if e.check.public_id == PARTNER_REWARD["public_id"])
    assert partner.check.only_other_systems
    for entry in flagged:
        reason = "other_partner" if entry is partner else "not_a_product"
        client.post(
            f"/rewards/{entry.check.public_id}/review",
            data={"csrf_token": token, "reason": reason},
        )
    overview = client.get("/").get_data(as_text=True)
    assert "Your Pongo setup is complete" in overview
