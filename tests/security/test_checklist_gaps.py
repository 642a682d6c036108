"""Checklist items whose proof was partial: SEC-7, SEC-21, SEC-27 and SEC-34."""

from __future__ import annotations

import json
import logging
import os

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal import create_app, crypto
from portal.extensions import db
from portal.models.connection import PongoConnection
from portal.models.merchant import Merchant
from tests.helpers.connect import connect_merchant
from tests.helpers.launch import launch, launch_token
from tests.helpers.pages import csrf_token
from tests.helpers.settings import TEST_SETTINGS
from tests.helpers.staff import add_merchant, add_staff, sign_in, start_view


def _security_records(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, object]]:
    found = []
    for record in caplog.records:
        if record.name == "portal.security":
            data = json.loads(record.getMessage())
            if data["event"] == event:
                found.append(data)
    return found


# SEC-34 -------------------------------------------------------------------------------------


def test_oauth_callback_is_rate_limited_per_address(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-34: past 20 callbacks a minute from one address → 429 and a log line."""
    client = app.test_client()
    launch(client)
    here = {"REMOTE_ADDR": "10.7.0.1"}
    path = "/connect/callback?state=forged&code=x"
    statuses = [client.get(path, environ_base=here).status_code for _ in range(20)]
    assert 429 not in statuses
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        assert client.get(path, environ_base=here).status_code == 429
    assert _security_records(caplog, "rate_limit")
    assert client.get(path, environ_base={"REMOTE_ADDR": "10.7.0.2"}).status_code != 429


def test_view_as_start_is_rate_limited_per_staff_member(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-34: past 20 view starts a minute by one agent → 429 and a log line; others go on."""
    add_merchant(app, "M1", "Boulangerie Lumière")
    add_staff(app, "alex@pos.example")
    add_staff(app, "sam@pos.example")
    agent = app.test_client()
    assert sign_in(agent, "alex@pos.example").status_code == 302
    token = csrf_token(agent, "/support/merchants/M1")
    form = {"reason": " ", "csrf_token": token}
    statuses = [agent.post("/support/merchants/M1/view", data=form).status_code for _ in range(20)]
    assert statuses == [422] * 20
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        assert agent.post("/support/merchants/M1/view", data=form).status_code == 429
    assert _security_records(caplog, "rate_limit")
    colleague = app.test_client()
    assert sign_in(colleague, "sam@pos.example").status_code == 302
    assert start_view(colleague).status_code == 302


# SEC-21 -------------------------------------------------------------------------------------


@pytest.mark.skipif(
    not os.environ.get("PORTAL_TEST_DATABASE_URL"), reason="production needs PostgreSQL"
)
def test_production_session_cookie_flags_on_a_real_response(database_url: str) -> None:
    """SEC-21: in production the launch's cookie is __Host-, Secure, HttpOnly, Lax, Path=/."""
    if not database_url.startswith("postgresql"):
        pytest.skip("production runs on PostgreSQL")
    production = {
        **TEST_SETTINGS,
        "env": "production",
        "database_url": database_url,
        "redis_url": "redis://127.0.0.1:6379/14",
        "base_url": "https://portal.example",
        "pongo_base_url": "https://pongo.example",
        "pongo_redirect_uri": "https://portal.example/connect/callback",
        "pongo_client_secret": "a-real-client-secret-not-the-sandbox-one",
    }
    app = create_app(production)
    with app.app_context():
        db.create_all()
    try:
        client = app.test_client()
        answer = client.get(
            "/launch", query_string={"token": launch_token()}, base_url="https://portal.example"
        )
        assert answer.status_code == 302
        cookies = answer.headers.getlist("Set-Cookie")
        assert len(cookies) == 1
        name, _, rest = cookies[0].partition("=")
        flags = {part.strip().split("=")[0].lower() for part in rest.split(";")[1:]}
        assert name == "__Host-portal"
        assert {"secure", "httponly", "path", "samesite"} <= flags
        assert "domain" not in flags
        assert "SameSite=Lax" in cookies[0]
        assert "Path=/" in cookies[0]
        assert len(cookies[0]) < 4096
    finally:
        with app.app_context():
            db.engine.dispose()


# SEC-27 -------------------------------------------------------------------------------------


def _merchant_id(app: Flask, ref: str = "M1") -> int:
    with app.app_context():
        found = db.session.scalar(select(Merchant.id).where(Merchant.ref == ref))
        assert found is not None
        return found


def test_csrf_failure_is_logged_with_the_merchant(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-27: a CSRF failure names the merchant, the request id and the outcome."""
    launch(client)
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        answer = client.post("/locations", data={"csrf_token": "forged"})
    assert answer.status_code == 400
    (event,) = _security_records(caplog, "csrf")
    assert event["outcome"] == "failure"
    assert event["merchant_id"] == _merchant_id(app)
    assert event["request_id"] == answer.headers["X-Request-ID"]


def test_authorization_denials_are_logged_with_the_merchant(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-27: a merchant on a staff page, and a refused write in a support view, name it."""
    launch(client)
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        assert client.get("/support/").status_code in (302, 403, 404)
    denied = _security_records(caplog, "authz")
    assert denied
    assert denied[0]["merchant_id"] == _merchant_id(app)
    caplog.clear()

    add_staff(app, "alex@pos.example")
    agent = app.test_client()
    assert sign_in(agent, "alex@pos.example").status_code == 302
    assert start_view(agent).status_code == 302
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        token = csrf_token(agent, "/locations")
        assert agent.post("/locations/refresh", data={"csrf_token": token}).status_code == 403
    (event,) = _security_records(caplog, "authz")
    assert event["merchant_id"] == _merchant_id(app)
    assert event["request_id"]


# SEC-7 --------------------------------------------------------------------------------------


def test_error_pages_and_the_support_view_never_show_a_token(
    pongo_app: Flask, pongo: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-7: with a live connection, no error page, support page or viewed page holds a token."""
    merchant = pongo_app.test_client()
    with caplog.at_level(logging.DEBUG):
        connect_merchant(merchant, pongo)
        with pongo_app.app_context():
            row = db.session.scalar(select(PongoConnection))
            assert row is not None
            assert row.access_token_encrypted
            assert row.refresh_token_encrypted
            secrets = [
                crypto.decrypt(row.access_token_encrypted),
                crypto.decrypt(row.refresh_token_encrypted),
                row.access_token_encrypted,
                row.refresh_token_encrypted,
            ]
        pages = [
            merchant.get("/no-such-page"),
            merchant.post("/locations", data={"csrf_token": "forged"}),
            merchant.get("/connect/callback?state=forged&code=x"),
            merchant.get("/connect/callback?error=access_denied"),
            merchant.get("/orders/NO-SUCH-ORDER"),
            merchant.put("/connect/"),
            merchant.get("/launch?token=garbage"),
        ]
        add_staff(pongo_app, "alex@pos.example")
        agent = pongo_app.test_client()
        assert sign_in(agent, "alex@pos.example").status_code == 302
        pages += [agent.get("/support/"), agent.get("/support/merchants/M1")]
        assert start_view(agent).status_code == 302
        for path in ("/", "/connect/", "/locations", "/rewards", "/orders", "/access-log"):
            pages.append(agent.get(path))
        pages.append(agent.post("/connect/disconnect", data={"csrf_token": "forged"}))
    assert {p.status_code for p in pages} >= {200, 400, 404}
    logged = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpcore", "httpx"))
    )
    for secret in secrets:
        assert secret not in logged
        for page in pages:
            assert secret not in page.get_data(as_text=True)


def test_abandoned_connects_keep_the_cookie_small_and_a_last_connect_completes(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    """SEC-21: 50 connects started and abandoned; the cookie stays < 4096 bytes, the next works."""
    from tests.helpers.connect import consent

    client = pongo_app.test_client()
    launch(client)
    token = csrf_token(client, "/connect/")
    for attempt in range(50):
        here = {"REMOTE_ADDR": f"10.8.{attempt}.1"}  # past the per-address limit on starts
        answer = client.post("/connect/start", data={"csrf_token": token}, environ_base=here)
        assert answer.status_code == 302
        for header in answer.headers.getlist("Set-Cookie"):
            assert len(header) < 4096
    cookie = client.get_cookie("portal_session")
    assert cookie is not None
    assert len(cookie.value) < 4096
    back = consent(
        pongo, client.post("/connect/start", data={"csrf_token": token}).headers["Location"]
    )
    parts = back.split("?", 1)
    answer = client.get(f"/connect/callback?{parts[1]}")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with pongo_app.app_context():
        row = db.session.scalar(select(PongoConnection))
        assert row is not None
        assert row.status == "connected"
