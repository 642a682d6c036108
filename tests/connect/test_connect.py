"""Connecting Pongo over the sandbox's real OAuth form (SEC-1 to SEC-13)."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from portal import crypto
from portal.extensions import db
from portal.models import ConnectionStatus, Merchant, PongoConnection, WebSession
from portal.models.base import utcnow
from portal.pongo import NeedsReconnection, endpoints
from portal.pongo.connection import get_connection
from portal.pongo.merchant import (
    MerchantPongo,
    access_token_for,
    pongo_client_for,
    refresh_serialised,
)
from portal.sandbox.server import RunningSandbox
from tests.helpers.apps import make_app
from tests.helpers.connect import (
    connect_merchant,
    connection_of,
    consent,
    expired_with_refresh,
    start_connect,
    status_of,
    token_calls,
)
from tests.helpers.launch import launch
from tests.helpers.pages import csrf_token
from tests.helpers.sandbox import DEMO_LOGIN, revoke_token
from tests.helpers.shop import allow_refresh


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def back_to_portal(client: FlaskClient, url: str) -> Any:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def test_merchant_connects_and_sees_the_account(pongo_app: Flask, pongo: httpx.Client) -> None:
    client = pongo_app.test_client()
    done = connect_merchant(client, pongo)
    assert done.status_code == 302
    page = client.get("/connect/").get_data(as_text=True)
    assert "Connected" in page
    assert "Boulangerie Lumière" in page
    assert "reward.read" in page
    assert "owner@example.com" in page
    row = connection_of(pongo_app)
    assert row is not None
    assert row.status == ConnectionStatus.CONNECTED
    assert row.account_email == DEMO_LOGIN


def test_authorization_request_uses_pkce_s256(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-1: S256 challenge of a fresh verifier kept on the server; two starts differ."""
    client = pongo_app.test_client()
    launch(client)
    first, second = query(start_connect(client)), query(start_connect(client))
    assert first["code_challenge_method"] == "S256"
    assert first["code_challenge"] != second["code_challenge"]
    with pongo_app.app_context():
        data = db.session.scalars(select(WebSession.data)).all()
    verifiers = [
        v["data"]["code_verifier"]
        for d in data
        for k, v in d.items()
        if k.startswith("_state_pongo_") and k.endswith(second["state"])
    ]
    assert len(verifiers) == 1
    digest = hashlib.sha256(verifiers[0].encode()).digest()
    assert base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == second["code_challenge"]


def test_scope_is_the_configured_minimum(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-5: exactly the allow-listed scopes; adding one must change this test."""
    client = pongo_app.test_client()
    launch(client)
    assert query(start_connect(client))["scope"] == "reward.read,order.create,order.update"


def test_consent_form_is_the_endpoint_tables_oauth_form(
    pongo_app: Flask, pongo: httpx.Client, sandbox: RunningSandbox
) -> None:
    client = pongo_app.test_client()
    launch(client)
    url = urlsplit(start_connect(client))
    assert f"{url.scheme}://{url.netloc}" == sandbox.url
    assert url.path == endpoints.OAUTH_FORM.path


def test_callback_exchanges_the_code_through_the_pongo_client(
    pongo_app: Flask, pongo: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """The callback's token call goes through the client's transport, like refreshes do."""
    client = pongo_app.test_client()
    with caplog.at_level(logging.INFO, logger="portal.pongo"):
        assert connect_merchant(client, pongo).status_code == 302
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.pongo"]
    assert "pongo token: HTTP 200 (attempt 1)" in lines
    assert token_calls(pongo) == 1


def test_redirect_uri_ignores_spoofed_host_headers(
    database_url: str, sandbox: RunningSandbox, pongo: httpx.Client
) -> None:
    """SEC-3: the redirect URI is the configured one, even behind a proxy passing a forged host."""
    app = make_app(database_url, pongo_base_url=sandbox.url, proxy_hops=1)
    client = app.test_client()
    launch(client)
    response = client.post(
        "/connect/start",
        data={"csrf_token": csrf_token(client, "/connect/")},
        headers={"X-Forwarded-Host": "evil.example"},
    )
    assert query(response.headers["Location"])["redirect_uri"] == (
        "http://127.0.0.1:5000/connect/callback"
    )


def test_state_from_another_session_is_refused(
    pongo_app: Flask, pongo: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-2: a callback carrying a state minted for another browser: error page, no token call."""
    victim, attacker = pongo_app.test_client(), pongo_app.test_client()
    launch(victim)
    launch(attacker)
    back = consent(pongo, start_connect(attacker))
    start_connect(victim)  # the victim has a pending connect of its own
    calls_before = token_calls(pongo)
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        answer = back_to_portal(victim, back)
    assert answer.status_code == 400
    assert "no longer valid" in answer.get_data(as_text=True)
    assert token_calls(pongo) == calls_before
    assert connection_of(pongo_app) is None
    assert any('"event": "oauth_callback"' in r.getMessage() for r in caplog.records)


def test_replayed_callback_is_refused(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-2: state is single-use; the same callback twice changes nothing the second time."""
    client = pongo_app.test_client()
    launch(client)
    back = consent(pongo, start_connect(client))
    assert back_to_portal(client, back).status_code == 302
    first = connection_of(pongo_app)
    replay = back_to_portal(client, back)
    assert replay.status_code == 400
    again = connection_of(pongo_app)
    assert first is not None
    assert again is not None
    assert again.access_token_encrypted == first.access_token_encrypted


def test_connection_is_bound_to_the_session_merchant(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-4: started as merchant A, completed in merchant B's session → saved to nobody."""
    a, b = pongo_app.test_client(), pongo_app.test_client()
    launch(a, merchant_ref="A", merchant_name="Shop A")
    launch(b, merchant_ref="B", merchant_name="Shop B")
    back = consent(pongo, start_connect(a))
    answer = back_to_portal(b, back + "&merchant_id=1")
    assert answer.status_code == 400
    assert connection_of(pongo_app, "A") is None
    assert connection_of(pongo_app, "B") is None


def test_denied_consent_changes_nothing(
    pongo_app: Flask, pongo: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-6: access_denied → a clear page, a security log line, nothing stored."""
    client = pongo_app.test_client()
    launch(client)
    back = consent(pongo, start_connect(client), decision="deny")
    assert query(back)["error"] == "access_denied"
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        answer = back_to_portal(client, back)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "You declined the connection" in body
    assert "Traceback" not in body
    assert connection_of(pongo_app) is None
    assert any('"reason": "access_denied"' in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("status", [500, 503, 400])
def test_failing_token_endpoint_gives_a_clear_page(
    pongo_app: Flask, pongo: httpx.Client, status: int
) -> None:
    """SEC-6: the token endpoint failing → generic page, no secret, nothing stored."""
    client = pongo_app.test_client()
    launch(client)
    back = consent(pongo, start_connect(client))
    pongo.post(
        "/_sandbox/faults",
        json={"path": "/v1/oauth/token", "method": "POST", "status": status, "count": 1},
    )
    answer = back_to_portal(client, back)
    body = answer.get_data(as_text=True)
    assert answer.status_code in (400, 502)
    assert "Pongo" in body
    assert "Traceback" not in body
    assert "code=" not in body
    assert connection_of(pongo_app) is None


def test_reused_code_is_refused(pongo_app: Flask, pongo: httpx.Client) -> None:
    """A code already exchanged is refused by Pongo and the portal shows why, changing nothing."""
    client = pongo_app.test_client()
    launch(client)
    back = consent(pongo, start_connect(client))
    code = query(back)["code"]
    exchange = pongo.post(
        "/v1/oauth/token",
        data={
            "grant_type": "client_credentials",
            "code": code,
            "client_id": "portal-demo",
            "client_secret": "portal-demo-secret-7f3a9c2e",
        },
    )
    assert exchange.status_code in (200, 400)
    answer = back_to_portal(client, back)
    assert answer.status_code == 400
    assert "did not accept" in answer.get_data(as_text=True)
    assert connection_of(pongo_app) is None


def test_tokens_never_appear_in_pages_or_logs(
    pongo_app: Flask, pongo: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-7: the codes and tokens of a whole connect + refresh flow are nowhere to be read."""
    client = pongo_app.test_client()
    allow_refresh(pongo)
    with caplog.at_level(logging.DEBUG):
        launch(client)
        back = consent(pongo, start_connect(client))
        code = query(back)["code"]
        back_to_portal(client, back)
        pages = [client.get(p).get_data(as_text=True) for p in ("/", "/connect/")]
        with pongo_app.app_context():
            merchant = db.session.scalar(select(Merchant))
            assert merchant is not None
            refresh_serialised(merchant.id, force=True)
            row = get_connection(merchant)
            assert row is not None
            assert row.access_token_encrypted
            assert row.refresh_token_encrypted
            secrets = [
                code,
                crypto.decrypt(row.access_token_encrypted),
                crypto.decrypt(row.refresh_token_encrypted),
            ]
    # The test drives the merchant's browser with httpx too, whose own debug lines carry the
    # redirect URL (with the code); only what the portal and its libraries log is checked.
    logged = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpcore", "httpx"))
    )
    for secret in secrets:
        assert secret not in logged
        for page in pages:
            assert secret not in page


def test_tokens_are_encrypted_at_rest(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-8: the raw row holds no plaintext; a flipped byte means "reconnect", not a 500."""
    client = pongo_app.test_client()
    connect_merchant(client, pongo)
    with pongo_app.app_context():
        raw = db.session.execute(
            text("SELECT access_token_encrypted, refresh_token_encrypted FROM pongo_connections")
        ).one()
        plain = crypto.decrypt(raw[0])
        assert plain not in raw[0]
        assert plain.count(".") == 2  # a JWT came back out
        tampered = raw[0][:20] + ("A" if raw[0][20] != "A" else "B") + raw[0][21:]
        db.session.execute(
            text("UPDATE pongo_connections SET access_token_encrypted = :t"), {"t": tampered}
        )
        db.session.commit()
        merchant = db.session.scalar(select(Merchant))
        assert merchant is not None
        with pytest.raises(NeedsReconnection):
            pongo_client_for(merchant).rewards()
    assert status_of(pongo_app) == ConnectionStatus.NEEDS_RECONNECTION
    page = client.get("/")
    assert page.status_code == 200
    assert "reconnect Pongo" in page.get_data(as_text=True)


def test_encryption_keys_rotate_without_downtime(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-9: K1 → [K2, K1] still reads → rotate → [K2] alone reads everything."""
    connect_merchant(pongo_app.test_client(), pongo)
    k1 = pongo_app.extensions["portal.settings"].fernet_keys[0]
    k2 = Fernet.generate_key().decode()
    with pongo_app.app_context():
        stored = db.session.scalar(select(PongoConnection.access_token_encrypted))
        assert stored is not None
        plain = crypto.decrypt(stored, crypto.keyring([k1]))
        both = crypto.keyring([k2, k1])
        assert crypto.decrypt(stored, both) == plain
        rotated = crypto.rotate(stored, both)
        assert crypto.decrypt(rotated, crypto.keyring([k2])) == plain
        with pytest.raises(crypto.InvalidToken):
            crypto.decrypt(rotated, crypto.keyring([k1]))


def test_rotate_keys_command_reencrypts_every_row(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-9: `portal rotate-keys` leaves every token readable under the newest key alone."""
    from dataclasses import replace

    connect_merchant(pongo_app.test_client(), pongo)
    old = pongo_app.extensions["portal.settings"]
    k2 = Fernet.generate_key().decode()
    pongo_app.extensions["portal.settings"] = replace(
        old, encryption_keys=f"{k2},{old.encryption_keys}"
    )
    result = pongo_app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "1 connection" in result.output
    with pongo_app.app_context():
        stored = db.session.scalar(select(PongoConnection.access_token_encrypted))
        assert stored is not None
        assert crypto.decrypt(stored, crypto.keyring([k2]))


def test_refresh_works_outside_a_request(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-10: an expired token is refreshed from a job; new tokens saved, the call uses them."""
    _client, merchant_id = expired_with_refresh(pongo_app, pongo)
    before = connection_of(pongo_app)
    assert before is not None
    with pongo_app.app_context():
        rewards = MerchantPongo(merchant_id).rewards()
    assert rewards
    after = connection_of(pongo_app)
    assert after is not None
    assert after.status == ConnectionStatus.CONNECTED
    assert after.refresh_token_encrypted != before.refresh_token_encrypted
    assert after.expires_at is not None
    assert after.expires_at > utcnow()


def test_refresh_happens_once_for_concurrent_callers(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-11: ten threads with the same expired token → one token-endpoint call, all succeed."""
    _client, merchant_id = expired_with_refresh(pongo_app, pongo)
    calls_before = token_calls(pongo)
    results: list[object] = []

    def call() -> None:
        with pongo_app.app_context():
            try:
                results.append(len(MerchantPongo(merchant_id).stores()))
            except Exception as exc:  # the assertion below reports it
                results.append(exc)

    threads = [threading.Thread(target=call) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [6] * 10
    assert token_calls(pongo) - calls_before == 1
    assert status_of(pongo_app) == ConnectionStatus.CONNECTED


def test_rejected_refresh_flags_reconnection_and_stops(
    pongo_app: Flask, pongo: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-12: invalid_grant → "needs reconnection", one log line, no further refresh attempts."""
    client, merchant_id = expired_with_refresh(pongo_app, pongo, "revoke")
    calls_before = token_calls(pongo)
    with caplog.at_level(logging.WARNING, logger="portal.security"), pongo_app.app_context():
        for _ in range(3):
            with pytest.raises(NeedsReconnection):
                MerchantPongo(merchant_id).rewards()
    assert token_calls(pongo) - calls_before == 1
    flagged = [r for r in caplog.records if '"event": "pongo_token"' in r.getMessage()]
    assert len(flagged) == 1
    assert status_of(pongo_app) == ConnectionStatus.NEEDS_RECONNECTION
    page = client.get("/connect/").get_data(as_text=True)
    assert "Needs reconnection" in page
    assert "Reconnect Pongo" in page


def test_token_close_to_expiry_is_refreshed_first(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-13: a token expiring within the margin is refreshed before the call is made."""
    client = pongo_app.test_client()
    allow_refresh(pongo)
    connect_merchant(client, pongo)
    with pongo_app.app_context():
        row = db.session.scalar(select(PongoConnection))
        assert row is not None
        row.expires_at = utcnow() + timedelta(seconds=60)
        db.session.commit()
        old_token = crypto.decrypt(row.access_token_encrypted or "")
        new_token = access_token_for(row.merchant_id)
    assert new_token != old_token
    refreshed = connection_of(pongo_app)
    assert refreshed is not None
    assert refreshed.expires_at is not None
    assert refreshed.expires_at > utcnow() + timedelta(minutes=5)


def test_revoked_token_marks_reconnection_and_shows_a_banner_everywhere(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    client = pongo_app.test_client()
    connect_merchant(client, pongo)
    revoke_token(pongo)
    with pongo_app.app_context():
        merchant = db.session.scalar(select(Merchant))
        assert merchant is not None
        with pytest.raises(NeedsReconnection):
            pongo_client_for(merchant).stores()
    for path in ("/", "/connect/"):
        assert "reconnect Pongo" in client.get(path).get_data(as_text=True)
    connect_merchant(client, pongo)
    assert "reconnect Pongo" not in client.get("/").get_data(as_text=True)


def test_disconnect_forgets_the_tokens_and_is_audited(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    client = pongo_app.test_client()
    connect_merchant(client, pongo)
    response = client.post(
        "/connect/disconnect", data={"csrf_token": csrf_token(client, "/connect/")}
    )
    assert response.status_code == 302
    row = connection_of(pongo_app)
    assert row is not None
    assert row.status == ConnectionStatus.DISCONNECTED
    assert row.access_token_encrypted is None
    assert row.refresh_token_encrypted is None
    assert "Not connected" in client.get("/connect/").get_data(as_text=True) or "Disconnected" in (
        client.get("/connect/").get_data(as_text=True)
    )
    from portal.models import AuditEvent

    with pongo_app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-4:] == [
        "pongo.connect",
        "stores.refresh",
        "rewards.refresh",
        "pongo.disconnect",
    ]


def test_disconnect_without_csrf_token_is_refused(pongo_app: Flask, pongo: httpx.Client) -> None:
    """SEC-20: a forged disconnect changes nothing."""
    client = pongo_app.test_client()
    connect_merchant(client, pongo)
    assert client.post("/connect/disconnect").status_code == 400
    assert status_of(pongo_app) == ConnectionStatus.CONNECTED


def test_connect_events_are_logged_without_secrets(
    pongo_app: Flask, pongo: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    """SEC-27: launch and OAuth callback successes are structured security events."""
    client = pongo_app.test_client()
    with caplog.at_level(logging.INFO, logger="portal.security"):
        connect_merchant(client, pongo)
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.security"]
    names = [(e["event"], e["outcome"]) for e in events]
    assert ("launch", "success") in names
    assert ("oauth_callback", "success") in names
    assert all("request_id" in e for e in events)


def test_connecting_fetches_stores_and_rewards_at_once(
    pongo_app: Flask, pongo: httpx.Client
) -> None:
    """Right after connecting, the Locations and Rewards pages already have Pongo's data."""
    from portal.models import PongoReward, PongoStore

    connect_merchant(pongo_app.test_client(), pongo)
    with pongo_app.app_context():
        stores = db.session.scalars(select(PongoStore.slug)).all()
        rewards = db.session.scalars(select(PongoReward.public_id)).all()
    assert len(stores) == 6
    assert len(rewards) >= 10


def test_connection_survives_a_failing_first_sync(pongo_app: Flask, pongo: httpx.Client) -> None:
    client = pongo_app.test_client()
    pongo.post(
        "/_sandbox/faults",
        json={"path": "/v1/stores", "method": "GET", "status": 400, "count": 1},
    )
    connect_merchant(client, pongo)
    assert status_of(pongo_app) == ConnectionStatus.CONNECTED
    assert "could not be fetched yet" in client.get("/connect/").get_data(as_text=True)
