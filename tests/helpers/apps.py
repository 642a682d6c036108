"""Apps on test databases, and closing their connections."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from portal import create_app
from portal.extensions import db
from tests.helpers.databases import private_schema
from tests.helpers.settings import TEST_SETTINGS

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


@contextmanager
def empty_database(backend: str, folder: Path) -> Iterator[str]:
    """An empty database: an SQLite file in `folder`, or a private PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'portal.db'}"
        return
    with private_schema() as url:
        yield url
        dispose_apps()
