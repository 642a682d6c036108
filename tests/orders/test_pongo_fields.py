"""Orders as Pongo documents them: no customer (the tablet asks), opt-in, the till, and
cancellations relayed strictly after their order, end to end through the sandbox."""

from __future__ import annotations

from typing import Any

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from portal.extensions import db
from portal.models.locations import Location
from portal.models.status_updates import OrderStatusUpdate
from portal.orders.status_updates import send_due_updates
from tests.helpers.connect import connect_merchant
from tests.helpers.orders import OrdersApi, fast_worker, order_body, relay_of, sandbox_orders
from tests.helpers.sandbox import revoke_token


def set_tablet(app: Flask, location_ref: str, tablet: int | None) -> None:
    with app.app_context():
        db.session.execute(
            update(Location).where(Location.ref == location_ref).values(pongo_tablet_id=tablet)
        )
        db.session.commit()


def relay_orders(app: Flask) -> None:
    fast_worker(app).run_once()


def send_updates(app: Flask) -> int:
    with app.app_context():
        return send_due_updates()


def pongo_statuses(pongo: httpx.Client) -> list[list[str]]:
    return list(pongo.get("/_sandbox/status-updates").json()["statuses"].values())


def cancel(api: OrdersApi, order_ref: str, status: str = "cancelled") -> Any:
    return api.post(f"/merchants/M1/orders/{order_ref}/status", {"status": status})


def test_order_without_customer_reaches_pongo_with_null_and_the_tablet(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    set_tablet(relay_app, "L1", 4021)
    body = order_body()
    del body["customer"]
    assert api.order(body).status_code == 202
    assert api.order(order_body("POS-1002", customer=None)).status_code == 202
    relay_orders(relay_app)
    sent = sandbox_orders(pongo)
    assert [(o["status"], o["body"]["customer"], o["body"]["tablet_id"]) for o in sent] == [
        (201, None, 4021),
        (201, None, 4021),
    ]
    assert all(o["ignored_fields"] == [] for o in sent)


def test_without_a_tablet_no_tablet_id_is_sent(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    assert api.order(order_body(customer=None)).status_code == 202
    relay_orders(relay_app)
    (sent,) = sandbox_orders(pongo)
    assert sent["status"] == 201
    assert "tablet_id" not in sent["body"]


def test_opt_in_and_till_arrive_at_pongo(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    body = order_body(
        customer={"phone": "+33 6 12 34 56 78", "has_optin": True},
        device_id="till-2",
        device_name="Comptoir",
    )
    assert api.order(body).status_code == 202
    relay_orders(relay_app)
    (sent,) = sandbox_orders(pongo)
    assert sent["body"]["customer"] == {"phone": "33612345678", "has_optin": True}
    assert (sent["body"]["device_id"], sent["body"]["device_name"]) == ("till-2", "Comptoir")
    assert sent["ignored_fields"] == []


def test_bad_opt_in_and_till_are_field_errors(api: OrdersApi, connected_merchant: str) -> None:
    body = order_body(
        customer={"phone": "+33612345678", "has_optin": "yes"},
        device_id="x" * 129,
        device_name="\n",
    )
    answer = api.order(body)
    assert answer.status_code == 422
    paths = {e["path"] for e in answer.get_json()["errors"]}
    assert paths == {"customer.has_optin", "device_id", "device_name"}
    empty = api.order(order_body(customer={"has_optin": True}))
    assert empty.status_code == 422
    assert "customer null" in empty.get_json()["errors"][0]["message"]


def test_cancellation_reaches_pongo_only_after_its_order(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    assert api.order(order_body()).status_code == 202
    asked = cancel(api, "POS-1001")
    assert asked.status_code == 202
    assert asked.get_json()["state"] == "pending"
    assert send_updates(relay_app) == 0  # the order itself has not gone yet
    assert pongo_statuses(pongo) == []
    # The relay worker sends the order, then, in the same round, its cancellation.
    relay_orders(relay_app)
    assert pongo_statuses(pongo) == [["completed", "cancelled"]]
    created = [e["received_at"] for e in sandbox_orders(pongo)]
    patched = [u["received_at"] for u in pongo.get("/_sandbox/status-updates").json()["updates"]]
    assert created[0] <= patched[0]
    status = api.get("/merchants/M1/orders/POS-1001").get_json()
    assert [(u["status"], u["state"], u["seq"]) for u in status["status_updates"]] == [
        ("cancelled", "delivered", 1)
    ]
    assert send_updates(relay_app) == 0


def test_two_changes_keep_their_order_and_a_repeat_is_one(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    api.order(order_body())
    assert cancel(api, "POS-1001").get_json()["seq"] == 1
    assert cancel(api, "POS-1001", "refunded").get_json()["seq"] == 2
    again = cancel(api, "POS-1001")
    assert again.status_code == 202
    assert again.get_json()["seq"] == 1
    relay_orders(relay_app)
    assert pongo_statuses(pongo) == [["completed", "cancelled", "refunded"]]
    patches = pongo.get("/_sandbox/status-updates").json()["updates"]
    assert [u["body"]["status"] for u in patches] == ["cancelled", "refunded"]


def test_a_paused_orders_cancellation_waits_with_it(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    revoke_token(pongo)
    api.order(order_body())
    cancel(api, "POS-1001")
    relay_orders(relay_app)
    assert relay_of(relay_app, "POS-1001").status == "paused"
    assert send_updates(relay_app) == 0
    assert pongo_statuses(pongo) == []
    connect_merchant(client, pongo)
    relay_orders(relay_app)
    assert relay_of(relay_app, "POS-1001").status == "delivered"
    assert pongo_statuses(pongo) == [["completed", "cancelled"]]


def test_unknown_or_failed_orders_cannot_be_cancelled(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    assert cancel(api, "NOPE").status_code == 404
    fault = {"path": "/v1/orders", "status": 422, "body": {"message": "x", "errors": {}}}
    assert pongo.post("/_sandbox/faults", json=fault).status_code == 201
    api.order(order_body())
    relay_orders(relay_app)
    assert relay_of(relay_app, "POS-1001").status == "failed"
    refused = cancel(api, "POS-1001")
    assert refused.status_code == 409
    assert "failed" in refused.get_json()["message"]
    assert cancel(api, "POS-1001", "shipped").status_code == 422


def test_pongo_refusing_a_change_is_recorded_not_retried(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    api.order(order_body())
    relay_orders(relay_app)
    cancel(api, "POS-1001")
    pongo_id = relay_of(relay_app, "POS-1001").pongo_order_id
    fault = {"path": f"/v1/orders/{pongo_id}", "status": 422, "body": {"message": "No."}}
    assert pongo.post("/_sandbox/faults", json=fault).status_code == 201
    assert send_updates(relay_app) == 0
    with relay_app.app_context():
        row = db.session.scalar(select(OrderStatusUpdate))
        assert row is not None
        assert (row.state, row.attempts) == ("failed", 1)
        assert "422" in (row.last_error or "")
    assert send_updates(relay_app) == 0


def test_overview_names_a_location_sending_anonymous_orders_without_tablet(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, client: FlaskClient
) -> None:
    assert 'id="check-tablet"' not in client.get("/").get_data(as_text=True)
    api.order(order_body())  # identified: nothing to check
    assert 'id="check-tablet"' not in client.get("/").get_data(as_text=True)
    api.order(order_body("POS-1002", customer=None))
    page = client.get("/").get_data(as_text=True)
    assert 'id="check-tablet"' in page
    assert "from Paris 11, which has no Pongo tablet" in page
    assert "#row-L1" in page
    set_tablet(relay_app, "L1", 7)
    assert 'id="check-tablet"' not in client.get("/").get_data(as_text=True)


def test_order_pages_say_the_tablet_asks_and_show_the_cancellation(
    api: OrdersApi, connected_merchant: str, relay_app: Flask, client: FlaskClient
) -> None:
    set_tablet(relay_app, "L1", 4021)
    api.order(order_body(customer=None))
    cancel(api, "POS-1001")
    listing = client.get("/orders").get_data(as_text=True)
    assert "The customer identifies on the Pongo tablet." in listing
    detail = client.get("/orders/POS-1001").get_data(as_text=True)
    assert "the customer identifies on the Pongo tablet (tablet 4021)" in detail
    assert "Cancelled: Waits to be sent to Pongo after the order" in detail
    relay_orders(relay_app)
    assert "Cancelled: Sent to Pongo" in client.get("/orders/POS-1001").get_data(as_text=True)
