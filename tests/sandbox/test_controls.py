"""The /_sandbox/ controls reshape accounts, expose orders, kill tokens and inject faults."""

from __future__ import annotations

import time
from datetime import datetime

import httpx

from portal.sandbox import routes
from portal.sandbox.server import start_sandbox
from tests.helpers.shop import (
    ALICE,
    CLIENT_ID,
    CLIENT_SECRET,
    FIXTURE,
    bearer,
    password_token,
    valid_order,
)


def test_controls_are_absent_unless_enabled() -> None:
    with (
        start_sandbox(FIXTURE, controls=False) as sandbox,
        httpx.Client(base_url=sandbox.url) as http,
    ):
        assert http.post("/_sandbox/reset").status_code == 404
        assert http.get("/_sandbox/orders").status_code == 404
        fault = {"path": routes.STORES.path, "status": 500}
        assert http.post("/_sandbox/faults", json=fault).status_code == 404


def test_replaced_stores_and_rewards_are_served(http: httpx.Client) -> None:
    headers = bearer(password_token(http))
    stores = [{"slug": "new-store", "name": "New"}]
    rewards = [{"public_id": f"rew_{i:010d}", "name": f"R{i}", "points": i} for i in range(3)]
    assert (
        http.put(f"/_sandbox/accounts/{ALICE}/stores", json={"stores": stores}).status_code == 200
    )
    assert (
        http.put(f"/_sandbox/accounts/{ALICE}/rewards", json={"rewards": rewards}).status_code
        == 200
    )
    assert http.get(routes.STORES.path, headers=headers).json()["data"] == stores
    assert http.get(routes.REWARDS.path, headers=headers).json()["meta"]["total"] == 3


def test_malformed_control_data_is_refused(http: httpx.Client) -> None:
    answer = http.put(f"/_sandbox/accounts/{ALICE}/stores", json={"stores": [{"name": "no slug"}]})
    assert answer.status_code == 422
    assert http.put("/_sandbox/accounts/nobody/rewards", json={"rewards": []}).status_code == 404


def test_orders_log_keeps_every_order_with_its_answer(http: httpx.Client) -> None:
    headers = {**bearer(password_token(http)), "Idempotency-Key": "k-7"}
    http.post(routes.CREATE_ORDER.path, headers=headers, json=valid_order())
    empty = valid_order(lines=[])
    http.post(routes.CREATE_ORDER.path, headers=bearer(password_token(http)), json=empty)
    log = http.get("/_sandbox/orders").json()
    assert [(o["status"], o["idempotency_key"]) for o in log] == [(201, "k-7"), (422, None)]
    assert log[0]["account"] == ALICE
    assert log[0]["body"]["order_id"] == "POS-1001"
    assert log[0]["response"]["id"].startswith("ord_")
    assert datetime.fromisoformat(log[0]["received_at"]).tzinfo is not None


def test_expired_tokens_are_unauthenticated_but_can_refresh(http: httpx.Client) -> None:
    token = password_token(http)
    assert http.post("/_sandbox/tokens/expire", json={"login": ALICE}).status_code == 200
    assert http.get(routes.ME.path, headers=bearer(token)).status_code == 401
    refreshed = http.post(
        routes.TOKEN.path,
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert http.get(routes.ME.path, headers=bearer(refreshed.json())).status_code == 200


def test_revoked_tokens_cannot_call_or_refresh(http: httpx.Client) -> None:
    token = password_token(http)
    assert http.post("/_sandbox/tokens/revoke", json={"login": ALICE}).status_code == 200
    assert http.get(routes.ME.path, headers=bearer(token)).status_code == 401
    refreshed = http.post(
        routes.TOKEN.path,
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )
    assert refreshed.json()["error"] == "invalid_grant"


def test_fault_answers_the_next_matching_requests_then_stops(http: httpx.Client) -> None:
    headers = bearer(password_token(http))
    fault = {
        "path": routes.STORES.path,
        "method": "GET",
        "status": 503,
        "count": 2,
        "headers": {"Retry-After": "1"},
    }
    assert http.post("/_sandbox/faults", json=fault).status_code == 201
    first = http.get(routes.STORES.path, headers=headers)
    assert first.status_code == 503
    assert first.headers["Retry-After"] == "1"
    assert http.get(routes.REWARDS.path, headers=headers).status_code == 200
    assert http.get(routes.STORES.path, headers=headers).status_code == 503
    assert http.get(routes.STORES.path, headers=headers).status_code == 200
    assert http.get("/_sandbox/faults").json()[0]["hits"] == 2


def test_delay_only_fault_slows_a_normal_answer(http: httpx.Client) -> None:
    headers = bearer(password_token(http))
    http.post("/_sandbox/faults", json={"path": routes.ME.path, "delay_ms": 300})
    started = time.monotonic()
    answer = http.get(routes.ME.path, headers=headers)
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200


def test_reset_restores_the_fixture_and_forgets_everything(http: httpx.Client) -> None:
    headers = bearer(password_token(http))
    http.put(f"/_sandbox/accounts/{ALICE}/stores", json={"stores": []})
    http.post(routes.CREATE_ORDER.path, headers=headers, json=valid_order())
    http.post("/_sandbox/faults", json={"path": routes.REWARDS.path, "status": 500, "count": 5})
    assert http.post("/_sandbox/reset").status_code == 200
    assert http.get(routes.ME.path, headers=headers).status_code == 401
    fresh = bearer(password_token(http))
    assert len(http.get(routes.STORES.path, headers=fresh).json()["data"]) == 2
    assert http.get(routes.REWARDS.path, headers=fresh).status_code == 200
    assert http.get("/_sandbox/orders").json() == []
    assert http.post(routes.CREATE_ORDER.path, headers=fresh, json=valid_order()).status_code == 201
