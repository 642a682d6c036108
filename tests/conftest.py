"""Fixtures every folder shares; each name means one thing across the suite.

app             the portal on a fresh database (SQLite, and PostgreSQL when configured),
                talking to the demo sandbox; a folder adds settings through `app_settings`
client          a browser-like test client of `app`
api_key, api    a fresh POS API key of `app`, and the POS API called with it
merchant_client a browser signed in as M1, connected to the demo Pongo account, catalogue pushed
connected_merchant  M1 signed in on `client`, connected, locations L1 and L2 linked (its ref)
pongo, http     an HTTP client on the demo sandbox, and one on the shop sandbox, each reset
staffed, agent, admin   support accounts and merchants; a client signed in as each role
Helpers that are not fixtures live in tests/helpers/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox, start_sandbox
from tests.helpers.api import Api, new_key
from tests.helpers.apps import dispose_apps, empty_database, make_app
from tests.helpers.connect import connect_merchant
from tests.helpers.databases import BACKENDS
from tests.helpers.orders import LOCATIONS as ORDER_LOCATIONS
from tests.helpers.orders import link_locations
from tests.helpers.rewards import push_catalogue
from tests.helpers.shop import FIXTURE as SHOP_FIXTURE
from tests.helpers.staff import ADMIN, AGENT, add_merchant, add_staff, sign_in
from tests.helpers.tallies import stale_tallies


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    """After each test, close the connections of the apps it made."""
    yield
    dispose_apps()


@pytest.fixture
def app_settings() -> dict[str, Any]:
    """Settings a folder adds to `app` (a folder's conftest overrides this, never `app`)."""
    return {}


@pytest.fixture
def app(
    database_url: str, sandbox: RunningSandbox, app_settings: dict[str, Any]
) -> Iterator[Flask]:
    """The portal on a fresh database, talking to the demo sandbox as its Pongo.

    When the test ends, every merchant's kept location tally must still equal its
    locations counted afresh, whatever the test wrote and however.
    """
    made = make_app(database_url, pongo_base_url=sandbox.url, **app_settings)
    yield made
    assert stale_tallies(made) == {}


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def api_key(app: Flask) -> str:
    """A fresh POS API key of `app`, in plaintext."""
    return new_key(app)


@pytest.fixture
def api(app: Flask, api_key: str) -> Api:
    """The POS API of `app`, called with `api_key` from a client of its own."""
    return Api(app.test_client(), api_key)


def _served(fixture: dict[str, Any] | Path) -> Iterator[RunningSandbox]:
    """A sandbox holding `fixture`, with its test controls, served over HTTP."""
    with start_sandbox(fixture, controls=True) as running:
        yield running


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    """The Pongo sandbox with the demo fixture, served over HTTP for the whole run."""
    yield from _served(DEMO_FIXTURE)


@pytest.fixture
def pongo(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """An HTTP client on the sandbox, reset to its fixture (the merchant's browser on Pongo)."""
    with httpx.Client(base_url=sandbox.url) as http:
        assert http.post("/_sandbox/reset").status_code == 200
        yield http


@pytest.fixture(scope="session")
def shop_sandbox() -> Iterator[RunningSandbox]:
    """The Pongo sandbox with the small Alice-and-Bob fixture of tests/helpers/shop.py."""
    yield from _served(SHOP_FIXTURE)


@pytest.fixture(scope="module")
def _module_http(shop_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    # One connection pool per module: building an httpx client is slow.
    with httpx.Client(base_url=shop_sandbox.url) as client:
        yield client


@pytest.fixture
def http(_module_http: httpx.Client) -> httpx.Client:
    """An HTTP client on the shop sandbox, reset to its fixture, its pool kept per module."""
    assert _module_http.post("/_sandbox/reset").status_code == 200
    return _module_http


@pytest.fixture
def pongo_app(app: Flask) -> Flask:
    """The same portal as `app`, named for tests that stress it talks to the sandbox."""
    return app


@pytest.fixture
def merchant_client(client: FlaskClient, pongo: httpx.Client, api: Api) -> FlaskClient:
    """A browser signed in as M1, connected to the demo Pongo account, catalogue pushed."""
    connect_merchant(client, pongo)
    push_catalogue(api)
    return client


@pytest.fixture
def connected_merchant(client: FlaskClient, pongo: httpx.Client, api: Api, app: Flask) -> str:
    """M1, signed in, connected to the sandbox's demo account, with L1 and L2 linked."""
    connect_merchant(client, pongo)
    assert api.put("/merchants/M1/locations", {"locations": ORDER_LOCATIONS}).status_code == 200
    link_locations(app)
    return "M1"


@pytest.fixture
def staffed(app: Flask) -> Flask:
    """An app with a support agent, a support admin and two merchants."""
    add_staff(app, AGENT)
    add_staff(app, ADMIN, role="support-admin")
    add_merchant(app, "M1", "Boulangerie Lumière", status="connected", account_name="Lumière Pongo")
    add_merchant(app, "M2", "Café Tropique", status="needs_reconnection", account_name="Tropique")
    add_merchant(app, "M3", "Épicerie Nord")
    return app


@pytest.fixture
def agent(staffed: Flask) -> FlaskClient:
    """A client signed in as a support agent."""
    client = staffed.test_client()
    assert sign_in(client).status_code == 302
    return client


@pytest.fixture
def admin(staffed: Flask) -> FlaskClient:
    """A client signed in as a support admin."""
    client = staffed.test_client()
    assert sign_in(client, ADMIN).status_code == 302
    return client
