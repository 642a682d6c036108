"""The Orders page: list, filters, search, pages, detail, retry, and merchant isolation."""

from __future__ import annotations

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.merchant import Merchant
from portal.orders.services import order_problems
from tests.helpers.launch import launch
from tests.helpers.orders import (
    LOCATIONS,
    OrdersApi,
    add_orders,
    fake_connection,
    fast_worker,
    link_locations,
    relay_of,
    set_status,
)
from tests.helpers.pages import csrf_token


def test_list_shows_each_order_with_icon_and_word(
    client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> None:
    add_orders(relay_app, ["A-1", "A-2"])
    set_status(relay_app, "A-2", "failed", "Pongo rejected the order (HTTP 422)")
    page = client.get("/orders")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "A-1" in html
    assert "◷</span> Pending" in html
    assert "✖</span> Failed" in html
    # The reason reads as a sentence; the technical one stays on the order's page.
    assert "Pongo did not answer after several tries. Press Retry to send it again." in html
    assert "Pongo rejected the order (HTTP 422)" not in html


def test_filter_by_status(client: FlaskClient, connected_merchant: str, relay_app: Flask) -> None:
    add_orders(relay_app, ["KEEP", "OTHER"])
    set_status(relay_app, "KEEP", "failed")
    html = client.get("/orders?status=failed").get_data(as_text=True)
    assert ">KEEP<" in html
    assert ">OTHER<" not in html


def test_search_by_order_ref(
    client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> None:
    add_orders(relay_app, ["TICKET-42", "TICKET-43", "X_1"])
    html = client.get("/orders?q=42").get_data(as_text=True)
    assert ">TICKET-42<" in html
    assert ">TICKET-43<" not in html
    # LIKE wildcards in the query are taken literally.
    assert ">TICKET-42<" not in client.get("/orders?q=_").get_data(as_text=True)


def test_orders_come_in_pages(
    client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> None:
    add_orders(relay_app, [f"P-{n:03d}" for n in range(55)])
    first = client.get("/orders").get_data(as_text=True)
    second = client.get("/orders?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert ">P-054<" in first  # newest first
    assert ">P-000<" in second
    assert ">P-000<" not in first


def test_detail_shows_what_was_sent_pongo_answer_and_attempts(
    client: FlaskClient, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    add_orders(relay_app, ["D-1"])
    with fast_worker(relay_app) as worker:
        worker.drain()
    relay = relay_of(relay_app, "D-1")
    html = client.get("/orders/D-1").get_data(as_text=True)
    assert "✔</span> Delivered" in html
    assert "&#34;loyalty_store_slug&#34;: &#34;lumiere-paris-11&#34;" in html
    assert str(relay.pongo_order_id) in html
    assert "201" in html
    with relay_app.app_context():
        from portal.models.connection import PongoConnection

        connection = db.session.scalar(select(PongoConnection))
        assert connection is not None
        assert connection.access_token_encrypted not in html
    assert "Bearer" not in html


def test_retry_puts_a_failed_order_back_and_is_audited(
    client: FlaskClient, connected_merchant: str, relay_app: Flask, pongo: httpx.Client
) -> None:
    add_orders(relay_app, ["R-1"])
    set_status(relay_app, "R-1", "failed", "Gave up after 4 attempts")
    token = csrf_token(client, "/orders/R-1")
    answer = client.post("/orders/R-1/retry", data={"csrf_token": token})
    assert answer.status_code == 302
    relay = relay_of(relay_app, "R-1")
    assert (relay.status, relay.attempts) == ("pending", 0)
    with relay_app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "order.retry"))
        assert event is not None
        assert event.details["order_ref"] == "R-1"
        assert event.actor == "owner@example.com"
    with fast_worker(relay_app) as worker:
        worker.drain()
    assert relay_of(relay_app, "R-1").status == "delivered"


def test_retry_needs_a_csrf_token(
    client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> None:
    add_orders(relay_app, ["R-1"])
    set_status(relay_app, "R-1", "failed")
    assert client.post("/orders/R-1/retry").status_code == 400
    assert relay_of(relay_app, "R-1").status == "failed"


def test_only_failed_orders_are_retried(
    client: FlaskClient, connected_merchant: str, relay_app: Flask
) -> None:
    add_orders(relay_app, ["R-1"])
    client.post("/orders/R-1/retry", data={"csrf_token": csrf_token(client, "/orders/R-1")})
    with relay_app.app_context():
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.action == "order.retry")) is None
        )


def test_another_merchants_orders_are_invisible(
    client: FlaskClient, connected_merchant: str, relay_app: Flask, api: OrdersApi
) -> None:
    fake_connection(relay_app, "M2", "Nonna")
    api.put("/merchants/M2/locations", {"locations": LOCATIONS})
    link_locations(relay_app, "M2", {"L1": "nonna-nice"})
    add_orders(relay_app, ["SECRET-1"], merchant_ref="M2")
    set_status(relay_app, "SECRET-1", "failed")
    assert ">SECRET-1<" not in client.get("/orders").get_data(as_text=True)
    assert client.get("/orders/SECRET-1").status_code == 404
    token = csrf_token(client, "/orders")
    assert client.post("/orders/SECRET-1/retry", data={"csrf_token": token}).status_code == 404
    assert relay_of(relay_app, "SECRET-1", merchant_ref="M2").status == "failed"
    other = relay_app.test_client()
    launch(other, merchant_ref="M2", merchant_name="Nonna")
    assert ">SECRET-1<" in other.get("/orders").get_data(as_text=True)


def test_orders_page_needs_a_merchant_session(relay_app: Flask) -> None:
    assert relay_app.test_client().get("/orders").status_code == 401


def test_order_problems_counts_failed_and_paused(connected_merchant: str, relay_app: Flask) -> None:
    add_orders(relay_app, ["F-1", "F-2", "P-1", "OK"])
    set_status(relay_app, "F-1", "failed")
    set_status(relay_app, "F-2", "failed")
    set_status(relay_app, "P-1", "paused")
    with relay_app.app_context():
        m1 = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert m1 is not None
        assert order_problems(m1) == {"failed": 2, "paused": 1}
