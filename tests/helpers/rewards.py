"""A catalogue the POS pushes, and the rewards page driven as a merchant does."""

from __future__ import annotations

import re
from typing import Any, Protocol

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.locations import Location
from tests.helpers.api import Api
from tests.helpers.pages import csrf_token
from tests.helpers.sandbox import DEMO_LOGIN

CATALOGUE_LOCATIONS = [
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


class Fetch(Protocol):
    """Gives the demo account these rewards in Pongo and refreshes the Rewards page."""

    def __call__(self, *rewards: dict[str, Any]) -> str:
        """The Rewards page after the refresh, as text."""


def push_catalogue(api: Api, ref: str = "M1") -> None:
    """The POS pushes its locations and products; BAK-060 is then archived by a second push."""
    body = {"locations": CATALOGUE_LOCATIONS}
    assert api.put(f"/merchants/{ref}/locations", body).status_code == 200
    assert api.put(f"/merchants/{ref}/products", {"products": PRODUCTS}).status_code == 200
    current = [p for p in PRODUCTS if p["sku"] != "BAK-060"]
    assert api.put(f"/merchants/{ref}/products", {"products": current}).status_code == 200


def set_rewards(pongo: httpx.Client, rewards: list[dict[str, Any]]) -> None:
    """Replace the demo account's rewards, as the merchant would in Pongo's back office."""
    answer = pongo.put(f"/_sandbox/accounts/{DEMO_LOGIN}/rewards", json={"rewards": rewards})
    assert answer.status_code == 200, answer.text


def refresh(client: FlaskClient) -> Any:
    """Press "Refresh from Pongo" on the rewards page and follow the redirect."""
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


def drawn_review(client: FlaskClient, public_id: str) -> str:
    """The version of a reward's review as its row on the Rewards page carries it now."""
    page = client.get("/rewards?q=" + public_id).get_data(as_text=True)
    row = re.search(rf'<tr id="row-{re.escape(public_id)}".*?</tr>', page, re.DOTALL)
    found = re.search(r'name="version" value="([^"]*)"', row.group(0)) if row else None
    return found.group(1) if found else ""


def link(app: Flask, ref: str, slug: str) -> None:
    """Link a location to a Pongo store (the Locations page's job, tested there)."""
    with app.app_context():
        location = db.session.scalar(select(Location).where(Location.ref == ref))
        assert location is not None
        location.store_slug = slug
        db.session.commit()


def mark(client: FlaskClient, public_id: str, reason: str, note: str = "", **listing: str) -> Any:
    """Press "Mark as reviewed" on a reward's row, as the page's form does."""
    data = {
        "csrf_token": csrf_token(client, "/rewards"),
        "reason": reason,
        "note": note,
        "version": drawn_review(client, public_id),
    }
    return client.post(f"/rewards/{public_id}/review", data={**data, **listing})
