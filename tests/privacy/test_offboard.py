"""Offboarding: a merchant leaves and nothing of its people, products or locations remains."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.merchant import Merchant
from tests.helpers.launch import launch
from tests.helpers.locations import LOCATIONS
from tests.helpers.orders import OrdersApi, drain, order_body
from tests.privacy.dump import dump_database

STAFF_EMAIL = "amelie.offboard@example.com"
STAFF_NAME = "Amelie Poulain-Depart"
PRODUCT = "Tarte Tatin Offboard"
LOCATION = "Boutique Rue Offboard"


@pytest.fixture
def leaving(
    api: OrdersApi, client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> OrdersApi:
    """M1 with a known staff member, a product, a location, a delivered and a waiting order."""
    launch(client, email=STAFF_EMAIL, name=STAFF_NAME)
    products = {"products": [{"ref": "P-1", "sku": "TT-1", "name": PRODUCT, "price_cents": 900}]}
    assert api.put("/merchants/M1/products", products).status_code == 200
    body = {"locations": [*LOCATIONS, {"ref": "L9", "name": LOCATION, "city": "Paris"}]}
    assert api.put("/merchants/M1/locations", body).status_code == 200
    assert api.order(order_body("A-1")).status_code == 202
    drain(relay_app)
    assert api.order(order_body("W-1")).status_code == 202
    return api


def test_a_deleted_merchant_leaves_nothing_of_its_people_products_and_locations(
    leaving: OrdersApi, client: FlaskClient, relay_app: Flask
) -> None:
    api = leaving
    before = dump_database(relay_app)
    for text in (STAFF_EMAIL, STAFF_NAME, PRODUCT, LOCATION, "owner@example.com"):
        assert text in before, text
    assert client.get("/locations").status_code == 200

    answer = api.call("DELETE", "/merchants/M1")

    assert answer.status_code == 202, answer.json
    removed = {"products": 1, "locations": 4, "orders": 2, "unsent_orders": 1}
    assert {key: answer.json[key] for key in removed} == removed
    assert answer.json["pongo_connection"] == 1
    after = dump_database(relay_app)
    for text in (STAFF_EMAIL, STAFF_NAME, PRODUCT, LOCATION, "owner@example.com"):
        assert text not in after, text
    # Every API call for it is 404; the browser session it had is refused.
    assert api.get("/merchants/M1/locations").status_code == 404
    assert api.post("/merchants/M1/erasures", {"phone": "+33612345678"}).status_code == 404
    assert api.call("DELETE", "/merchants/M1").status_code == 404
    assert client.get("/locations").status_code == 401
    # The audit trail stays, detached and pseudonymised, until PORTAL_AUDIT_DAYS.
    with relay_app.app_context():
        kept = db.session.scalars(select(AuditEvent)).all()
        trail = [e for e in kept if (e.details or {}).get("offboarded_merchant") == "M1"]
        assert trail
        assert all(e.merchant_id is None for e in trail)
        launches = [e for e in trail if e.action == "launch"]
        assert launches
        assert all(e.actor.startswith("person-") for e in launches)
        # The same person reads the same wherever the event names them.
        assert all(e.details["user"] == e.actor for e in launches)
        assert len({e.actor for e in launches}) == 2  # owner@example.com and the staff member
        assert any(e.action == "merchant.offboard" for e in kept)


def test_a_launch_after_offboarding_starts_a_new_empty_merchant(
    leaving: OrdersApi, relay_app: Flask
) -> None:
    api = leaving
    assert api.call("DELETE", "/merchants/M1").status_code == 202

    newcomer = relay_app.test_client()
    assert launch(newcomer).status_code == 302

    with relay_app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert merchant is not None
        assert merchant.name == "Boulangerie Lumière"
    assert api.get("/merchants/M1/locations").json["locations"] == []
    assert api.get("/merchants/M1/orders/A-1").status_code == 404
    assert "Connect Pongo" in newcomer.get("/connect/").get_data(as_text=True)


def test_the_command_asks_then_offboards(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    runner = relay_app.test_cli_runner()
    declined = runner.invoke(args=["offboard", "M1"], input="n\n")
    assert declined.exit_code == 1
    assert "locations: 3" in declined.output
    assert api.get("/merchants/M1/locations").status_code == 200

    done = runner.invoke(args=["offboard", "M1", "--yes"])

    assert done.exit_code == 0, done.output
    assert api.get("/merchants/M1/locations").status_code == 404
    assert runner.invoke(args=["offboard", "M1", "--yes"]).exit_code == 1
