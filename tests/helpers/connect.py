"""Connecting a merchant to Pongo through the sandbox's real OAuth form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import PongoConnection
from portal.models.merchant import Merchant
from portal.pongo.connection import get_connection
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token
from tests.helpers.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from tests.helpers.shop import allow_refresh, read_form


def start_connect(client: FlaskClient) -> str:
    """Press "Connect Pongo"; returns the URL of Pongo's consent form."""
    response = client.post("/connect/start", data={"csrf_token": csrf_token(client, "/connect/")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def consent(
    http: httpx.Client,
    form_url: str,
    *,
    decision: str = "approve",
    login: str = DEMO_LOGIN,
    password: str = DEMO_PASSWORD,
) -> str:
    """Sign in on Pongo's form and decide; returns the redirect back to the portal."""
    page = http.get(form_url)
    assert page.status_code == 200, page.text
    form = read_form(page.text)
    assert form.action
    consent_page = http.post(
        form.action, data={**form.fields, "login": login, "password": password}
    )
    form = read_form(consent_page.text)
    assert form.action
    answer = http.post(form.action, data={**form.fields, "decision": decision})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def connect_merchant(client: FlaskClient, http: httpx.Client, **launch_claims: Any) -> Any:
    """Launch as a merchant and connect Pongo through the sandbox's real OAuth form."""
    launch(client, **launch_claims)
    back = consent(http, start_connect(client))
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def connection_of(app: Flask, ref: str = "M1") -> PongoConnection | None:
    """The merchant's connection row, detached from the session."""
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == ref))
        if merchant is None:
            return None
        row = get_connection(merchant)
        if row is not None:
            db.session.expunge(row)
        return row


def status_of(app: Flask, ref: str = "M1") -> str | None:
    """The merchant's connection status (None when it never connected)."""
    row = connection_of(app, ref)
    return None if row is None else row.status


def token_calls(http: httpx.Client) -> int:
    """How many token requests reached the sandbox."""
    log = http.get("/_sandbox/requests").json()
    return sum(1 for r in log if r["path"] == "/v1/oauth/token")


def expire_locally(app: Flask) -> int:
    """Make the stored token look expired and return the merchant id."""
    with app.app_context():
        row = db.session.scalar(select(PongoConnection))
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=5)
        db.session.commit()
        return row.merchant_id


def expired_with_refresh(
    app: Flask, http: httpx.Client, at_pongo: str | None = "expire"
) -> tuple[FlaskClient, int]:
    """M1 connected with a refresh token, its access token past its expiry in the portal and,
    unless `at_pongo` is None, expired or revoked at Pongo too; the browser and merchant id."""
    client = app.test_client()
    allow_refresh(http)
    connect_merchant(client, http)
    if at_pongo is not None:
        answer = http.post(f"/_sandbox/tokens/{at_pongo}", json={"login": DEMO_LOGIN})
        assert answer.status_code == 200, answer.text
    return client, expire_locally(app)
