"""After the idle limit: a page in the layout with the way back, and "Stay signed in"."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.session import WebSession
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token

POS_ADMIN = "https://pos.example.com/admin/loyalty"


def age_sessions(app: Flask, minutes: int) -> None:
    """Move every session's last activity back, as if nothing happened for `minutes`."""
    with app.app_context():
        for row in db.session.scalars(select(WebSession)):
            row.last_seen_at -= timedelta(minutes=minutes)
        db.session.commit()


def test_a_page_opened_after_the_idle_limit_offers_the_way_back(
    app: Flask, client: FlaskClient
) -> None:
    launch(client, extra={"return_url": POS_ADMIN})
    age_sessions(app, 31)
    answer = client.get("/locations")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 401
    assert "Your session has ended" in page
    assert "after 30 minutes without activity" in page
    assert f'href="{POS_ADMIN}"' in page
    assert 'class="site-header"' in page  # in the layout, not a bare error
    assert "not saved" not in page


def test_a_change_sent_after_the_idle_limit_says_it_was_not_saved(
    app: Flask, client: FlaskClient
) -> None:
    launch(client, extra={"return_url": POS_ADMIN})
    token = csrf_token(client, "/locations")
    age_sessions(app, 31)
    answer = client.post("/locations", data={"csrf_token": token, "L1": "lumiere-paris-11"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 401
    assert "Your last change was not saved." in page
    assert f'href="{POS_ADMIN}"' in page
    assert "The form expired" not in page


def test_a_forged_or_foreign_return_cookie_is_not_offered(app: Flask, client: FlaskClient) -> None:
    launch(client, extra={"return_url": POS_ADMIN})
    age_sessions(app, 31)
    client.set_cookie("portal_return", "https://evil.example/phish")
    page = client.get("/").get_data(as_text=True)
    assert "Your session has ended" in page
    assert "evil.example" not in page
    assert "Back to POS admin" not in page


def test_stay_signed_in_starts_the_idle_limit_again(app: Flask, client: FlaskClient) -> None:
    launch(client)
    page = client.get("/").get_data(as_text=True)
    assert 'id="idle-warning"' in page
    assert 'data-idle-seconds="1800"' in page
    assert "Stay signed in" in page
    token = csrf_token(client)
    age_sessions(app, 25)
    assert client.post("/session/stay", data={"csrf_token": token}).status_code == 204
    age_sessions(app, 25)  # 50 minutes since the launch, 25 since "Stay signed in"
    assert client.get("/").status_code == 200


def test_a_browser_that_never_signed_in_gets_the_plain_answer(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Your session has ended" not in page
    assert "Open the portal again from your POS admin panel." in page


def test_the_return_cookie_is_signed_http_only_and_same_site(client: FlaskClient) -> None:
    headers = launch(client, extra={"return_url": POS_ADMIN}).headers.getlist("Set-Cookie")
    [kept] = [h for h in headers if h.startswith("portal_return=")]
    assert "HttpOnly" in kept
    assert "SameSite=Lax" in kept
    assert "Path=/" in kept
    assert POS_ADMIN not in kept  # signed and encoded, not the bare URL
