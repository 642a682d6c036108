"""A merchant with locations pushed through the API, and Pongo stores from the sandbox."""

from __future__ import annotations

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.api import Api
from tests.helpers.launch import launch
from tests.helpers.locations import ALICE_CLAIMS, fetch_stores, push_alice


@pytest.fixture
def merchant_ref(api: Api) -> str:
    """Merchant M1 with three locations pushed by the POS."""
    push_alice(api)
    return "M1"


@pytest.fixture
def shop_client(
    client: FlaskClient, merchant_ref: str, app: Flask, http: httpx.Client
) -> FlaskClient:
    """A browser signed in as M1, whose stores were fetched from the shop sandbox."""
    fetch_stores(app, http)
    launch(client, **ALICE_CLAIMS)
    return client
