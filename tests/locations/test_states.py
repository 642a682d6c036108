"""A location's link state, one table read row by row and counted in SQL, and the store refresh."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import httpx
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.locations.guide import location_problems
from portal.locations.states import FACTS_OF, STATES, LinkState, conditions, state_of
from portal.locations.stores import cached_stores, last_sync
from portal.models.audit import AuditEvent
from portal.models.locations import Location, PongoStore, StoreSync
from portal.models.merchant import Merchant
from tests.helpers.locations import fetch_stores
from tests.helpers.shop import ALICE

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_stores_sent_twice_are_cached_and_counted_once(
    app: Flask, http: httpx.Client, merchant_ref: str
) -> None:
    stores = [
        {"slug": "paris-11", "name": "Paris 11"},
        {"slug": "lyon-2", "name": "Lyon 2"},
        {"slug": "paris-11", "name": "Paris 11 (again)"},
    ]
    answer = http.put(
        f"/_sandbox/accounts/{ALICE}/stores", json={"stores": stores, "unchecked": True}
    )
    assert answer.status_code == 200
    assert fetch_stores(app, http, merchant_ref) == 2
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == merchant_ref))
        assert merchant is not None
        sync = last_sync(merchant)
        assert sync is not None
        assert sync.store_count == 2
        assert {s.slug: s.name for s in cached_stores(merchant).values()} == {
            "paris-11": "Paris 11 (again)",
            "lyon-2": "Lyon 2",
        }
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "stores.refresh"))
        assert event is not None
        assert event.details == {"stores": 2}


def test_each_location_is_counted_in_sql_under_the_state_it_shows(app: Flask) -> None:
    # Every combination of the facts a state depends on, one location each.
    with app.app_context():
        merchant = Merchant(ref="M9", name="States")
        db.session.add(merchant)
        db.session.flush()
        combinations = itertools.product(
            (False, True),  # archived
            (None, "kept", "renamed", "gone"),  # the store linked, as Pongo has it now
            (None, "", "Kept", "Old name"),  # store name at link
            (False, True),  # marked "no Pongo store"
        )
        for n, (archived, store, name_at_link, no_store) in enumerate(combinations):
            # A store is linked to one location at most: each location gets its own.
            slug = f"{store}-{n}" if store else None
            if store in ("kept", "renamed"):
                name = "Kept" if store == "kept" else "New name"
                db.session.add(PongoStore(merchant_id=merchant.id, slug=slug, name=name))
            db.session.add(
                Location(
                    merchant_id=merchant.id,
                    ref=f"L{n:03d}",
                    name=f"Location {n}",
                    archived_at=NOW if archived else None,
                    store_slug=slug,
                    store_name_at_link=name_at_link,
                    no_store_at=NOW if no_store else None,
                )
            )
        db.session.flush()
        for synced in (False, True):
            if synced:
                db.session.add(StoreSync(merchant_id=merchant.id, synced_at=NOW, store_count=2))
                db.session.flush()
            stores = cached_stores(merchant)
            locations = db.session.scalars(
                select(Location).where(Location.merchant_id == merchant.id)
            ).all()
            shown = {loc.ref: state_of(loc, stores, synced) for loc in locations}
            # Every state is reached (orphaned only once the stores were fetched).
            unreached = set() if synced else {LinkState.ORPHANED}
            assert set(shown.values()) == set(LinkState) - unreached
            for state, facts in STATES[:-1]:
                counted = set(
                    db.session.scalars(select(Location.ref).where(*conditions(merchant.id, *facts)))
                )
                assert counted == {ref for ref, s in shown.items() if s is state}, state
            problems = location_problems(merchant)
            for key in ("unlinked", "orphaned", "renamed"):
                assert problems[key] == sum(1 for s in shown.values() if s == key)
        assert FACTS_OF[LinkState.LINKED] == ()
