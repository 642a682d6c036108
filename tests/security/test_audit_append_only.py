"""SEC-26: audit rows cannot be updated or deleted, refused by the PostgreSQL database itself."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.extensions import db
from tests.helpers.settings import TEST_SETTINGS


def _insert_event(connection: object) -> None:
    connection.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO audit_events (at, actor, actor_kind, action, details)"
            " VALUES (now(), 'owner@example.com', 'merchant_user', 'launch', '{}')"
        )
    )


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE audit_events SET actor = 'someone else'",
        "UPDATE audit_events SET reason = 'rewritten' WHERE action = 'launch'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ],
)
def test_audit_rows_cannot_be_changed_on_postgresql(database_url: str, change: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the append-only guard is a PostgreSQL trigger")
    app = create_app({**TEST_SETTINGS, "database_url": database_url})
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            _insert_event(connection)
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(change))
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT actor, reason FROM audit_events")).all()
        assert rows == [("owner@example.com", None)]
        with db.engine.begin() as connection:
            _insert_event(connection)  # adding stays possible
        db.engine.dispose()


def test_the_guard_is_removed_on_downgrade(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the append-only guard is a PostgreSQL trigger")
    app = create_app({**TEST_SETTINGS, "database_url": database_url})
    with app.app_context():
        upgrade()
        downgrade(revision="57444a16f6e1")
        with db.engine.begin() as connection:
            _insert_event(connection)
            connection.execute(text("DELETE FROM audit_events"))
        db.engine.dispose()
