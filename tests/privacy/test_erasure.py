"""Erasing a customer's phone: every spelling, every stored copy, read back with a full dump."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.orders import Order, OrderRelay
from portal.privacy.phones import spellings
from tests.helpers.orders import (
    OrdersApi,
    drain,
    order_body,
    refuse_next_order,
    relay_of,
)
from tests.helpers.pages import csrf_token
from tests.privacy.dump import dump_database

ERASED = "33612345678"
KEPT = "33700000001"


def store_orders(api: OrdersApi, client: FlaskClient, app: Flask, pongo: httpx.Client) -> None:
    """Refused, retried, failed and unsent orders of the erased customer; another kept."""
    assert api.order(order_body("A-1")).status_code == 202
    refuse_next_order(pongo)
    drain(app)
    assert relay_of(app, "A-1").status == "failed"
    # The merchant retries: the audit event keeps the failure reason, number included.
    token = csrf_token(client, "/orders/A-1")
    assert client.post("/orders/A-1/retry", data={"csrf_token": token}).status_code == 302
    drain(app)
    assert relay_of(app, "A-1").status == "delivered"
    other = order_body("B-1", customer={"phone": "+33 7 00 00 00 01"})
    assert api.order(other).status_code == 202
    drain(app)
    # Refused and left failed: Pongo's answer and the reason keep the number.
    assert api.order(order_body("D-1")).status_code == 202
    refuse_next_order(pongo)
    drain(app)
    assert relay_of(app, "D-1").status == "failed"
    assert api.order(order_body("C-1", customer={"phone": "0033 6 12 34 56 78"})).status_code == 202


def test_an_erased_phone_appears_nowhere_in_the_database(
    api: OrdersApi,
    client: FlaskClient,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    erasure_list: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    store_orders(api, client, relay_app, pongo)
    pattern = spellings(ERASED)
    before = dump_database(relay_app)
    # The check can fail: the number is stored, in more than one spelling.
    assert ERASED in before
    assert "06 12 34 56 78" in before

    answer = api.post("/merchants/M1/erasures", {"phone": "+33 6 12 34 56 78"})

    assert answer.status_code == 200, answer.json
    counts = {"orders": 3, "cancelled": 1, "relays": 1, "attempts": 2, "audit_events": 1}
    assert answer.json == counts
    after = dump_database(relay_app)
    assert pattern.search(after) is None, pattern.search(after)
    # Only that customer: another customer's number stays.
    assert KEPT in after
    # The orders stay, with their amounts and status; the unsent one is cancelled.
    assert relay_of(relay_app, "A-1").status == "delivered"
    assert relay_of(relay_app, "D-1").status == "failed"
    assert relay_of(relay_app, "C-1").status == "cancelled"
    with relay_app.app_context():
        order = db.session.scalar(select(Order).where(Order.order_ref == "A-1"))
        assert order is not None
        assert order.total_cents == 1250
        assert order.line_count == 2
        assert order.customer_erased_at is not None
        assert "customer" not in order.payload
    assert "erased" in client.get("/orders/A-1").get_data(as_text=True)
    # No log line the portal wrote, from taking the order to erasing it, held the number.
    assert "relay.send" in caplog.text
    assert pattern.search(caplog.text) is None
    # The erasure list holds a keyed hash, never the number.
    [line] = erasure_list.read_text().splitlines()
    assert json.loads(line)["merchant"] == "M1"
    assert pattern.search(line) is None


def test_a_repeated_order_of_an_erased_customer_is_answered_not_refused(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    assert api.order(order_body("A-1")).status_code == 202
    assert api.post("/merchants/M1/erasures", {"phone": "+33612345678"}).status_code == 200

    again = api.order(order_body("A-1"))

    assert again.status_code == 202
    with relay_app.app_context():
        assert db.session.scalar(select(OrderRelay.status)) == "cancelled"


def test_the_erasure_is_audited_without_the_number(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    assert api.order(order_body("A-1")).status_code == 202

    assert api.post("/merchants/M1/erasures", {"phone": "+33612345678"}).status_code == 200

    page = dump_database(relay_app)
    assert "customer.erase" in page
    assert spellings(ERASED).search(page) is None


def test_a_national_number_is_refused_with_a_field_error(
    api: OrdersApi, connected_merchant: str
) -> None:
    answer = api.post("/merchants/M1/erasures", {"phone": "06 12 34 56 78"})

    assert answer.status_code == 422
    [error] = answer.json["errors"]
    assert error["path"] == "phone"
    assert "06 12" not in json.dumps(answer.json)


def test_an_unknown_merchant_answers_404(api: OrdersApi) -> None:
    answer = api.post("/merchants/NOPE/erasures", {"phone": "+33612345678"})

    assert answer.status_code == 404


def test_the_command_erases_for_every_merchant_and_prints_the_counts(
    api: OrdersApi, connected_merchant: str, relay_app: Flask
) -> None:
    assert api.order(order_body("A-1")).status_code == 202

    result = relay_app.test_cli_runner().invoke(args=["erase-customer", "0033 6 12 34 56 78"])

    assert result.exit_code == 0, result.output
    assert "orders: 1" in result.output
    assert "cancelled: 1" in result.output
    assert ERASED not in result.output
    assert spellings(ERASED).search(dump_database(relay_app)) is None


def test_the_command_refuses_a_number_it_cannot_place(relay_app: Flask) -> None:
    result = relay_app.test_cli_runner().invoke(args=["erase-customer", "0612345678"])

    assert result.exit_code == 2
    assert "international format" in result.output
