"""A merchant connected to the sandbox's demo Pongo account, with a catalogue pushed by the POS."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from flask.testing import FlaskClient

from tests.api.conftest import Api
from tests.conftest import DEMO_LOGIN, connect_merchant, csrf_token

LOCATIONS = [
    {"ref": "L1", "name": "Lumière Oberkampf", "city": "Paris"},
    {"ref": "L2", "name": "Lumière Lyon", "city": "Lyon"},
]

PRODUCTS: list[dict[str, Any]] = [
    {"sku": "BAK-001", "name": "Croissant"},
    {"sku": "BAK-002", "name": "Pain au chocolat"},
    {"sku": "BAK-003", "name": "Pain aux raisins", "location_refs": ["L2"]},
    {"ref": "BAK-012", "sku": "BAK-012", "name": "Éclair au café"},
    {"ref": "BAK-012-XL", "sku": "BAK-012", "name": "Éclair au café géant"},
    {"sku": "BAK-060", "name": "Flan nature"},
    {"sku": "CAF-004", "name": "Cappuccino", "has_paid_options": True},
    {"sku": "MENU-02", "name": "Formule déjeuner", "location_refs": ["L1"]},
    {"sku": "MENU-03", "name": "Formule sandwich", "location_refs": ["L1"]},
]


def push_catalogue(api: Api, ref: str = "M1") -> None:
    """The POS pushes its locations and products; BAK-060 is then archived by a second push."""
    assert api.put(f"/merchants/{ref}/locations", {"locations": LOCATIONS}).status_code == 200
    assert api.put(f"/merchants/{ref}/products", {"products": PRODUCTS}).status_code == 200
    current = [p for p in PRODUCTS if p["sku"] != "BAK-060"]
    assert api.put(f"/merchants/{ref}/products", {"products": current}).status_code == 200


@pytest.fixture
def merchant_client(client: FlaskClient, pongo: httpx.Client, api: Api) -> FlaskClient:
    """A browser signed in as M1, connected to the demo Pongo account, catalogue pushed."""
    connect_merchant(client, pongo)
    push_catalogue(api)
    return client


def set_rewards(pongo: httpx.Client, rewards: list[dict[str, Any]]) -> None:
    """Replace the demo account's rewards, as the merchant would in Pongo's back office."""
    answer = pongo.put(f"/_sandbox/accounts/{DEMO_LOGIN}/rewards", json={"rewards": rewards})
    assert answer.status_code == 200, answer.text


def refresh(client: FlaskClient) -> Any:
    """Press "Refresh from Pongo" and follow the redirect."""
    token = csrf_token(client, "/rewards")
    return client.post("/rewards/refresh", data={"csrf_token": token}, follow_redirects=True)


def reward(public_id: str, name: str, external_id: str | None) -> dict[str, Any]:
    """A reward as Pongo's back office holds it."""
    return {"public_id": public_id, "name": name, "points": 100, "external_id": external_id}


def row_of(page: str, public_id: str) -> str:
    """The HTML of one reward's row on the page."""
    found = re.search(rf'<tr id="row-{re.escape(public_id)}".*?</tr>', page, re.DOTALL)
    assert found, f"no row for {public_id}"
    return found.group(0)


def text_of(html: str) -> str:
    """Visible text with tags dropped and whitespace collapsed, to assert on sentences."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def drawn_review(client: FlaskClient, public_id: str) -> str:
    """The version of a reward's review as its row on the Rewards page carries it now."""
    page = client.get("/rewards?q=" + public_id).get_data(as_text=True)
    row = re.search(rf'<tr id="row-{re.escape(public_id)}".*?</tr>', page, re.DOTALL)
    found = re.search(r'name="version" value="([^"]*)"', row.group(0)) if row else None
    return found.group(1) if found else ""
