"""A merchant with locations pushed through the API, and Pongo stores from the sandbox."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.audit.actor import SYSTEM
from portal.extensions import db
from portal.locations.operations import refresh_stores
from portal.models.merchant import Merchant
from portal.pongo import PongoClient, PongoSettings
from tests.api.conftest import Api
from tests.conftest import launch
from tests.sandbox.support import (
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


@pytest.fixture
def merchant_ref(api: Api) -> str:
    """Merchant M1 with three locations pushed by the POS."""
    api.put("/merchants/M1", {"name": "Alice's Bakery"})
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    return "M1"


def refresh(app: Flask, pongo: httpx.Client, ref: str = "M1", login: str = ALICE) -> int:
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


@pytest.fixture
def merchant_client(
    client: FlaskClient, merchant_ref: str, app: Flask, shop_pongo: httpx.Client
) -> FlaskClient:
    """A browser signed in as M1, whose stores were fetched from the shop sandbox."""
    refresh(app, shop_pongo)
    launch(client, merchant_ref="M1", merchant_name="Alice's Bakery")
    return client


def stores(api: Api, ref: str = "M1") -> dict[str, tuple[str, str | None]]:
    """Location ref -> (pongo_store, loyalty_store_slug), as the POS reads them."""
    return {
        x["ref"]: (x["pongo_store"], x["loyalty_store_slug"])
        for x in api.get(f"/merchants/{ref}/locations").json["locations"]
    }


_DRAWN = re.compile(
    r'name="ref" value="([^"]*)">\s*<input type="hidden" name="was" value="([^"]*)">'
    r'\s*<input type="hidden" name="version" value="(\d+)">'
)


def drawn_rows(html: str) -> dict[str, tuple[str, str]]:
    """Location ref -> (link, link version) as the links table of a page was drawn."""
    return {ref: (was, version) for ref, was, version in _DRAWN.findall(html)}


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
