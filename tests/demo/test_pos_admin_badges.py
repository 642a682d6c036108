"""The demo POS admin panel badges each merchant's Pongo button from its summary."""

from __future__ import annotations

import re
from dataclasses import replace

import httpx
import pytest
from flask import Flask

from portal.demo.loader import load_demo_data
from portal.demo.orders import seed_demo_orders
from portal.entry.demo import button_badge
from portal.pos_status.summary import Summary
from portal.sandbox.server import RunningSandbox
from tests.helpers.apps import make_app

SET_UP = Summary(connection="connected", setup_percent=100)


def row_of(page: str, ref: str) -> str:
    """The table row of one merchant, its tags removed and spaces collapsed."""
    found = re.search(rf"<tr>(?:(?!</tr>).)*<code>{ref}</code>.*?</tr>", page, re.S)
    assert found, ref
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def test_the_panel_badges_nonna_for_reconnection_and_lumiere_for_set_up(
    database_url: str, sandbox: RunningSandbox, pongo: httpx.Client
) -> None:
    app: Flask = make_app(database_url, pongo_base_url=sandbox.url, demo=True)
    with app.app_context():
        load_demo_data()
        seed_demo_orders(sandbox.url)
    page = app.test_client().get("/demo/pos-admin").get_data(as_text=True)
    assert "Pongo needs reconnecting" in row_of(page, "NONNA")
    assert "Set up" in row_of(page, "LUMIERE")
    assert "needs reconnecting" not in row_of(page, "LUMIERE")


@pytest.mark.parametrize(
    ("summary", "text"),
    [
        (
            replace(SET_UP, connection="needs_reconnection", orders_waiting=2),
            "Pongo needs reconnecting",
        ),
        (replace(SET_UP, connection="not_connected", setup_percent=0), "Set up"),
        (
            replace(SET_UP, problems={"locations": 1, "rewards": 1, "orders": 0}),
            "2 things need you",
        ),
        (
            replace(SET_UP, problems={"locations": 0, "rewards": 0, "orders": 1}),
            "1 thing needs you",
        ),
        (replace(SET_UP, setup_percent=67), "Set up"),
    ],
)
def test_the_badge_says_the_most_pressing_thing(summary: Summary, text: str, app: Flask) -> None:
    with app.test_request_context():
        badge = button_badge(summary)
        assert badge is not None
        assert badge.text == text


def test_a_merchant_set_up_with_nothing_to_do_has_no_badge(app: Flask) -> None:
    with app.test_request_context():
        assert button_badge(SET_UP) is None
