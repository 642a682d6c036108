"""The signed link-out: every way a launch token can be wrong is refused (SEC-14 to SEC-17)."""

from __future__ import annotations

import base64
import json
import logging
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from portal.extensions import db
from portal.models import Merchant, WebSession
from tests.helpers.launch import (
    claims,
    launch,
    launch_token,
    open_link,
    signed,
)

COOKIE = "portal_session"


def unsigned(payload: dict[str, Any]) -> str:
    """An `alg: none` token, as an attacker would craft it."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def no_session_created(app: Flask) -> bool:
    with app.app_context():
        return db.session.scalar(select(WebSession).limit(1)) is None


def test_valid_launch_creates_merchant_and_session(app: Flask, client: FlaskClient) -> None:
    response = launch(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with app.app_context():
        merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "M1"))
        assert merchant is not None
        assert merchant.name == "Boulangerie Lumière"
    page = client.get("/")
    assert page.status_code == 200
    assert "Boulangerie Lumière" in page.get_data(as_text=True)


def test_launch_renames_an_existing_merchant(app: Flask, client: FlaskClient) -> None:
    launch(client)
    launch(client, merchant_name="Lumière & Fils")
    with app.app_context():
        names = db.session.scalars(select(Merchant.name)).all()
    assert names == ["Lumière & Fils"]


@pytest.mark.parametrize(
    ("name", "token_of", "status"),
    [
        ("tampered signature", lambda: launch_token()[:-3] + "abc", 401),
        ("other secret", lambda: signed(claims(), key="another-secret-0123456789abcdef0123"), 401),
        ("alg none", lambda: unsigned(claims()), 401),
        ("HS512", lambda: signed(claims(), alg="HS512"), 401),
        ("wrong audience", lambda: signed(claims(aud="someone-else")), 401),
        ("wrong issuer", lambda: signed(claims(iss="intruder")), 401),
        ("missing sub", lambda: signed(claims(sub=None)), 400),
        ("missing jti", lambda: signed(claims(jti=None)), 400),
        ("missing email", lambda: signed(claims(email=None)), 400),
        ("missing exp", lambda: signed(claims(exp=None)), 400),
        ("empty merchant name", lambda: signed(claims(merchant_name="  ")), 400),
        ("not a JWT", lambda: "hello", 401),
        ("empty", lambda: "", 400),
    ],
)
def test_bad_launch_token_is_refused_without_a_session(
    app: Flask,
    client: FlaskClient,
    caplog: pytest.LogCaptureFixture,
    name: str,
    token_of: Any,
    status: int,
) -> None:
    """SEC-14: any change to a valid launch is refused, with a page, a log line and no session."""
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        response = open_link(client, token_of())
    assert response.status_code == status, name
    assert "Open the portal again from your POS admin panel" in response.get_data(as_text=True)
    assert COOKIE not in response.headers.get("Set-Cookie", "")
    assert no_session_created(app)
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.security"]
    assert [e["event"] for e in events] == ["launch"]
    assert events[0]["outcome"] == "failure"


def test_rsa_signed_token_is_refused(client: FlaskClient) -> None:
    """SEC-14: only HS256 with the shared secret; an RS256-signed token fails."""
    key = RSAKey.generate_key(2048)
    token = jwt.encode({"alg": "RS256"}, claims(), key)
    assert open_link(client, token).status_code == 401


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-301 - 120, False), (301, False), (30, True), (-30, True), (-170, True)],
)
def test_launch_freshness_window(client: FlaskClient, offset: int, accepted: bool) -> None:
    """SEC-15: issued-at ±301 s (beyond the 60 s skew) is refused; small skews are accepted."""
    iat = int(time.time()) + offset
    token = signed(claims(iat=iat, exp=iat + 120))
    response = open_link(client, token)
    assert (response.status_code == 302) is accepted, response.status_code


def test_expired_link_says_so(client: FlaskClient) -> None:
    iat = int(time.time()) - 400
    response = open_link(client, signed(claims(iat=iat, exp=iat + 200)))
    assert response.status_code == 401
    assert "This link has expired" in response.get_data(as_text=True)


def test_token_valid_for_more_than_five_minutes_is_refused(client: FlaskClient) -> None:
    now = int(time.time())
    assert open_link(client, signed(claims(iat=now, exp=now + 301))).status_code == 401


def test_replayed_launch_token_is_refused(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-16: the same link twice → the second is refused and logged as a replay."""
    token = launch_token()
    assert open_link(client, token).status_code == 302
    other_browser = app.test_client()
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        replay = open_link(other_browser, token)
    assert replay.status_code == 403
    assert "already used" in replay.get_data(as_text=True)
    assert any('"reason": "replayed"' in r.getMessage() for r in caplog.records)
    assert other_browser.get("/").status_code == 401


def test_launch_replaces_any_earlier_session(app: Flask, client: FlaskClient) -> None:
    """SEC-17: a launch creates a brand-new session; the old cookie stops working."""
    launch(client, merchant_ref="OTHER", merchant_name="Other shop")
    old_cookie = client.get_cookie(COOKIE)
    assert old_cookie is not None
    with client.session_transaction() as planted:
        planted["staff_id"] = 99  # a planted impersonation flag must not survive
    launch(client)
    new_cookie = client.get_cookie(COOKIE)
    assert new_cookie is not None
    assert new_cookie.value != old_cookie.value
    page = client.get("/").get_data(as_text=True)
    assert "Boulangerie Lumière" in page
    with client.session_transaction() as current:
        assert "staff_id" not in current
    replayed = app.test_client()
    replayed.set_cookie(COOKIE, old_cookie.value)
    assert replayed.get("/").status_code == 401


def test_logout_revokes_the_session_even_if_the_cookie_is_replayed(
    app: Flask, client: FlaskClient
) -> None:
    """SEC-22: a captured cookie is useless after logout."""
    launch(client)
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    from tests.helpers.pages import csrf_token

    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert "You are signed out" in response.get_data(as_text=True)
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    assert thief.get("/").status_code == 401


def test_idle_and_absolute_timeouts_end_the_session(app: Flask, client: FlaskClient) -> None:
    """SEC-22: sessions idle past the limit, or older than the absolute limit, are over."""
    from datetime import timedelta

    def age_sessions(**by: timedelta) -> None:
        with app.app_context():
            for row in db.session.scalars(select(WebSession)):
                for column, delta in by.items():
                    setattr(row, column, getattr(row, column) - delta)
            db.session.commit()

    launch(client)
    assert client.get("/").status_code == 200
    age_sessions(last_seen_at=timedelta(minutes=31))
    assert client.get("/").status_code == 401

    launch(client)
    age_sessions(created_at=timedelta(hours=13))
    assert client.get("/").status_code == 401


def test_session_cookie_flags(client: FlaskClient) -> None:
    """SEC-21: HttpOnly, SameSite=Lax, path /, small."""
    cookie_header = launch(client).headers["Set-Cookie"]
    assert "HttpOnly" in cookie_header
    assert "SameSite=Lax" in cookie_header
    assert "Path=/" in cookie_header
    assert len(cookie_header) < 200


def test_production_cookie_is_host_prefixed_and_secure() -> None:
    """SEC-21: in production the cookie is __Host- prefixed and Secure."""
    from portal import config, flask_config

    settings = config.Settings(env="production")
    flask = flask_config(settings)
    assert flask["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert flask["SESSION_COOKIE_SECURE"] is True


def test_target_opens_the_named_page_and_row(client: FlaskClient) -> None:
    response = launch(client, extra={"target": "connection"})
    assert response.headers["Location"] == "/connect/"
    unknown = launch(client, extra={"target": "../../admin"})
    assert unknown.headers["Location"] == "/"


def test_return_url_is_honoured_only_under_the_pos_origin(client: FlaskClient) -> None:
    launch(client, extra={"return_url": "https://pos.example.com/admin/loyalty"})
    assert "https://pos.example.com/admin/loyalty" in client.get("/").get_data(as_text=True)
    for foreign in (
        "https://evil.example/admin",
        "https://pos.example.com.evil.example/",
        "javascript:alert(1)",
        "https://user@pos.example.com/",
    ):
        launch(client, extra={"return_url": foreign})
        assert foreign not in client.get("/").get_data(as_text=True)


def test_launch_locale_sets_the_language(client: FlaskClient) -> None:
    launch(client, extra={"locale": "fr-CA"})
    page = client.get("/").get_data(as_text=True)
    assert 'lang="fr-CA"' in page
    assert "Vue d’ensemble" in page


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(
    mutation=st.one_of(
        st.tuples(st.just("drop"), st.sampled_from(["iss", "aud", "sub", "iat", "exp", "jti"])),
        st.tuples(
            st.just("change"),
            st.sampled_from(["iss", "aud", "iat", "exp"]),
        ),
        st.tuples(st.just("flip"), st.integers(min_value=0, max_value=400)),
    )
)
def test_any_mutation_of_a_valid_launch_is_refused(app: Flask, mutation: tuple[str, Any]) -> None:
    """SEC-14/SEC-35: dropped claims, changed claims or flipped bytes never open a session."""
    kind, what = mutation
    payload = claims()
    if kind == "drop":
        payload.pop(what)
        token = signed(payload)
    elif kind == "change":
        payload[what] = {
            "iss": "x",
            "aud": "x",
            "iat": payload["iat"] + 10_000,
            "exp": payload["exp"] + 10_000,
        }[what]
        token = signed(payload)
    else:
        token = signed(payload)
        index = what % len(token)
        replacement = "A" if token[index] != "A" else "B"
        token = token[:index] + replacement + token[index + 1 :]
        if token == signed(payload):
            return
    client = app.test_client()
    # Each example comes from its own address so that the launch rate limit stays out of the way.
    client.environ_base["REMOTE_ADDR"] = f"127.1.{len(token) % 250}.{time.perf_counter_ns() % 250}"
    response = open_link(client, token)
    assert response.status_code in (400, 401, 403)
    assert client.get("/").status_code == 401
