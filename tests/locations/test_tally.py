"""Each merchant's location tally: kept by every write of its locations, read by the pages."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from portal.extensions import db
from portal.locations import tally
from portal.models.locations import Location, LocationTally
from portal.models.merchant import Merchant
from tests.helpers.api import Api
from tests.helpers.tallies import stale_tallies

LOCATIONS = [{"ref": f"L{n}", "name": f"Boutique {n}"} for n in range(1, 4)]


def _merchant_id(app: Flask) -> int:
    with app.app_context():
        merchant_id = db.session.scalar(select(Merchant.id).where(Merchant.ref == "M1"))
        assert merchant_id is not None
        return merchant_id


def _kept(app: Flask, merchant_id: int) -> LocationTally | None:
    with app.app_context():
        found = db.session.get(LocationTally, merchant_id)
        db.session.expunge_all()
        return found


def test_a_location_push_keeps_the_counts_and_an_archive_moves_them(api: Api, app: Flask) -> None:
    assert api.put("/merchants/M1", {"name": "Lumière"}).status_code in (200, 201)
    merchant_id = _merchant_id(app)
    empty = _kept(app, merchant_id)
    assert empty is not None
    assert (empty.active, empty.unlinked) == (0, 0)

    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    pushed = _kept(app, merchant_id)
    assert pushed is not None
    assert (pushed.active, pushed.unlinked, pushed.unlinked_ref) == (3, 3, "L1")

    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS[1:]}).status_code == 200
    archived = _kept(app, merchant_id)
    assert archived is not None
    assert (archived.active, archived.inactive, archived.unlinked_ref) == (2, 1, "L2")
    assert stale_tallies(app) == {}


def test_pages_read_the_kept_tally_rather_than_counting(api: Api, app: Flask) -> None:
    assert api.put("/merchants/M1", {"name": "Lumière"}).status_code in (200, 201)
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    merchant_id = _merchant_id(app)
    with app.app_context():
        # Not a write of locations: the tally keeps the number put in, as a page would read it.
        db.session.execute(
            update(LocationTally).where(LocationTally.merchant_id == merchant_id).values(active=41)
        )
        db.session.commit()
        assert tally.read(merchant_id)["active"] == 41
        db.session.execute(
            update(LocationTally).where(LocationTally.merchant_id == merchant_id).values(active=3)
        )
        db.session.commit()


def test_a_bulk_write_of_unknown_merchant_leaves_every_merchant_counted_afresh(
    api: Api, app: Flask
) -> None:
    assert api.put("/merchants/M1", {"name": "Lumière"}).status_code in (200, 201)
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    merchant_id = _merchant_id(app)
    with app.app_context():
        db.session.execute(delete(Location).where(Location.ref == "L3"))
        db.session.commit()
        assert db.session.scalars(select(LocationTally)).all() == []
        # Counted afresh until the next write: L3 is gone.
        assert tally.read(merchant_id)["active"] == 2
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    again = _kept(app, merchant_id)
    assert again is not None
    assert again.active == 3


def test_a_bulk_write_naming_its_merchant_rewrites_that_tally(api: Api, app: Flask) -> None:
    assert api.put("/merchants/M1", {"name": "Lumière"}).status_code in (200, 201)
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    merchant_id = _merchant_id(app)
    with app.app_context():
        db.session.execute(
            update(Location)
            .where(Location.merchant_id == merchant_id, Location.ref == "L1")
            .values(store_slug="gone-store")
        )
        db.session.commit()
    kept = _kept(app, merchant_id)
    assert kept is not None
    assert (kept.unlinked, kept.unlinked_ref) == (2, "L2")


def _unlink(app: Flask, merchant_id: int, ref: str) -> None:
    """Give one location a store, written as a bulk update naming the merchant."""
    db.session.execute(
        update(Location)
        .where(Location.merchant_id == merchant_id, Location.ref == ref)
        .values(store_slug=f"store-{ref}")
    )


def test_two_transactions_writing_one_merchant_at_once_keep_both_changes(
    api: Api, app: Flask, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only (SQLite has one writer at a time)")
    assert api.put("/merchants/M1", {"name": "Lumière"}).status_code in (200, 201)
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    merchant_id = _merchant_id(app)
    counted = threading.Event()
    release = threading.Event()

    def first() -> None:
        with app.app_context():
            _unlink(app, merchant_id, "L1")
            # Holds the tally row, as a commit does just before committing, then waits.
            tally.refresh(merchant_id)
            counted.set()
            release.wait(10)
            db.session.commit()

    def second() -> None:
        with app.app_context():
            _unlink(app, merchant_id, "L2")
            db.session.commit()  # waits for the first to commit, then counts both

    one = threading.Thread(target=first)
    one.start()
    assert counted.wait(10)
    two = threading.Thread(target=second)
    two.start()
    time.sleep(0.3)
    assert two.is_alive(), "the second commit did not wait for the tally row"
    release.set()
    one.join(10)
    two.join(10)
    kept = _kept(app, merchant_id)
    assert kept is not None
    assert (kept.unlinked, kept.unlinked_ref) == (1, "L3")
