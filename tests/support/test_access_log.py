"""The merchant's access log shows support access in plain words."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from portal.audit.actions import Audience, describe, visible_to
from portal.audit.actor import SYSTEM
from portal.audit.log import FOLDED
from portal.audit.services import record
from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.merchant import Merchant
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token
from tests.helpers.staff import AGENT, start_view


def test_merchant_sees_the_support_view_with_reason_and_times(
    staffed: Flask, agent: FlaskClient
) -> None:
    start_view(agent, reason="Ticket 4521: rewards not showing")
    agent.get("/")
    agent.get("/access-log")
    token = csrf_token(agent, "/")
    agent.post("/support/view/end", data={"csrf_token": token})

    merchant = staffed.test_client()
    launch(merchant)
    response = merchant.get("/access-log")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "access-support" in body
    assert f"Support agent {AGENT} viewed your portal." in body
    assert "Reason: Ticket 4521: rewards not showing" in body
    assert "Pages viewed: 3." in body
    assert "–" in body  # start–end times
    assert "opened the portal from the POS admin panel" in body


def test_access_log_shows_only_this_merchants_events(staffed: Flask, agent: FlaskClient) -> None:
    start_view(agent, ref="M2", reason="Other merchant")
    merchant = staffed.test_client()
    launch(merchant)
    assert "Other merchant" not in merchant.get("/access-log").get_data(as_text=True)


def test_an_open_view_is_shown_as_still_open(staffed: Flask, agent: FlaskClient) -> None:
    start_view(agent)
    body = agent.get("/access-log").get_data(as_text=True)
    assert "(still open)" in body


def test_access_log_is_paginated(staffed: Flask) -> None:
    merchant = staffed.test_client()
    for _ in range(27):
        launch(merchant)
    first = merchant.get("/access-log").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert first.count("opened the portal") == 25
    second = merchant.get("/access-log?page=2").get_data(as_text=True)
    assert second.count("opened the portal") == 2


def test_access_log_is_in_french(staffed: Flask) -> None:
    merchant = staffed.test_client()
    launch(merchant, extra={"locale": "fr"})
    body = merchant.get("/access-log").get_data(as_text=True)
    assert 'lang="fr"' in body
    assert "Journal d’accès" in body


def test_every_action_the_merchant_may_see_has_a_sentence_on_the_page(staffed: Flask) -> None:
    merchant = staffed.test_client()
    launch(merchant)
    shown = [key for key in visible_to(Audience.MERCHANT) if key not in FOLDED]
    with staffed.app_context():
        owner = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert owner is not None
        for key in shown:
            record(key, actor=SYSTEM, merchant=owner, details={"path": f"/{key}"})
        db.session.commit()
    body = merchant.get("/access-log").get_data(as_text=True)
    with staffed.test_request_context():
        for key in shown:
            if key == "support.view.start":
                continue  # shown with its pages and times, tested above
            event = AuditEvent(action=key, actor="system", impersonator=None, details={})
            event.details = {"path": f"/{key}"}
            assert str(escape(describe(event))) in body, key
    assert ": launch" not in body
