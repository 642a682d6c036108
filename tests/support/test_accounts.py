"""Staff accounts: the operator verbs, password hashing and the sign-in page."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from portal.extensions import db
from portal.models.staff import Staff
from tests.helpers.staff import AGENT, PASSWORD, add_staff, session_cookie, sign_in


def _staff(app: Flask, email: str) -> Staff | None:
    with app.app_context():
        staff = db.session.scalar(db.select(Staff).where(Staff.email == email))
        if staff is not None:
            db.session.expunge(staff)
        return staff


def test_create_staff_asks_for_the_password_twice_and_stores_a_scrypt_hash(app: Flask) -> None:
    runner = app.test_cli_runner()
    password = "a long enough password"
    result = runner.invoke(
        args=["create-staff", "Alex@POS.example", "--role", "support-admin"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    assert password not in result.output
    staff = _staff(app, "alex@pos.example")
    assert staff is not None
    assert staff.role == "support-admin"
    assert staff.active
    assert staff.password_hash.startswith("scrypt:")
    assert password not in staff.password_hash


def test_create_staff_generate_prints_the_password_once(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["create-staff", AGENT, "--generate"])
    assert result.exit_code == 0, result.output
    printed = result.output.strip().splitlines()[-1].split(": ", 1)[1]
    client = app.test_client()
    assert sign_in(client, AGENT, printed).status_code == 302


def test_create_staff_refuses_a_duplicate_and_a_short_password(app: Flask) -> None:
    add_staff(app, AGENT)
    runner = app.test_cli_runner()
    duplicate = runner.invoke(args=["create-staff", AGENT, "--generate"])
    assert duplicate.exit_code != 0
    assert "already has a staff account" in duplicate.output
    short = runner.invoke(args=["create-staff", "new@pos.example"], input="short\nshort\n")
    assert short.exit_code != 0
    assert "at least 12 characters" in short.output


def test_deactivated_staff_cannot_sign_in_and_loses_open_sessions(app: Flask) -> None:
    add_staff(app, AGENT)
    client = app.test_client()
    assert sign_in(client).status_code == 302
    assert client.get("/support/").status_code == 200
    result = app.test_cli_runner().invoke(args=["deactivate-staff", AGENT])
    assert result.exit_code == 0, result.output
    assert client.get("/support/").status_code in (302, 401)
    assert client.get("/support/").headers["Location"].endswith("/support/login")
    assert sign_in(app.test_client()).status_code == 422


def test_sign_in_starts_a_fresh_staff_session_without_a_merchant(app: Flask) -> None:
    add_staff(app, AGENT)
    client = app.test_client()
    client.get("/support/login")
    before = session_cookie(client)
    response = sign_in(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/support/")
    assert session_cookie(client) != before
    with client.session_transaction() as session:
        assert session["staff_email"] == AGENT
        assert session["staff_role"] == "support"
        assert "merchant_id" not in session
    with app.app_context():
        staff = db.session.scalar(db.select(Staff))
        assert staff is not None
        assert staff.last_login_at is not None


def test_wrong_password_and_unknown_email_look_the_same(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    add_staff(app, AGENT)
    with caplog.at_level(logging.INFO, logger="portal.security"):
        wrong = sign_in(app.test_client(), AGENT, "not the password")
        unknown = sign_in(app.test_client(), "nobody@pos.example", PASSWORD)
    assert wrong.status_code == unknown.status_code == 422
    for response in (wrong, unknown):
        body = response.get_data(as_text=True)
        assert "E-mail or password is incorrect." in body
        assert "no such" not in body.lower()
    failures = [r for r in caplog.records if '"staff_login"' in r.getMessage()]
    assert len(failures) == 2
    assert all('"failure"' in r.getMessage() for r in failures)


def test_empty_sign_in_form_is_refused_with_field_errors(app: Flask) -> None:
    client = app.test_client()
    from tests.helpers.pages import csrf_token

    token = csrf_token(client, "/support/login")
    response = client.post("/support/login", data={"csrf_token": token})
    assert response.status_code == 422
    assert "field-errors" in response.get_data(as_text=True)


def test_sign_out_revokes_the_session(app: Flask) -> None:
    add_staff(app, AGENT)
    client = app.test_client()
    sign_in(client)
    cookie = session_cookie(client)
    from tests.helpers.pages import csrf_token

    token = csrf_token(client, "/support/")
    response = client.post("/support/logout", data={"csrf_token": token})
    assert response.status_code == 302
    replay = app.test_client()
    replay.set_cookie("portal_session", cookie or "")
    assert replay.get("/support/").status_code == 302
