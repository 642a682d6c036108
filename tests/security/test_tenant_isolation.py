"""SEC-19: every merchant route, fed another merchant's identifiers, neither shows nor changes them.

The routes come from `app.url_map`, so a route added later is walked too. Merchant A (M1) is
signed in; merchant B (M2) owns a location with a ref A also uses, a location only B has,
a Pongo store, and an order. Every GET and POST of a merchant route is sent with B's
identifiers in the path, the query string and the form; the whole database is compared
before and after, and no answer may show B's data.
"""

from __future__ import annotations

from typing import Any

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.access import MERCHANT, policy_of
from portal.extensions import db
from portal.models.locations import Location, PongoStore
from portal.models.merchant import Merchant
from tests.helpers.api import new_key
from tests.helpers.connect import connect_merchant
from tests.helpers.orders import OrdersApi, fake_connection, order_body
from tests.helpers.pages import csrf_token
from tests.security.snapshot import Row, changes, snapshot

SHARED_REF = "SHOP-1"
B_ONLY_REF = "TROPIQUE-ONLY"
B_SLUG = "tropique-secret-store"
B_STORE_NAME = "Tropique Secret Store"
B_ORDER = "TROPIQUE-ORDER-77"
B_NAME = "Café Tropique"
# B's data that no request of A carries, so an answer holding it shows B's data (identifiers
# A sends may be echoed back, as in a search box).
B_MARKERS = (B_STORE_NAME, "Tropique Two", B_NAME, "Tropique street", "+33 6 12 34 56 78")


def _merchant_id(app: Flask, ref: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Merchant.id).where(Merchant.ref == ref))
        assert found is not None
        return found


def _prepare(app: Flask, client: FlaskClient, pongo: httpx.Client) -> tuple[int, int]:
    """A (M1) signed in and connected; B (M2) with a location, a store and an order."""
    connect_merchant(client, pongo)
    api = OrdersApi(app.test_client(), new_key(app))
    assert api.put("/merchants/M2", {"name": B_NAME}).status_code in (200, 201)
    fake_connection(app, "M2", B_NAME)
    a_locations = [
        {"ref": SHARED_REF, "name": "Zz Backroom"},
        {"ref": "A-ONLY", "name": "Zz Annex"},
    ]
    b_locations = [
        {"ref": SHARED_REF, "name": "Tropique street shop", "address": "1 Tropique street"},
        {"ref": B_ONLY_REF, "name": "Tropique street annex"},
    ]
    assert api.put("/merchants/M1/locations", {"locations": a_locations}).status_code == 200
    assert api.put("/merchants/M2/locations", {"locations": b_locations}).status_code == 200
    b_id = _merchant_id(app, "M2")
    with app.app_context():
        db.session.add(PongoStore(merchant_id=b_id, slug=B_SLUG, name=B_STORE_NAME))
        db.session.add(PongoStore(merchant_id=b_id, slug=f"{B_SLUG}-2", name="Tropique Two"))
        db.session.execute(
            update(Location)
            .where(Location.merchant_id == b_id, Location.ref == SHARED_REF)
            .values(store_slug=B_SLUG)
        )
        db.session.commit()
    body = order_body(B_ORDER, location_ref=SHARED_REF)
    assert api.order(body, merchant="M2").status_code in (200, 201, 202)
    return _merchant_id(app, "M1"), b_id


def _owner(table: str, row: Row, order_owners: dict[str, int]) -> int | None:
    values = dict(row)
    if "merchant_id" in values:
        return None if values["merchant_id"] == "None" else int(values["merchant_id"])
    if table == "order_relay_attempts" and "relay_id" in values:
        return order_owners.get(values["relay_id"])
    return -1  # a row that belongs to no merchant: no merchant request may change it


def _relay_owners(app: Flask) -> dict[str, int]:
    from portal.models.orders import OrderRelay

    with app.app_context():
        return {repr(r.id): r.merchant_id for r in db.session.scalars(select(OrderRelay))} | {
            repr(r.relay_id): r.merchant_id for r in db.session.scalars(select(OrderRelay))
        }


def _form(token: str) -> dict[str, Any]:
    """Every identifier of B under every field name the merchant forms read."""
    return {
        "csrf_token": token,
        "ref": [SHARED_REF, B_ONLY_REF],
        "store": [B_SLUG, f"{B_SLUG}-2"],
        "threshold": "0",
        "order_ref": B_ORDER,
        "location_ref": B_ONLY_REF,
        "store_slug": B_SLUG,
        "merchant_ref": "M2",
        "merchant_id": "2",
        "focus": B_ONLY_REF,
        "q": "Tropique",
    }


def _routes(app: Flask) -> list[tuple[str, str]]:
    """(method, path) of every merchant route, path arguments filled with B's identifiers."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if policy_of(rule.endpoint) != MERCHANT:
                continue
            values = {a: B_ORDER if a == "order_ref" else "M2" for a in rule.arguments}
            built = rule.build(values)
            assert built is not None
            path = built[1]
            for method in ("GET", "POST"):
                if method in (rule.methods or set()):
                    found.append((method, path))
    return sorted(found)


def test_other_merchants_identifiers_reach_nothing(
    app: Flask, client: FlaskClient, pongo: httpx.Client
) -> None:
    a_id, b_id = _prepare(app, client, pongo)
    routes = _routes(app)
    assert ("POST", f"/orders/{B_ORDER}/retry") in routes
    assert ("GET", "/locations") in routes
    owners = _relay_owners(app)
    before = snapshot(app)
    for method, path in routes:
        token = csrf_token(client, "/locations")
        if method == "GET":
            answer = client.get(
                path, query_string={k: v for k, v in _form(token).items() if k != "csrf_token"}
            )
        else:
            answer = client.post(path, data=_form(token))
        text = answer.get_data(as_text=True)
        shown = [marker for marker in B_MARKERS if marker in text]
        assert not shown, f"{method} {path} showed {shown}"
        if "M2" in path or B_ORDER in path:
            assert answer.status_code in (403, 404), f"{method} {path}: {answer.status_code}"
        after = snapshot(app)
        for table, rows in changes(before, after).items():
            strangers = {_owner(table, row, owners) for row in rows} - {a_id}
            assert not strangers, f"{method} {path} changed {table} rows of {strangers}: {rows}"
        with app.app_context():
            a_shared = db.session.scalar(
                select(Location.store_slug).where(
                    Location.merchant_id == a_id, Location.ref == SHARED_REF
                )
            )
        assert a_shared != B_SLUG, f"{method} {path} linked A's location to B's store"
        before = after
    b_rows = {
        table: {row for row in rows if _owner(table, row, owners) == b_id}
        for table, rows in snapshot(app).items()
    }
    assert b_rows["orders"]
    assert b_rows["locations"]
    assert b_rows["pongo_stores"]
