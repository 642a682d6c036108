"""Shared fixtures: an app on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from portal import create_app
from portal.entry.tokens import sign_launch_token
from portal.extensions import db

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
    _drop_postgres_schema(schema)


def make_app(database_url: str, **overrides: Any) -> Flask:
    """An app with test settings on the given database, tables created."""
    app = create_app({**TEST_SETTINGS, "database_url": database_url, **overrides})
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The portal on a fresh database."""
    app = make_app(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser-like test client."""
    return app.test_client()


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


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of the current session, read from a rendered page."""
    import re

    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)
