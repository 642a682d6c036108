"""'View as merchant': start, banner, expiry, end, write mode and the audit trail (SEC-23..26)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.models.base import utcnow
from portal.support import viewas
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token
from tests.helpers.staff import ADMIN, AGENT, events, session_cookie, start_view


def test_starting_a_view_rotates_the_session_and_binds_actor_and_subject(
    agent: FlaskClient, staffed: Flask
) -> None:
    """SEC-23: support POST → new session id, actor + subject in the session."""
    before = session_cookie(agent)
    response = start_view(agent)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert session_cookie(agent) != before
    with agent.session_transaction() as session:
        assert session["staff_email"] == AGENT
        assert session["user"]["email"] == AGENT
        view = session["view_as"]
        assert view["merchant_id"] == session["merchant_id"]
        assert view["mode"] == "read"
        assert view["reason"] == "Ticket 4521: rewards"
    old = staffed.test_client()
    old.set_cookie("portal_session", before or "")
    assert old.get("/support/").status_code == 302  # the pre-view session is revoked


def test_view_needs_a_post_with_a_reason(agent: FlaskClient) -> None:
    """SEC-23: GET → 405, missing reason → 422 with a field error and no view."""
    assert agent.get("/support/merchants/M1/view").status_code == 405
    response = start_view(agent, reason="   ")
    assert response.status_code == 422
    assert "Say why you need to see this merchant" in response.get_data(as_text=True)
    with agent.session_transaction() as session:
        assert "view_as" not in session
        assert "merchant_id" not in session
    assert events(agent.application, "support.view.start") == []


def test_view_needs_the_csrf_token(agent: FlaskClient) -> None:
    response = agent.post("/support/merchants/M1/view", data={"reason": "Ticket 1"})
    assert response.status_code == 400
    with agent.session_transaction() as session:
        assert "view_as" not in session


def test_unknown_merchant_is_a_404(agent: FlaskClient) -> None:
    token = csrf_token(agent, "/support/")
    response = agent.post("/support/merchants/NOPE/view", data={"reason": "x", "csrf_token": token})
    assert response.status_code == 404


def test_banner_is_on_every_merchant_page(agent: FlaskClient) -> None:
    """SEC-25: each GET merchant page shows who views, as whom, until when, and End."""
    from tests.helpers.routes import merchant_get_rules

    start_view(agent)
    rules = merchant_get_rules(agent.application)
    assert {"/", "/access-log"} <= set(rules)
    from portal.access import FORBIDDEN_WHILE_VIEWING

    for rule in rules:
        response = agent.get(rule)
        if agent.application.url_map.bind("localhost").match(rule)[0] in FORBIDDEN_WHILE_VIEWING:
            assert response.status_code == 403, rule
            continue
        assert response.status_code == 200, rule
        if response.mimetype != "text/html":  # downloads (CSV export) carry no page to bear it
            continue
        body = response.get_data(as_text=True)
        assert "banner-support" in body, rule
        assert AGENT in body
        assert "Boulangerie Lumière" in body
        assert "read-only, until" in body
        assert 'action="/support/view/end"' in body


def test_ending_returns_to_the_console_with_a_new_session(agent: FlaskClient) -> None:
    """SEC-23: end → new session id, the agent's own session restored."""
    start_view(agent)
    viewing = session_cookie(agent)
    token = csrf_token(agent, "/")
    response = agent.post("/support/view/end", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/support/")
    assert session_cookie(agent) != viewing
    with agent.session_transaction() as session:
        assert session["staff_email"] == AGENT
        assert "merchant_id" not in session
        assert "view_as" not in session
        assert "user" not in session
    assert agent.get("/").status_code == 403
    assert len(events(agent.application, "support.view.end")) == 1


def test_second_tab_ending_an_ended_view_just_shows_the_console(agent: FlaskClient) -> None:
    start_view(agent)
    token = csrf_token(agent, "/")
    agent.post("/support/view/end", data={"csrf_token": token})
    again = agent.post("/support/view/end", data={"csrf_token": token}, follow_redirects=True)
    assert again.status_code == 200
    assert "Merchants" in again.get_data(as_text=True)
    assert len(events(agent.application, "support.view.end")) == 1


def test_ending_a_view_still_needs_the_csrf_token(agent: FlaskClient) -> None:
    start_view(agent)
    assert agent.post("/support/view/end").status_code == 400
    with agent.session_transaction() as session:
        assert "view_as" in session


def test_view_expires_after_thirty_minutes(
    agent: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SEC-25: +31 minutes → back to the staff session, audited, console with a note."""
    start_view(agent)
    assert agent.get("/").status_code == 200
    viewing = session_cookie(agent)
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(viewas, "now", lambda: later)
    response = agent.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/support/")
    assert session_cookie(agent) != viewing
    with agent.session_transaction() as session:
        assert "view_as" not in session
        assert "merchant_id" not in session
        assert session["staff_email"] == AGENT
    console = agent.get("/support/").get_data(as_text=True)
    assert "ended after 30 minutes" in console
    assert agent.get("/").status_code == 403
    expired = events(agent.application, "support.view.expired")
    assert len(expired) == 1
    assert expired[0].impersonator == AGENT


def test_view_is_still_open_at_twenty_nine_minutes(
    agent: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_view(agent)
    later = utcnow() + timedelta(minutes=29)
    monkeypatch.setattr(viewas, "now", lambda: later)
    assert agent.get("/").status_code == 200


def test_tampered_view_entry_counts_as_expired(agent: FlaskClient) -> None:
    start_view(agent)
    with agent.session_transaction() as session:
        session["view_as"] = {"merchant_id": "x"}
    response = agent.get("/")
    assert response.status_code == 302
    with agent.session_transaction() as session:
        assert "view_as" not in session


def test_audit_trail_names_actor_subject_reason_time_and_request(
    agent: FlaskClient, staffed: Flask
) -> None:
    """SEC-26: start, page views and end carry both identities, UTC times and request ids."""
    start_view(agent, reason="Ticket 77")
    agent.get("/", headers={"X-Request-ID": "req-page-view-0001"})
    token = csrf_token(agent, "/")
    agent.post("/support/view/end", data={"csrf_token": token})
    trail = [e for e in events(staffed) if e.action.startswith("support.")]
    actions = [e.action for e in trail]
    assert actions[0] == "support.view.start"
    assert actions[-1] == "support.view.end"
    assert "support.page_view" in actions
    start = trail[0]
    assert (start.actor, start.actor_kind, start.impersonator) == (AGENT, "support", AGENT)
    assert start.reason == "Ticket 77"
    assert start.details["mode"] == "read"
    assert start.request_id
    assert start.at.utcoffset() == timedelta(0)
    merchant_ids = {e.merchant_id for e in trail}
    assert len(merchant_ids) == 1
    assert None not in merchant_ids
    page_view = next(e for e in trail if e.details.get("path") == "/")
    assert page_view.request_id == "req-page-view-0001"
    assert len({e.details["view_id"] for e in trail}) == 1


def test_reason_with_line_breaks_is_neutralised(agent: FlaskClient, staffed: Flask) -> None:
    """SEC-26: a forged log line in the reason stays one escaped line."""
    start_view(agent, reason="Ticket 9\r\nsupport.view.end by admin")
    start = events(staffed, "support.view.start")[0]
    assert "\r" not in (start.reason or "")
    assert "\n" not in (start.reason or "")
    assert "\\x0d\\x0a" in (start.reason or "")


def test_only_a_support_admin_may_switch_to_write_mode(agent: FlaskClient) -> None:
    start_view(agent)
    assert "Switch to write mode" not in agent.get("/").get_data(as_text=True)
    token = csrf_token(agent, "/")
    response = agent.post("/support/view/write", data={"reason": "fix", "csrf_token": token})
    assert response.status_code == 403
    with agent.session_transaction() as session:
        assert session["view_as"]["mode"] == "read"


def test_support_admin_switches_to_write_mode_with_a_second_reason(
    admin: FlaskClient, staffed: Flask
) -> None:
    start_view(admin)
    assert "Switch to write mode" in admin.get("/").get_data(as_text=True)
    token = csrf_token(admin, "/support/view/write")
    empty = admin.post("/support/view/write", data={"reason": "", "csrf_token": token})
    assert empty.status_code == 422
    before = session_cookie(admin)
    response = admin.post(
        "/support/view/write", data={"reason": "Merchant asked to relink", "csrf_token": token}
    )
    assert response.status_code == 302
    assert session_cookie(admin) != before
    with admin.session_transaction() as session:
        assert session["view_as"]["mode"] == "write"
    assert "changes allowed" in admin.get("/").get_data(as_text=True)
    write = events(staffed, "support.view.write")
    assert len(write) == 1
    assert write[0].reason == "Merchant asked to relink"
    assert write[0].impersonator == ADMIN


def test_a_new_launch_in_the_same_browser_ends_the_staff_session(agent: FlaskClient) -> None:
    start_view(agent)
    launch(agent)
    with agent.session_transaction() as session:
        assert "staff_id" not in session
        assert "view_as" not in session
    assert agent.get("/support/").status_code == 403
