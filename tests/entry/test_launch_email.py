"""The launch `email` claim names one address, checked as an address, or the launch is refused."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.entry.tokens import LaunchFailure, LaunchRefused, verify_launch_token
from portal.extensions import db
from portal.models import Merchant, SyncState, WebSession
from tests.helpers.launch import ISSUER, LAUNCH_SECRET, launch, launch_token


@pytest.mark.parametrize(
    "email",
    [
        "owner@a.example, attacker@evil.example",
        "owner@a.example; attacker@evil.example",
        "owner@a.example attacker@evil.example",
        "Owner <owner@a.example>, attacker@evil.example",
        "owner@a.example,attacker@evil.example",
        "not an address",
        "owner@",
        "@evil.example",
    ],
)
def test_launch_with_anything_but_one_address_never_reaches_the_database(
    app: Flask, client: FlaskClient, email: str
) -> None:
    """Several addresses (or none) in `email`: 400, no merchant, no session, no digest address."""
    response = launch(client, email=email)
    assert response.status_code == 400
    assert "Open the portal again from your POS admin panel" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Merchant).limit(1)) is None
        assert db.session.scalar(select(WebSession).limit(1)) is None
        assert db.session.scalar(select(SyncState).limit(1)) is None


def test_one_address_is_kept_as_sent(app: Flask, client: FlaskClient) -> None:
    """A single address, trimmed and its domain in lower case, is where the digests go."""
    assert launch(client, email="  Owner@Boulangerie.example ").status_code == 302
    with app.app_context():
        state = db.session.scalar(select(SyncState))
        assert state is not None
        assert state.launch_email == "Owner@boulangerie.example"


def test_the_refusal_names_the_email_claim() -> None:
    """The token check itself refuses a list, so no caller can take one by mistake."""
    token = launch_token(email="a@b.example, c@d.example")
    with pytest.raises(LaunchRefused) as refused:
        verify_launch_token(token, secret=LAUNCH_SECRET, issuer=ISSUER, now=int(time.time()))
    assert refused.value.failure is LaunchFailure.MISSING_CLAIM
    assert refused.value.detail == "email"
