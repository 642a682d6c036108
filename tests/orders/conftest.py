"""A merchant connected to the sandbox with linked locations, and relay settings for tests."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.connect import connect_merchant
from tests.helpers.orders import LOCATIONS, RELAY_TEST_SETTINGS, OrdersApi, link_locations


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Relay settings made for tests, added to the root `app`."""
    return RELAY_TEST_SETTINGS


@pytest.fixture
def relay_app(app: Flask) -> Flask:
    """The portal talking to the sandbox, with relay settings made for tests."""
    return app


@pytest.fixture
def connected_merchant(
    client: FlaskClient, pongo: httpx.Client, api: OrdersApi, relay_app: Flask
) -> str:
    """M1, signed in, connected to the sandbox's demo account, with L1 and L2 linked."""
    connect_merchant(client, pongo)
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    link_locations(relay_app)
    return "M1"
