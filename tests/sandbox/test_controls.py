"""The /_sandbox/ controls reshape accounts, expose orders, kill tokens and inject faults."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx

from portal.sandbox import routes
from portal.sandbox.server import start_sandbox
from tests.helpers.shop import (
    ALICE,
    FIXTURE,
    allow_refresh,
    bearer,
    password_token,
    refresh_form,
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


def killed_token(http: httpx.Client, control: str) -> dict[str, Any]:
    """Alice's token, refresh token included, after the `control` ("expire", "revoke") killed it."""
    allow_refresh(http)
    token = password_token(http)
    assert http.post(f"/_sandbox/tokens/{control}", json={"login": ALICE}).status_code == 200
    assert http.get(routes.ME.path, headers=bearer(token)).status_code == 401
    return token


def test_expired_tokens_are_unauthenticated_but_can_refresh(http: httpx.Client) -> None:
    token = killed_token(http, "expire")
    refreshed = http.post(routes.TOKEN.path, data=refresh_form(token["refresh_token"]))
    assert http.get(routes.ME.path, headers=bearer(refreshed.json())).status_code == 200


def test_revoked_tokens_cannot_call_or_refresh(http: httpx.Client) -> None:
    token = killed_token(http, "revoke")
    refreshed = http.post(routes.TOKEN.path, data=refresh_form(token["refresh_token"]))
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


def test_refresh_grant_switch_is_checked_and_reset_goes_back_to_the_fixture(
    http: httpx.Client,
) -> None:
    assert http.get("/_sandbox/refresh-grant").json() == {"enabled": False}
    refused = http.post("/_sandbox/refresh-grant", json={"enabled": "yes"})
    assert refused.status_code == 422
    allow_refresh(http)
    assert "refresh_token" in password_token(http)
    assert http.post("/_sandbox/reset").status_code == 200
    assert http.get("/_sandbox/refresh-grant").json() == {"enabled": False}
    assert "refresh_token" not in password_token(http)
