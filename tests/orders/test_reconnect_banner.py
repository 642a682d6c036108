"""Reconnecting from the banner: one press to Pongo, and the return says where waiting orders go."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
from flask import Flask
from flask.testing import FlaskClient

from portal.pongo.connection import mark_needs_reconnection
from tests.helpers.connect import consent
from tests.helpers.orders import OrdersApi, fast_worker, order_body, relay_of


def banner_form(page: str) -> tuple[str, str]:
    """The action and CSRF token of the banner's reconnect form."""
    banner = re.search(r'<div class="banner banner-danger.*?</div>', page, re.S)
    assert banner, "no danger banner on the page"
    action = re.search(r'<form method="post" action="([^"]+)"', banner.group(0))
    token = re.search(r'name="csrf_token" value="([^"]+)"', banner.group(0))
    assert action
    assert token
    return action.group(1), token.group(1)


def test_banner_reconnect_goes_straight_to_pongo_and_returns_to_the_waiting_orders(
    api: OrdersApi,
    connected_merchant: str,
    relay_app: Flask,
    pongo: httpx.Client,
    client: FlaskClient,
) -> None:
    with relay_app.app_context():
        assert mark_needs_reconnection(1, "token rejected")
    for ref in ("A", "B"):
        assert api.order(order_body(ref)).json["status"] == "paused"

    page = client.get("/rewards").get_data(as_text=True)
    assert "2 orders are waiting" in page
    action, token = banner_form(page)
    assert action == "/connect/start"
    pressed = client.post(action, data={"csrf_token": token})
    assert pressed.status_code == 302
    assert pressed.headers["Location"].startswith(str(pongo.base_url))

    back = urlsplit(consent(pongo, pressed.headers["Location"]))
    returned = client.get(f"{back.path}?{back.query}")
    assert returned.status_code == 302
    assert returned.headers["Location"] == "/orders"
    orders_page = client.get("/orders").get_data(as_text=True)
    assert "2 waiting orders are on their way to Pongo" in orders_page
    assert "orders are waiting" not in orders_page

    with fast_worker(relay_app) as worker:
        worker.drain()
    assert {relay_of(relay_app, ref).status for ref in ("A", "B")} == {"delivered"}


def test_reconnecting_with_nothing_waiting_returns_to_the_connection_page(
    connected_merchant: str, relay_app: Flask, pongo: httpx.Client, client: FlaskClient
) -> None:
    with relay_app.app_context():
        assert mark_needs_reconnection(1, "token rejected")
    action, token = banner_form(client.get("/").get_data(as_text=True))
    pressed = client.post(action, data={"csrf_token": token})
    back = urlsplit(consent(pongo, pressed.headers["Location"]))
    returned = client.get(f"{back.path}?{back.query}")
    assert returned.headers["Location"] == "/connect/"
    assert "on their way" not in client.get("/connect/").get_data(as_text=True)
