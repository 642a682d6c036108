"""A merchant with locations pushed through the API, and Pongo stores from the sandbox."""

from __future__ import annotations

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.api import Api
from tests.helpers.launch import launch
from tests.helpers.locations import LOCATIONS, fetch_stores


@pytest.fixture
def merchant_ref(api: Api) -> str:
    """Merchant M1 with three locations pushed by the POS."""
    api.put("/merchants/M1", {"name": "Alice's Bakery"})
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    return "M1"


@pytest.fixture
def shop_client(
    client: FlaskClient, merchant_ref: str, app: Flask, shop_pongo: httpx.Client
) -> FlaskClient:
    """A browser signed in as M1, whose stores were fetched from the shop sandbox."""
    fetch_stores(app, shop_pongo)
    launch(client, merchant_ref="M1", merchant_name="Alice's Bakery")
    return client
