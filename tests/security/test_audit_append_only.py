"""SEC-26: audit rows cannot be updated or deleted, refused by the PostgreSQL database itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.extensions import db
from tests.helpers.settings import TEST_SETTINGS


def _insert_event(connection: Connection) -> None:
    connection.execute(
        text(
            "INSERT INTO audit_events (at, actor, actor_kind, action, details)"
            " VALUES (now(), 'owner@example.com', 'merchant_user', 'launch', '{}')"
        )
    )


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The engine of a portal migrated on PostgreSQL, inside the portal's app context."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the append-only guard is a PostgreSQL trigger")
    app = create_app({**TEST_SETTINGS, "database_url": database_url})
    with app.app_context():
        upgrade()
        yield db.engine
        db.engine.dispose()


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE audit_events SET actor = 'someone else'",
        "UPDATE audit_events SET reason = 'rewritten' WHERE action = 'launch'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ],
)
def test_audit_rows_cannot_be_changed_on_postgresql(engine: Engine, change: str) -> None:
    with engine.begin() as connection:
        _insert_event(connection)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(change))
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT actor, reason FROM audit_events")).all()
    assert rows == [("owner@example.com", None)]
    with engine.begin() as connection:
        _insert_event(connection)  # adding stays possible


def _functions(connection: Connection) -> list[str]:
    """The names of the functions in the test's own PostgreSQL schema."""
    rows = connection.execute(
        text(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = current_schema()"
        )
    )
    return [name for (name,) in rows]


def test_the_guard_is_removed_on_downgrade(engine: Engine) -> None:
    with engine.connect() as connection:
        assert _functions(connection) == ["audit_events_append_only"]
    downgrade(revision="base")
    with engine.connect() as connection:
        assert _functions(connection) == []
