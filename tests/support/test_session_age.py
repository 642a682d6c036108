"""The 12-hour absolute session limit counts from sign-in, through every rotation (SEC-22)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models import WebSession
from tests.helpers.pages import csrf_token
from tests.helpers.staff import start_view


def age_sessions(app: Flask, by: timedelta) -> None:
    """Move every session's start back in time (the idle clock stays fresh)."""
    with app.app_context():
        for row in db.session.scalars(select(WebSession)):
            row.created_at -= by
        db.session.commit()


def end_view(client: FlaskClient) -> None:
    token = csrf_token(client, "/support/")
    assert client.post("/support/view/end", data={"csrf_token": token}).status_code == 302


def test_view_changes_do_not_restart_the_absolute_limit(staffed: Flask, agent: FlaskClient) -> None:
    """Signed in 11 h ago, two views started and ended since: at 13 h the session is over."""
    age_sessions(staffed, timedelta(hours=11))
    for _ in range(2):
        assert start_view(agent).status_code == 302
        end_view(agent)
    assert agent.get("/support/").status_code == 200
    age_sessions(staffed, timedelta(hours=2))
    response = agent.get("/support/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/support/login")


def test_every_rotated_row_keeps_the_sign_in_time(staffed: Flask, agent: FlaskClient) -> None:
    """Sign-in, view, end of view: three rows, one start time."""
    start_view(agent)
    end_view(agent)
    with staffed.app_context():
        rows = db.session.scalars(select(WebSession)).all()
        starts = [row.created_at for row in rows if row.data.get("staff_id")]
    assert len(starts) == 3
    assert len(set(starts)) == 1
