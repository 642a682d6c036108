"""The portal on a migrated database (so the audit trigger is the real one), with the relay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from portal.sandbox.server import RunningSandbox
from tests.helpers.apps import _APPS
from tests.helpers.orders import RELAY_TEST_SETTINGS
from tests.helpers.settings import TEST_SETTINGS


def migrated_app(database_url: str, **overrides: Any) -> Flask:
    """An app whose database is built by the migrations, triggers included."""
    app = create_app({**TEST_SETTINGS, "database_url": database_url, **overrides})
    with app.app_context():
        upgrade()
        db.session.remove()
    _APPS.append(app)
    return app


@pytest.fixture
def erasure_list(tmp_path: Path) -> Path:
    """Where the erasure list is copied, apart from the database."""
    return tmp_path / "erased-phones.jsonl"


@pytest.fixture
def privacy_settings() -> dict[str, Any]:
    """Settings a test module changes (retention periods)."""
    return {}


@pytest.fixture
def app(
    database_url: str,
    sandbox: RunningSandbox,
    erasure_list: Path,
    privacy_settings: dict[str, Any],
) -> Flask:
    """The portal talking to the sandbox, migrated, with relay settings made for tests."""
    return migrated_app(
        database_url,
        pongo_base_url=sandbox.url,
        privacy_erasure_list=str(erasure_list),
        **RELAY_TEST_SETTINGS,
        **privacy_settings,
    )


@pytest.fixture
def relay_app(app: Flask) -> Flask:
    """The same migrated app, under the name the relay's tests give it."""
    return app
