"""Merchant pages are served again while the data they show is unchanged, and never after.

Each test changes data through a real path (the POS API, a worker's own connection, another
app on the same database) and checks the next page view shows it.
"""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.models.revision import DataRevision
from portal.pagecache import PageCache, current_revision, written_tables
from portal.sessions import revoke_merchant_sessions
from tests.helpers.api import Api, new_key
from tests.helpers.apps import make_app
from tests.helpers.launch import launch
from tests.helpers.queries import counting


def revision(app: Flask) -> int:
    """The data revision as committed."""
    with app.app_context():
        return current_revision()


def seen_twice(client: FlaskClient, path: str = "/") -> str:
    """View a page until it is kept (the first view makes the form token), return its HTML."""
    client.get(path)
    return client.get(path).get_data(as_text=True)


def test_an_unchanged_page_is_served_again_without_reading_its_data(
    app: Flask, client: FlaskClient
) -> None:
    launch(client)
    first = seen_twice(client)
    with counting(app) as seen:
        again = client.get("/")
    assert again.status_code == 200
    assert again.get_data(as_text=True) == first
    # The session row with the revision: nothing of the page's own data.
    assert len(seen) == 1, seen
    assert again.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in again.headers


def test_a_change_through_the_pos_api_shows_on_the_next_view(
    app: Flask, client: FlaskClient
) -> None:
    launch(client)
    assert "Boulangerie Lumière" in seen_twice(client)
    api = Api(app.test_client(), new_key(app))
    before = revision(app)
    assert api.put("/merchants/M1", {"name": "Fromagerie Soleil"}).status_code == 200
    assert revision(app) > before
    page = client.get("/").get_data(as_text=True)
    assert "Fromagerie Soleil" in page


def test_a_write_on_a_workers_own_connection_moves_the_revision(app: Flask) -> None:
    with app.app_context():
        db.session.add(Merchant(ref="M9", name="Atelier"))
        db.session.commit()
        before = current_revision()
        # Workers write through db.engine.begin(), outside the ORM session.
        with db.engine.begin() as connection:
            connection.execute(update(Merchant).values(name="Atelier Nord"))
        assert current_revision() == before + 1
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE merchants SET name = 'Atelier Sud'"))
        assert current_revision() == before + 2


def test_reads_rollbacks_and_session_bookkeeping_leave_the_revision_alone(
    app: Flask, client: FlaskClient
) -> None:
    launch(client)
    seen_twice(client)
    before = revision(app)
    with app.app_context():
        db.session.execute(select(Merchant)).all()
        db.session.commit()
        db.session.execute(update(Merchant).values(name="Never"))
        db.session.rollback()
    client.get("/locations")
    client.post("/language", data={"locale": "fr"})  # refused without a form token: no write
    assert revision(app) == before


def test_another_process_writing_to_the_same_database_invalidates_the_page(
    app: Flask, client: FlaskClient, database_url: str
) -> None:
    launch(client)
    assert "Boulangerie Lumière" in seen_twice(client)
    other = make_app(database_url)  # a second web worker or a relay worker: its own engine
    with other.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert merchant is not None
        merchant.name = "Épicerie Lune"
        db.session.commit()
    assert "Épicerie Lune" in client.get("/").get_data(as_text=True)


def test_sessions_never_share_a_kept_page(app: Flask) -> None:
    first, second = app.test_client(), app.test_client()
    launch(first, merchant_ref="M1", merchant_name="Boulangerie Lumière")
    launch(second, merchant_ref="M2", merchant_name="Pizzeria Stella")
    assert "Boulangerie Lumière" in seen_twice(first)
    page = seen_twice(second)
    assert "Pizzeria Stella" in page
    assert "Boulangerie Lumière" not in page


def test_the_language_asked_for_is_part_of_the_key(app: Flask, client: FlaskClient) -> None:
    launch(client)
    english = seen_twice(client)
    client.get("/", headers={"Accept-Language": "fr"})
    french = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'lang="en"' in english
    assert 'lang="fr"' in french


def test_pages_are_not_kept_when_the_cache_is_off(database_url: str) -> None:
    app = make_app(database_url, page_cache_seconds=0)
    client = app.test_client()
    launch(client)
    seen_twice(client)
    with counting(app) as seen:
        client.get("/")
    assert len(seen) > 1


def test_a_kept_page_expires() -> None:
    cache = PageCache(entries=2, seconds=0.05)
    cache.put(("a",), b"A", [])
    assert cache.get(("a",)) is not None
    time.sleep(0.06)
    assert cache.get(("a",)) is None


def test_the_least_recently_used_page_goes_first() -> None:
    cache = PageCache(entries=2, seconds=60)
    cache.put(("a",), b"A", [])
    cache.put(("b",), b"B", [])
    assert cache.get(("a",)) is not None
    cache.put(("c",), b"C", [])
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None
    assert len(cache) == 2


def test_written_tables_tells_writes_from_reads() -> None:
    assert written_tables("SELECT * FROM orders FOR UPDATE SKIP LOCKED", None) == set()
    assert written_tables('UPDATE "orders" SET status = 1', None) == {"orders"}
    assert written_tables("DELETE FROM locations WHERE id = 1", None) == {"locations"}
    assert written_tables(
        "INSERT INTO data_revision (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET id = 2", None
    ) == {"data_revision"}
    assert written_tables(
        "WITH due AS (SELECT id FROM order_relays) UPDATE order_relays SET status = 2", None
    ) == {"order_relays"}


def test_the_revision_row_starts_at_the_first_write(database_url: str) -> None:
    app = make_app(database_url)
    with app.app_context():
        assert db.session.get(DataRevision, 1) is None
        assert current_revision() == 0
        db.session.add(Merchant(ref="M3", name="Cave"))
        db.session.commit()
        assert current_revision() == 1


def test_a_kept_page_is_not_served_once_the_session_ends(app: Flask, client: FlaskClient) -> None:
    launch(client)
    seen_twice(client)
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert merchant is not None
        revoke_merchant_sessions(merchant.id)
        db.session.commit()
    answer = client.get("/")
    assert "Boulangerie Lumière" not in answer.get_data(as_text=True)
    assert answer.status_code in (302, 401)
