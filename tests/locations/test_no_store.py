"""A location with no Pongo store: its own state, audited, reversible, read by the POS."""

from __future__ import annotations

import re

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.locations.states import NO_STORE
from portal.models.audit import AuditEvent
from tests.helpers.api import Api, new_key
from tests.helpers.connect import connect_merchant
from tests.helpers.locations import LOCATIONS, accept_suggestions, post_links, stores
from tests.helpers.orders import order_body
from tests.helpers.pages import csrf_token


def row(page: str, ref: str) -> str:
    """The HTML of one row of the links table."""
    found = re.search(rf'<tr id="row-{ref}".*?</tr>', page, re.S)
    assert found, f"no row {ref}"
    return found.group(0)


def actions(app: Flask) -> list[tuple[str, str]]:
    """(action, location) of every location event, oldest first."""
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("location.%")).order_by(AuditEvent.id)
        ).all()
        return [(e.action, e.details["location"]) for e in events]


def test_marked_location_shows_its_own_state_and_the_pos_reads_none(
    shop_client: FlaskClient, api: Api, app: Flask
) -> None:
    token = csrf_token(shop_client, "/locations")
    answer = post_links(shop_client, token, {"L1": "alice-paris", "L2": "", "L3": NO_STORE})
    assert answer.status_code == 302
    page = shop_client.get("/locations").get_data(as_text=True)
    warehouse = row(page, "L3")
    assert '<span aria-hidden="true">—</span> No Pongo store</span>' in warehouse
    assert "✔</span> Linked" not in warehouse
    assert "⚠</span> Not linked" not in warehouse
    assert "Orders from this location are not sent to Pongo." in warehouse
    assert re.search(r'<option value=" no-store" selected>', warehouse)
    assert "⚠</span> Not linked" in row(page, "L2")
    assert stores(api) == {
        "L1": ("linked", "alice-paris"),
        "L2": ("unlinked", None),
        "L3": ("none", None),
    }
    assert actions(app) == [("location.link", "L1"), ("location.no_store", "L3")]


def test_the_mark_is_reversible_and_each_change_is_audited(
    shop_client: FlaskClient, api: Api, app: Flask
) -> None:
    token = csrf_token(shop_client, "/locations")
    post_links(shop_client, token, {"L3": NO_STORE})
    post_links(shop_client, token, {"L3": ""})
    assert stores(api)["L3"] == ("unlinked", None)
    post_links(shop_client, token, {"L3": NO_STORE})
    assert post_links(shop_client, token, {"L3": "alice-lyon"}).status_code == 302
    assert stores(api)["L3"] == ("linked", "alice-lyon")
    assert actions(app) == [
        ("location.no_store", "L3"),
        ("location.no_store_undo", "L3"),
        ("location.no_store", "L3"),
        ("location.no_store_undo", "L3"),
        ("location.link", "L3"),
    ]
    # Saving the table again as it stands changes and records nothing.
    post_links(shop_client, token, {"L3": "alice-lyon"})
    assert len(actions(app)) == 5


def test_a_marked_location_gets_no_suggestion_and_no_link_from_accepting_them(
    shop_client: FlaskClient, api: Api
) -> None:
    page = shop_client.get("/locations").get_data(as_text=True)
    assert "% match" in row(page, "L1")
    token = csrf_token(shop_client, "/locations")
    post_links(shop_client, token, {"L1": NO_STORE})
    assert "% match" not in row(shop_client.get("/locations").get_data(as_text=True), "L1")
    accept_suggestions(shop_client, token, "1", {"L1": "1", "L2": "0", "L3": "0"})
    assert stores(api)["L1"] == ("none", None)


def test_orders_of_a_marked_location_keep_the_not_linked_answer(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    client = pongo_app.test_client()
    api = Api(pongo_app.test_client(), new_key(pongo_app))
    api.put("/merchants/M1", {"name": "Boulangerie Lumière"})
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    connect_merchant(client, pongo)
    post_links(client, csrf_token(client, "/locations"), {"L3": NO_STORE})
    croissant = {"sku": "BAK-001", "name": "Croissant", "quantity": 1, "unit_price_cents": 250}
    order = order_body("POS-1", location_ref="L3", total_cents=250, tax_cents=20, lines=[croissant])
    answer = api.call("POST", "/merchants/M1/orders", order)
    assert answer.status_code == 422
    errors = {e["path"]: e["message"] for e in answer.json["errors"]}
    assert list(errors) == ["location_ref"]
    assert errors["location_ref"].startswith("location not linked")
