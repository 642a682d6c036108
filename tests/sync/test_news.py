"""What the overview calls news: not the merchant's own doing, not what leaves a row fine."""

from __future__ import annotations

import httpx
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.drift import DriftChange
from portal.models.merchant import Merchant
from portal.sync.compare import ChangeKind
from tests.helpers.api import Api
from tests.helpers.locations import post_links
from tests.helpers.pages import csrf_token
from tests.helpers.sync import (
    OWNER,
    change_skus,
    change_stores,
    changes_of,
    connect_two_merchants,
    make_due,
    run_sync,
)
from tests.sync.conftest import Mailbox

LISTED = "Changed at Pongo since your last visit"


def test_right_after_connecting_there_is_nothing_to_report(
    app: Flask, pongo: httpx.Client, api: Api
) -> None:
    first, _second = connect_two_merchants(app, pongo, api)
    assert "2 merchant(s) checked, 0 failed, 0 change(s)" in run_sync(app)
    assert LISTED not in first.get("/").get_data(as_text=True)


def test_a_store_deleted_before_the_first_check_is_news_and_mailed(
    app: Flask, pongo: httpx.Client, api: Api, mailbox: tuple[Mailbox, int]
) -> None:
    first, _second = connect_two_merchants(app, pongo, api)
    token = csrf_token(first, "/locations")
    assert post_links(first, token, {"L2": "lumiere-lyon-2"}).status_code == 302
    change_stores(pongo, gone={"lumiere-lyon-2"})

    run_sync(app)  # the first scheduled check: compared with the lists fetched when connecting

    assert (ChangeKind.STORE_GONE, "lumiere-lyon-2") in changes_of(app, "M1")
    assert 'href="/locations#row-L2"' in first.get("/").get_data(as_text=True)
    [mail] = mailbox[0].to(OWNER)
    assert "Lumière Lyon Bellecour" in mail.get_content()


def test_changes_the_merchant_fetched_are_not_news(
    app: Flask, pongo: httpx.Client, api: Api
) -> None:
    first, _second = connect_two_merchants(app, pongo, api)
    run_sync(app)
    change_skus(pongo, {"rew_1a7f3c9d02": "ZLT-88213"})
    # The merchant fixes things at Pongo and fetches the rewards again from the portal.
    token = csrf_token(first, "/rewards")
    assert first.post("/rewards/refresh", data={"csrf_token": token}).status_code == 302

    make_due(app)
    run_sync(app)

    assert changes_of(app, "M1") == []
    assert LISTED not in first.get("/").get_data(as_text=True)


def test_mark_as_read_hides_the_news_for_every_user_of_the_merchant_and_is_audited(
    app: Flask, pongo: httpx.Client, api: Api
) -> None:
    first, _second = connect_two_merchants(app, pongo, api)
    run_sync(app)
    change_stores(pongo, new=[{"slug": "lumiere-rennes", "name": "Rennes"}])
    make_due(app)
    run_sync(app)
    page = first.get("/").get_data(as_text=True)
    assert LISTED in page
    assert "Mark as read" in page

    token = csrf_token(first, "/")
    answer = first.post("/changes/read", data={"csrf_token": token})
    assert answer.status_code == 302
    page = first.get("/").get_data(as_text=True)
    assert LISTED not in page
    assert "Changes marked as read." in page
    with app.app_context():
        read = db.session.execute(
            select(Merchant.ref, DriftChange.read_at).join(
                Merchant, Merchant.id == DriftChange.merchant_id
            )
        ).all()
    # Marked for the whole of M1 (every user), and only for M1.
    assert {ref for ref, at in read if at is not None} == {"M1"}
    assert {ref for ref, at in read if at is None} == {"M2"}
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "drift.read"))
        assert event.details["count"] >= 1
    assert "as read" in first.get("/access-log").get_data(as_text=True)
