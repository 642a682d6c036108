"""The search column's migration fills the column for catalogues pushed before it."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from tests.helpers.settings import TEST_SETTINGS


def test_migration_fills_the_search_text_of_existing_products(database_url: str) -> None:
    app = create_app({**TEST_SETTINGS, "database_url": database_url})
    with app.app_context():
        upgrade(revision="57444a16f6e1")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO merchants (id, ref, name, created_at, updated_at) "
                    "VALUES (1, 'M1', 'Lumière', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO products (merchant_id, ref, sku, name, has_paid_options,"
                    " updated_at) VALUES (1, 'P1', 'BAK-012', 'Éclair au café', false,"
                    " CURRENT_TIMESTAMP)"
                )
            )
        upgrade()
        with db.engine.connect() as connection:
            stored = connection.execute(text("SELECT search_text FROM products")).scalar_one()
        db.engine.dispose()
    assert stored == " eclair au cafe bak 012 bak012"
