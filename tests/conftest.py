"""Shared fixtures: an app on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from portal import create_app
from portal.entry.tokens import sign_launch_token
from portal.extensions import db
from portal.sandbox import DEMO_FIXTURE
from portal.sandbox.server import RunningSandbox, start_sandbox
from tests.api.conftest import Api, new_key
from tests.sandbox.support import FIXTURE as SHOP_FIXTURE

LAUNCH_SECRET = "test-launch-secret-0123456789abcdef0123456789"
ISSUER = "pos-admin"
TEST_SETTINGS: dict[str, Any] = {
    "env": "test",
    "secret_key": "test-secret-key-0123456789abcdef0123456789",
    "launch_secret": LAUNCH_SECRET,
    "launch_issuer": ISSUER,
    "encryption_keys": "2D1zOnGm0h9oDydeGz1Lqyvkcq3Mxb0lC2c9b5Gq4tA=",
    "pongo_client_secret": "portal-demo-secret-7f3a9c2e",
    "base_url": "http://127.0.0.1:5000",
    "pos_admin_origin": "https://pos.example.com",
}

POSTGRES_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


def _postgres_schema_url() -> tuple[str, str]:
    """A private schema on the test PostgreSQL server, so tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}", schema


def _drop_postgres_schema(schema: str) -> None:
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal.db'}"
        return
    url, schema = _postgres_schema_url()
    yield url
    dispose_apps()
    _drop_postgres_schema(schema)


_APPS: list[Flask] = []


def make_app(database_url: str, **overrides: Any) -> Flask:
    """An app with test settings on the given database, tables created."""
    app = create_app({**TEST_SETTINGS, "database_url": database_url, **overrides})
    with app.app_context():
        db.create_all()
    _APPS.append(app)
    return app


def dispose_apps() -> None:
    """Close every pooled connection of the apps made so far (an unclosed one warns)."""
    while _APPS:
        app = _APPS.pop()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _close_connections() -> Iterator[None]:
    """After each test, close the connections of the apps it made."""
    yield
    dispose_apps()


@pytest.fixture
def app(database_url: str, sandbox: RunningSandbox) -> Flask:
    """The portal on a fresh database, talking to the demo sandbox as its Pongo."""
    return make_app(database_url, pongo_base_url=sandbox.url)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like test client."""
    return app.test_client()


@pytest.fixture
def api(app: Flask) -> Api:
    """The POS API of `app`, called with a fresh key."""
    return Api(app.test_client(), new_key(app))


def launch_token(**overrides: Any) -> str:
    """A valid launch token for merchant M1 unless told otherwise."""
    fields: dict[str, Any] = {
        "issuer": ISSUER,
        "merchant_ref": "M1",
        "merchant_name": "Boulangerie Lumière",
        "email": "owner@example.com",
        "name": "Camille Martin",
    }
    extra = overrides.pop("extra", None)
    fields.update(overrides)
    return sign_launch_token(LAUNCH_SECRET, extra=extra, **fields)


def launch(client: FlaskClient, **overrides: Any) -> Any:
    """Enter the portal as a merchant, the way the POS admin panel sends people."""
    return client.get("/launch", query_string={"token": launch_token(**overrides)})


DEMO_LOGIN = "demo@boulangerie-lumiere.fr"
DEMO_PASSWORD = "pongo-demo"


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
    """The Pongo sandbox with the small Alice-and-Bob fixture of tests/sandbox/support.py."""
    yield from _served(SHOP_FIXTURE)


@pytest.fixture
def shop_pongo(shop_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    """An HTTP client on the shop sandbox, reset to its fixture."""
    yield from _reset_http(shop_sandbox)


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
    from tests.sandbox.support import read_form

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


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of the current session, read from a rendered page."""
    import re

    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)
