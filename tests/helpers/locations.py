"""Locations pushed by the POS and stores fetched from the shop sandbox."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.audit.actor import SYSTEM
from portal.extensions import db
from portal.locations.operations import refresh_stores
from portal.models.merchant import Merchant
from portal.pongo import PongoClient, PongoSettings
from tests.helpers.api import Api
from tests.helpers.shop import (
    ALICE,
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    password_token,
)

LOCATIONS = [
    {
        "ref": "L1",
        "name": "Alice Paris",
        "address": "1 rue de Rivoli",
        "city": "Paris",
        "postal_code": "75001",
    },
    {"ref": "L2", "name": "Alice Lyon", "city": "Lyon"},
    {"ref": "L3", "name": "Warehouse", "city": "Rungis"},
]

# Launch claims of M1 as the shop sandbox's Alice, whose stores the locations above match.
ALICE_CLAIMS = {"merchant_ref": "M1", "merchant_name": "Alice's Bakery"}


def push_alice(api: Api, locations: list[dict[str, Any]] = LOCATIONS) -> None:
    """The POS pushes M1 as Alice's Bakery, with these locations."""
    api.put("/merchants/M1", {"name": ALICE_CLAIMS["merchant_name"]})
    assert api.put("/merchants/M1/locations", {"locations": locations}).status_code == 200


def fetch_stores(app: Flask, pongo: httpx.Client, ref: str = "M1", login: str = ALICE) -> int:
    """Fetch the merchant's stores from the sandbox with a fresh token, and commit."""
    token = password_token(pongo, login)["access_token"]
    settings = PongoSettings(
        base_url=str(pongo.base_url).rstrip("/"),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
    )
    with app.app_context(), PongoClient(settings, access_token=lambda: token) as client:
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == ref))
        assert merchant is not None
        count = refresh_stores(merchant=merchant, client=client, actor=SYSTEM)
        db.session.commit()
    return count


def stores(api: Api, ref: str = "M1") -> dict[str, tuple[str, str | None]]:
    """Location ref -> (pongo_store, loyalty_store_slug), as the POS reads them."""
    return {
        x["ref"]: (x["pongo_store"], x["loyalty_store_slug"])
        for x in api.get(f"/merchants/{ref}/locations").json["locations"]
    }


def listed(page: str) -> list[str]:
    """The refs of the locations a Locations page lists, in its order."""
    return re.findall(r'<tr id="row-([^"]+)"', page)


_DRAWN = re.compile(
    r'name="ref" value="([^"]*)">\s*<input type="hidden" name="was" value="([^"]*)">'
    r'\s*<input type="hidden" name="version" value="(\d+)">'
)


def drawn_rows(page: str) -> dict[str, tuple[str, str]]:
    """Location ref -> (link, link version) as the links table of a page was drawn."""
    return {ref: (was, version) for ref, was, version in _DRAWN.findall(page)}


def post_links(
    client: FlaskClient,
    token: str,
    links: dict[str, str],
    drawn: dict[str, tuple[str, str]] | None = None,
    **extra: Any,
) -> Any:
    """Submit the links table with these rows, as drawn by `drawn` (by default: a page now)."""
    if drawn is None:
        drawn = {}
        for url in ("/locations", "/locations?show=inactive"):
            drawn |= drawn_rows(client.get(url).get_data(as_text=True))
    return client.post(
        "/locations",
        data={
            "csrf_token": token,
            "ref": list(links),
            "store": list(links.values()),
            "was": [html.unescape(drawn.get(ref, ("", "0"))[0]) for ref in links],
            "version": [drawn.get(ref, ("", "0"))[1] for ref in links],
            **extra,
        },
    )


def accept_suggestions(
    client: FlaskClient, token: str, threshold: str, drawn: dict[str, str], **options: Any
) -> Any:
    """Press "Accept suggestions" at `threshold` for these rows (ref -> version as drawn)."""
    return client.post(
        "/locations/accept",
        data={
            "csrf_token": token,
            "threshold": threshold,
            "ref": list(drawn),
            "version": list(drawn.values()),
        },
        **options,
    )
