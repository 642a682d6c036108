"""Shared fixtures: an app on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox, start_sandbox
from tests.helpers.api import Api, new_key
from tests.helpers.apps import dispose_apps, empty_database, make_app
from tests.helpers.databases import BACKENDS
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token
from tests.helpers.rewards import push_catalogue
from tests.helpers.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from tests.helpers.shop import FIXTURE as SHOP_FIXTURE
from tests.helpers.staff import ADMIN, AGENT, add_merchant, add_staff, sign_in


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
def app(database_url: str, sandbox: RunningSandbox, app_settings: dict[str, Any]) -> Flask:
    """The portal on a fresh database, talking to the demo sandbox as its Pongo."""
    return make_app(database_url, pongo_base_url=sandbox.url, **app_settings)


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


def _reset_http(running: RunningSandbox) -> Iterator[httpx.Client]:
    """An HTTP client on a sandbox, reset to its fixture first."""
    with httpx.Client(base_url=running.url) as http:
        assert http.post("/_sandbox/reset").status_code == 200
        yield http


@pytest.fixture(scope="session")
def sandbox() -> Iterator[RunningSandbox]:
    """The Pongo sandbox with the demo fixture, served over HTTP for the whole run."""
    yield from _served(DEMO_FIXTURE)


@pytest.fixture
def pongo(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """An HTTP client on the sandbox, reset to its fixture (the merchant's browser on Pongo)."""
    yield from _reset_http(sandbox)


@pytest.fixture(scope="session")
def shop_sandbox() -> Iterator[RunningSandbox]:
    """The Pongo sandbox with the small Alice-and-Bob fixture of tests/helpers/shop.py."""
    yield from _served(SHOP_FIXTURE)


@pytest.fixture
def shop_pongo(shop_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """An HTTP client on the shop sandbox, reset to its fixture."""
    yield from _reset_http(shop_sandbox)


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


def start_connect(client: FlaskClient) -> str:
    """Press "Connect Pongo"; returns the URL of Pongo's consent form."""
    response = client.post("/connect/start", data={"csrf_token": csrf_token(client, "/connect/")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def consent(
    http: httpx.Client,
    form_url: str,
    *,
    decision: str = "approve",
    login: str = DEMO_LOGIN,
    password: str = DEMO_PASSWORD,
) -> str:
    """Sign in on Pongo's form and decide; returns the redirect back to the portal."""
    from tests.helpers.shop import read_form

    page = http.get(form_url)
    assert page.status_code == 200, page.text
    form = read_form(page.text)
    assert form.action
    consent_page = http.post(
        form.action, data={**form.fields, "login": login, "password": password}
    )
    form = read_form(consent_page.text)
    assert form.action
    answer = http.post(form.action, data={**form.fields, "decision": decision})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def connect_merchant(client: FlaskClient, http: httpx.Client, **launch_claims: Any) -> Any:
    """Launch as a merchant and connect Pongo through the sandbox's real OAuth form."""
    launch(client, **launch_claims)
    back = consent(http, start_connect(client))
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


@pytest.fixture
def merchant_client(client: FlaskClient, pongo: httpx.Client, api: Api) -> FlaskClient:
    """A browser signed in as M1, connected to the demo Pongo account, catalogue pushed."""
    connect_merchant(client, pongo)
    push_catalogue(api)
    return client


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
