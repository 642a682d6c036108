"""Orders of a merchant that connected once: kept while disconnected, expired, explained plainly."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.orders import OrderRelay
from portal.orders.mapping import pongo_order_id
from tests.helpers.apps import make_app
from tests.helpers.connect import connect_merchant, consent, start_connect
from tests.helpers.launch import launch
from tests.helpers.orders import (
    RELAY_TEST_SETTINGS,
    OrdersApi,
    drain,
    fail_refused,
    fast_worker,
    order_body,
    relay_of,
    sandbox_orders,
)
from tests.helpers.pages import csrf_token, text_of
from tests.helpers.sandbox import fault

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def disconnect(client: FlaskClient) -> None:
    answer = client.post(
        "/connect/disconnect", data={"csrf_token": csrf_token(client, "/connect/")}
    )
    assert answer.status_code == 302


def test_a_disconnected_merchant_keeps_its_orders_and_they_go_out_oldest_first(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    disconnect(client)
    assert "New orders wait, paused, until you reconnect, for up to 30 days" in text_of(
        client.get("/connect/").get_data(as_text=True)
    )
    for ref in ("OLD", "MIDDLE", "NEW"):
        answer = api.order(order_body(ref))
        assert (answer.status_code, answer.json["status"]) == (202, "paused")
    # Every page says how many orders wait, and what to do.
    for path in ("/orders", "/locations", "/connect/"):
        page = text_of(client.get(path).get_data(as_text=True))
        assert "3 orders are waiting: reconnect Pongo so they earn points" in page, path
    with fast_worker(relay_app) as worker:
        assert len(worker.drain()) == 0  # nothing goes out while disconnected
        connect_merchant(client, pongo)
        # An order taken after the reconnection goes out after those that waited.
        assert api.order(order_body("FRESH")).json["status"] == "pending"
        worker.drain()
    sent = [entry["body"]["order_id"] for entry in sandbox_orders(pongo)]
    assert sent == [pongo_order_id(ref) for ref in ("OLD", "MIDDLE", "NEW", "FRESH")]
    assert "orders are waiting" not in client.get("/orders").get_data(as_text=True)


def test_one_waiting_order_is_named_in_the_singular_and_in_french(
    api: OrdersApi, connected_merchant: str, client: FlaskClient
) -> None:
    disconnect(client)
    api.order(order_body("ONLY"))
    page = text_of(client.get("/orders").get_data(as_text=True))
    assert "1 order is waiting: reconnect Pongo so it earns points" in page
    launch(client, extra={"locale": "fr"})
    page = text_of(client.get("/orders").get_data(as_text=True))
    assert "1 commande attend : reconnectez Pongo pour qu’elle rapporte des points" in page


def test_orders_paused_longer_than_the_setting_expire_with_their_reason(
    database_url: str, sandbox: Any, pongo: httpx.Client
) -> None:
    app = make_app(
        database_url, pongo_base_url=sandbox.url, orders_paused_days=2, **RELAY_TEST_SETTINGS
    )
    from tests.helpers.api import new_key
    from tests.helpers.orders import LOCATIONS, link_locations

    client = app.test_client()
    api = OrdersApi(app.test_client(), new_key(app))
    connect_merchant(client, pongo)
    api.put("/merchants/M1/locations", {"locations": LOCATIONS})
    link_locations(app)
    disconnect(client)
    api.order(order_body("STALE"))
    api.order(order_body("RECENT"))
    with app.app_context():
        stale = relay_of(app, "STALE").id
        db.session.execute(
            update(OrderRelay)
            .where(OrderRelay.id == stale)
            .values(paused_at=utcnow() - timedelta(days=2, minutes=1))
        )
        db.session.commit()
    with fast_worker(app) as worker:
        worker.drain()
        connect_merchant(client, pongo)
        worker.drain()
    assert relay_of(app, "STALE").status == "expired"
    assert relay_of(app, "RECENT").status == "delivered"
    status = api.get("/merchants/M1/orders/STALE")
    assert status.json["status"] == "expired"
    assert "Waited more than 2 days for a Pongo connection" in status.json["last_error"]
    listing = text_of(client.get("/orders?status=expired").get_data(as_text=True))
    assert "Expired (1)" in listing
    assert "This order waited more than 2 days for a Pongo connection" in listing
    # Never sent: Pongo has only the recent order.
    assert len(sandbox_orders(pongo)) == 1


def test_a_refused_order_reads_as_a_sentence_with_the_technical_details_folded(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    refusal = {
        "message": "The given data was invalid.",
        "errors": {"customer_phone": ["The customer phone format is invalid."]},
    }
    fail_refused(api, relay_app, pongo, "PHONE", refusal)
    relay = relay_of(relay_app, "PHONE")
    assert relay.status == "failed"
    html = client.get("/orders/PHONE").get_data(as_text=True)
    words = text_of(html)
    assert (
        "Pongo refused this order: the customer's phone number is not valid. "
        "Fix it in your POS, then press Retry." in words.replace("&#39;", "'")
    )
    details = html[html.index('<details class="technical-details">') :]
    assert "<summary>Technical details</summary>" in details
    assert relay.relay_id in details
    assert "422" in details
    assert "The customer phone format is invalid." in details
    assert "<summary>What was sent to Pongo</summary>" in details
    assert "loyalty_store_slug" in details
    # Before the disclosure, no raw answer nor technical reason.
    assert "The customer phone format is invalid." not in html[: html.index("<details")]
    # The list says it in the merchant's language too.
    launch(client, extra={"locale": "fr"})
    listing = text_of(client.get("/orders").get_data(as_text=True))
    assert "Pongo a refusé cette commande : le numéro de téléphone du client" in listing


def test_an_unknown_field_gets_the_generic_sentence(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    refusal = {"message": "Invalid.", "errors": {"mystery_field": ["Nope."]}}
    fail_refused(api, relay_app, pongo, "ODD", refusal)
    words = text_of(client.get("/orders/ODD").get_data(as_text=True))
    assert "Pongo refused this order. Check it in your POS, then press Retry" in words


def test_pongo_down_says_since_when_and_that_orders_are_queued(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    api.order(order_body("QUEUED"))
    fault(pongo, status=503, count=50)
    with fast_worker(relay_app) as worker:
        worker.run_once()
    assert relay_of(relay_app, "QUEUED").status == "pending"
    sentence = re.compile(
        r"Pongo is not answering since \d{1,2}:\d\d\s?[AP]M — your orders are queued, "
        r"nothing is lost\."
    )
    assert sentence.search(text_of(client.get("/").get_data(as_text=True)))
    assert sentence.search(text_of(client.get("/orders").get_data(as_text=True)))
    # The next answer from Pongo ends the notice.
    pongo.delete("/_sandbox/faults")
    drain(relay_app)
    assert relay_of(relay_app, "QUEUED").status == "delivered"
    assert "is not answering" not in client.get("/").get_data(as_text=True)


def test_reconnecting_while_pongo_is_down_shows_a_page_never_json(
    api: OrdersApi, connected_merchant: str, pongo: httpx.Client, client: FlaskClient
) -> None:
    # The consent form is down: the merchant stays on a page of the portal.
    pongo.post("/_sandbox/faults", json={"path": "/v1/oauth/form", "status": 503, "count": 20})
    answer = client.post("/connect/start", data={"csrf_token": csrf_token(client, "/connect/")})
    assert answer.status_code == 503
    assert answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    assert 'class="site-header"' in html
    assert "Pongo is not answering right now" in text_of(html)
    pongo.delete("/_sandbox/faults")
    # The form answers, but the token endpoint is down when the merchant comes back.
    back = urlsplit(consent(pongo, start_connect(client)))
    pongo.post("/_sandbox/faults", json={"path": "/v1/oauth/token", "status": 503, "count": 20})
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 502
    assert answer.mimetype == "text/html"
    assert 'class="site-header"' in answer.get_data(as_text=True)
    assert "Your orders are queued, nothing is lost" in text_of(answer.get_data(as_text=True))


def test_amounts_are_in_the_merchant_currency_for_the_reader_language(
    api: OrdersApi, connected_merchant: str, client: FlaskClient
) -> None:
    api.put("/merchants/M1", {"name": "Boulangerie Lumière", "currency": "CHF"})
    assert api.order(order_body("CH-1", total_cents=123456)).status_code == 202
    amount = re.compile(r"CHF\s?1,234\.56")
    assert amount.search(client.get("/orders").get_data(as_text=True))
    assert amount.search(client.get("/orders/CH-1").get_data(as_text=True))
    launch(client, extra={"locale": "fr"})
    french = client.get("/orders").get_data(as_text=True).replace("\u202f", " ")
    assert "1 234,56 CHF" in french.replace("\xa0", " ")


def test_every_page_writes_moments_through_one_filter() -> None:
    used = {
        str(path.relative_to(TEMPLATES)): path.read_text(encoding="utf-8")
        for path in TEMPLATES.rglob("*.html")
    }
    for name, source in used.items():
        for other in ("datetimeformat", "dateformat", "timeformat", "strftime"):
            assert other not in source, f"{name} formats a moment with {other}"
    assert sum("|when" in source for source in used.values()) >= 5


def test_the_order_page_and_the_list_write_the_same_moment_alike(
    api: OrdersApi, connected_merchant: str, client: FlaskClient
) -> None:
    api.order(order_body("SAME"))
    moments = re.compile(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d\s?[AP]M")
    in_list = set(moments.findall(client.get("/orders").get_data(as_text=True)))
    on_page = set(moments.findall(client.get("/orders/SAME").get_data(as_text=True)))
    assert in_list
    assert in_list <= on_page
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{2}", client.get("/orders").get_data(as_text=True))


def test_french_order_total(api: OrdersApi, connected_merchant: str, client: FlaskClient) -> None:
    api.order(order_body("EUR-1"))
    launch(client, extra={"locale": "fr"})
    html = client.get("/orders").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "12,50 €" in html
