"""The watcher: a merchant's summary compared with what was seen and told, into the outbox."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from portal.extensions import db
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.merchant import Merchant
from portal.models.pos_events import PosEvent, PosStatus
from portal.pongo.connection import mark_needs_reconnection
from portal.pos_status.changes import Step
from portal.pos_status.services import watch
from tests.helpers.locations import LOCATIONS
from tests.helpers.orders import OrdersApi, fake_connection, link_locations

WINDOW = timedelta(seconds=30)


def watched(app: Flask, ref: str = "M1") -> Step:
    """One look of the watcher at the merchant, committed as the worker does."""
    with app.test_request_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == ref))
        assert merchant is not None
        step = watch(merchant, window=WINDOW)
        db.session.commit()
        return step


def events(app: Flask) -> list[PosEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(PosEvent).order_by(PosEvent.id)))
        db.session.expunge_all()
        return rows


def set_connection(app: Flask, status: str) -> None:
    with app.app_context():
        db.session.execute(update(PongoConnection).values(status=status))
        db.session.commit()


def merchant_id(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(Merchant.id).where(Merchant.ref == "M1"))
        assert found is not None
        return found


def test_a_rejected_token_opens_one_event_that_later_changes_rewrite_then_undo(
    api: OrdersApi, relay_app: Flask
) -> None:
    assert api.put("/merchants/M1", {"name": "Boulangerie Lumière"}).status_code == 201
    assert api.put("/merchants/M1/locations", {"locations": LOCATIONS}).status_code == 200
    fake_connection(relay_app, "M1", "Boulangerie Lumière")
    assert watched(relay_app) is Step.NOTHING  # first seen: the baseline
    assert events(relay_app) == []

    with relay_app.app_context():
        assert mark_needs_reconnection(merchant_id(relay_app), "token refused")
    assert watched(relay_app) is Step.OPEN
    [opened] = events(relay_app)
    assert opened.summary["connection"] == "needs_reconnection"
    assert opened.summary["problems"]["locations"] == 3
    assert opened.body is None  # open: nobody tried to send it yet

    link_locations(relay_app, links={"L1": "lumiere-paris-11"})
    assert watched(relay_app) is Step.UPDATE
    [rewritten] = events(relay_app)
    assert rewritten.event_id == opened.event_id
    assert rewritten.summary["problems"]["locations"] == 2
    assert rewritten.next_attempt_at == opened.next_attempt_at  # the window does not move

    set_connection(relay_app, ConnectionStatus.CONNECTED)
    assert watched(relay_app) is Step.CANCEL  # back to what the POS knows: nothing to say
    assert events(relay_app) == []


def test_the_summary_reads_when_the_watcher_saw_it_change(api: OrdersApi, relay_app: Flask) -> None:
    assert api.put("/merchants/M1", {"name": "Boulangerie Lumière"}).status_code == 201
    fake_connection(relay_app, "M1", "Boulangerie Lumière")
    watched(relay_app)
    with relay_app.app_context():
        seen = db.session.get(PosStatus, merchant_id(relay_app))
        assert seen is not None
        recorded = seen.changed_at
    assert api.get("/merchants/M1/summary").json["changed_at"] == recorded.isoformat().replace(
        "+00:00", "Z"
    )
    watched(relay_app)  # nothing changed: the time stays
    with relay_app.app_context():
        again = db.session.get(PosStatus, merchant_id(relay_app))
        assert again is not None
        assert again.changed_at == recorded
    set_connection(relay_app, ConnectionStatus.NEEDS_RECONNECTION)
    # Not seen by the watcher yet: the change reads as now, later than what was recorded.
    assert api.get("/merchants/M1/summary").json["changed_at"] > recorded.isoformat()
