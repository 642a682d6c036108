"""SEC-34: staff sign-in is rate limited per address and per e-mail."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers.pages import csrf_token
from tests.helpers.staff import AGENT, PASSWORD, add_staff


def _try(client: FlaskClient, ip: str, email: str, password: str = "wrong password!") -> int:  # noqa: S107  # a deliberately wrong one
    token = csrf_token(client, "/support/login")
    response = client.post(
        "/support/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )
    return response.status_code


def test_sixth_failure_from_one_address_is_refused_and_logged(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    add_staff(app, AGENT)
    client = app.test_client()
    statuses = [_try(client, "10.0.0.1", f"user{i}@pos.example") for i in range(5)]
    assert statuses == [422] * 5
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        assert _try(client, "10.0.0.1", "user9@pos.example") == 429
    assert any('"rate_limit"' in r.getMessage() for r in caplog.records)
    other = app.test_client()
    assert _try(other, "10.0.0.2", AGENT, PASSWORD) == 302


def test_one_email_tried_from_many_addresses_is_refused(app: Flask) -> None:
    add_staff(app, AGENT)
    client = app.test_client()
    statuses = [_try(client, f"10.0.1.{i}", AGENT) for i in range(6)]
    assert statuses == [422] * 5 + [429]
    assert _try(app.test_client(), "10.0.2.1", "someone@pos.example") == 422


def test_successful_sign_ins_do_not_count(app: Flask) -> None:
    add_staff(app, AGENT)
    statuses = [_try(app.test_client(), "10.0.3.1", AGENT, PASSWORD) for _ in range(7)]
    assert statuses == [302] * 7
