"""Staff sign-in needs a second factor: set-up, codes, recovery codes, re-check, reset."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.staff import Staff, StaffRecoveryCode
from tests.helpers.pages import csrf_token
from tests.helpers.staff import (
    ADMIN,
    AGENT,
    PASSWORD,
    TOTP_SECRET,
    add_staff,
    current_code,
    enter_code,
    events,
    forget_last_code,
    sign_in,
    start_view,
)

NEWCOMER = "robin@pos.example"


def password_step(client: FlaskClient, email: str = AGENT) -> str:
    """Post the right password; where the portal sends the browser next."""
    token = csrf_token(client, "/support/login")
    answer = client.post(
        "/support/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302
    return str(answer.headers["Location"])


def set_up_app(client: FlaskClient) -> tuple[str, list[str]]:
    """Read the set-up page's link, confirm its first code; the secret and recovery codes."""
    page = client.get("/support/login/setup").get_data(as_text=True)
    uri = re.search(r'<code class="totp-uri"[^>]*>([^<]+)</code>', page)
    assert uri is not None
    secret = parse_qs(urlsplit(unquote(uri.group(1).replace("&amp;", "&"))).query)["secret"][0]
    token = csrf_token(client, "/support/login/setup")
    code = pyotp.TOTP(secret).now()
    answer = client.post("/support/login/setup", data={"code": code, "csrf_token": token})
    assert answer.status_code == 200
    codes = re.findall(r"<li><code>([A-Z2-7-]{19})</code></li>", answer.get_data(as_text=True))
    return secret, codes


def test_a_password_alone_reaches_no_staff_page(staffed: Flask) -> None:
    client = staffed.test_client()
    assert password_step(client).endswith("/support/login/verify")
    for path in ("/support/", "/support/merchants/M1"):
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].endswith("/support/login")
    token = csrf_token(client, "/support/login/verify")
    answer = client.post("/support/merchants/M1/view", data={"reason": "x", "csrf_token": token})
    assert answer.status_code == 401
    assert events(staffed, "support.view.start") == []


def test_a_staff_member_without_a_factor_sets_up_the_app_first(staffed: Flask) -> None:
    add_staff(staffed, NEWCOMER, authenticator=False)
    client = staffed.test_client()
    assert password_step(client, NEWCOMER).endswith("/support/login/setup")
    assert client.get("/support/").status_code == 302
    page = client.get("/support/login/setup").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    assert "otpauth://totp/Pongo%20portal:robin%40pos.example?secret=" in page
    token = csrf_token(client, "/support/login/setup")
    wrong = client.post("/support/login/setup", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 422
    secret, codes = set_up_app(client)
    assert len(codes) == len(set(codes)) == 10
    assert client.get("/support/").status_code == 200
    with staffed.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.email == NEWCOMER))
        assert staff is not None
        assert staff.totp_secret_encrypted
        assert secret not in staff.totp_secret_encrypted
        digests = set(db.session.scalars(select(StaffRecoveryCode.code_digest)))
        assert len(digests) == 10
        assert not {c.replace("-", "") for c in codes} & digests
    assert [e.actor for e in events(staffed, "staff.factor.totp_added")] == [NEWCOMER]
    assert [e.actor for e in events(staffed, "staff.signin.totp")] == [NEWCOMER]
    assert [e.actor for e in events(staffed, "staff.factor.refused")] == [NEWCOMER]


def test_the_set_up_page_keeps_its_secret_until_confirmed(staffed: Flask) -> None:
    add_staff(staffed, NEWCOMER, authenticator=False)
    client = staffed.test_client()
    password_step(client, NEWCOMER)
    first = client.get("/support/login/setup").get_data(as_text=True)
    again = client.get("/support/login/setup").get_data(as_text=True)
    link = re.compile(r'<code class="totp-uri"[^>]*>([^<]+)</code>')
    assert link.findall(first) == link.findall(again)
    with staffed.app_context():
        staff = db.session.scalar(select(Staff).where(Staff.email == NEWCOMER))
        assert staff is not None
        assert staff.totp_secret_encrypted is None


def test_every_sign_in_asks_for_a_code_and_a_code_works_once(staffed: Flask) -> None:
    client = staffed.test_client()
    forget_last_code(staffed, AGENT)
    assert password_step(client).endswith("/support/login/verify")
    code = current_code()
    assert enter_code(client, code).headers["Location"].endswith("/support/")
    assert client.get("/support/").status_code == 200
    again = staffed.test_client()
    password_step(again)
    replay = enter_code(again, code)
    assert replay.status_code == 422
    assert "each code works once" in replay.get_data(as_text=True)
    assert again.get("/support/").status_code == 302


def test_wrong_codes_count_toward_the_sign_in_limit(staffed: Flask) -> None:
    client = staffed.test_client()
    password_step(client)
    answers = [enter_code(client, "123456").status_code for _ in range(6)]
    assert answers == [422] * 5 + [429]
    assert len(events(staffed, "staff.factor.refused")) == 5
    right = pyotp.TOTP(TOTP_SECRET).now()
    assert enter_code(client, right).status_code == 429  # still over the limit


def test_a_recovery_code_signs_in_once(staffed: Flask) -> None:
    add_staff(staffed, NEWCOMER, authenticator=False)
    client = staffed.test_client()
    password_step(client, NEWCOMER)
    _, codes = set_up_app(client)
    other = staffed.test_client()
    password_step(other, NEWCOMER)
    assert enter_code(other, codes[3].lower()).status_code == 302
    assert other.get("/support/").status_code == 200
    third = staffed.test_client()
    password_step(third, NEWCOMER)
    assert enter_code(third, codes[3]).status_code == 422
    used = events(staffed, "staff.signin.recovery")
    assert [e.details["left"] for e in used] == [9]


def test_a_pending_sign_in_expires(staffed: Flask) -> None:
    client = staffed.test_client()
    password_step(client)
    with client.session_transaction() as session:
        session["signin_started_at"] = (utcnow() - timedelta(minutes=11)).isoformat()
    answer = client.get("/support/login/verify")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/support/login")


def test_write_mode_asks_for_the_factor_again_after_15_minutes(admin: FlaskClient) -> None:
    assert start_view(admin).status_code == 302
    with admin.session_transaction() as session:
        session["factor_at"] = (utcnow() - timedelta(minutes=16)).isoformat()
    answer = admin.get("/support/view/write")
    assert answer.headers["Location"].endswith("/support/login/verify")
    page = admin.get("/support/login/verify").get_data(as_text=True)
    assert "more than 15 minutes old" in page
    assert enter_code(admin, "000000").status_code == 422
    forget_last_code(admin.application, ADMIN)
    back = enter_code(admin, current_code())
    assert back.headers["Location"].endswith("/support/view/write")
    assert admin.get("/support/view/write").status_code == 200
    with admin.session_transaction() as session:
        assert session["view_as"]["mode"] == "read"  # the view went on, still read-only
    assert [e.actor for e in events(admin.application, "staff.factor.recheck")] == [ADMIN]


def test_a_session_from_before_the_second_factor_is_refused(staffed: Flask) -> None:
    """A session that holds staff keys without a completed factor check reaches nothing."""
    client = staffed.test_client()
    sign_in(client)
    with client.session_transaction() as session:
        del session["signed_in_at"]
    answer = client.get("/support/")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/support/login")


def test_operator_resets_a_lost_factor(staffed: Flask, agent: FlaskClient) -> None:
    runner = staffed.test_cli_runner()
    result = runner.invoke(args=["reset-staff-factor", AGENT.upper()])
    assert result.exit_code == 0, result.output
    assert "Reset the second factor of alex@pos.example" in result.output
    answer = agent.get("/support/")
    assert answer.status_code == 302  # the open session is refused
    client = staffed.test_client()
    assert password_step(client).endswith("/support/login/setup")
    [reset] = events(staffed, "staff.factor.reset")
    assert reset.details == {"email": AGENT}
    missing = runner.invoke(args=["reset-staff-factor", "nobody@pos.example"])
    assert missing.exit_code != 0


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "x" * 200])
def test_malformed_codes_are_refused_plainly(staffed: Flask, code: str) -> None:
    client = staffed.test_client()
    password_step(client)
    answer = enter_code(client, code)
    assert answer.status_code == 422
    assert "Traceback" not in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    "credential",
    [
        "not json",
        "{}",
        '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}',
        '{"id": 1, "rawId": [], "response": null}',
        "[" * 5000,
    ],
)
def test_a_garbled_passkey_answer_is_refused_plainly(staffed: Flask, credential: str) -> None:
    """At sign-in and at set-up: a readable 422, counted and audited, never a 500."""
    add_staff(staffed, NEWCOMER, authenticator=False)
    for email, path in ((AGENT, "/support/login/verify"), (NEWCOMER, "/support/login/setup")):
        client = staffed.test_client()
        password_step(client, email)
        token = csrf_token(client, path)
        answer = client.post(path, data={"credential": credential, "csrf_token": token})
        assert answer.status_code == 422, path
        assert "That did not work" in answer.get_data(as_text=True)
        assert client.get("/support/").status_code == 302
    assert len(events(staffed, "staff.factor.refused")) == 2


def test_staff_e_mails_stay_out_of_security_log_lines(
    staffed: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = staffed.test_client()
    with caplog.at_level(logging.INFO, logger="portal.security"):
        assert sign_in(client, ADMIN, "not the password").status_code == 422
        password_step(client, ADMIN)
        enter_code(client, "000000")
        forget_last_code(staffed, ADMIN)
        assert enter_code(client, current_code()).status_code == 302
        start_view(client)
        token = csrf_token(client, "/support/view/write")
        client.post("/support/view/write", data={"reason": "Ticket 9", "csrf_token": token})
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert len(lines) >= 5
    assert not [line for line in lines if "@pos.example" in line]


def test_recovery_codes_are_replaced_after_a_fresh_check(
    staffed: Flask, agent: FlaskClient
) -> None:
    page = agent.get("/support/factor").get_data(as_text=True)
    assert "0 recovery codes left" in page
    assert "Authenticator app: set up" in page
    token = csrf_token(agent, "/support/factor")
    with agent.session_transaction() as session:
        session["factor_at"] = (utcnow() - timedelta(minutes=16)).isoformat()
    stale = agent.post("/support/factor", data={"renew": "1", "csrf_token": token})
    assert stale.headers["Location"].endswith("/support/login/verify")
    forget_last_code(staffed, AGENT)
    back = enter_code(agent, current_code())
    assert back.headers["Location"].endswith("/support/factor")
    token = csrf_token(agent, "/support/factor")
    answer = agent.post("/support/factor", data={"renew": "1", "csrf_token": token})
    codes = re.findall(r"<li><code>([A-Z2-7-]{19})</code></li>", answer.get_data(as_text=True))
    assert len(codes) == 10
    assert "10 recovery codes left" in agent.get("/support/factor").get_data(as_text=True)
    assert [e.actor for e in events(staffed, "staff.factor.recovery_renewed")] == [AGENT]
