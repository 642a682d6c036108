"""The sandbox's "Update order status": only for an order it has, recorded, in order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portal.sandbox import create_sandbox_app, routes
from tests.helpers.shop import ALICE, BOB, FIXTURE, app_token, password_token, valid_order

SCOPES = "reward.read,order.create,order.update"


def bearer(login: str, http: httpx.Client, scope: str = SCOPES) -> dict[str, str]:
    return {"Authorization": f"Bearer {password_token(http, login, scope)['access_token']}"}


def status_path(order_id: str) -> str:
    return routes.UPDATE_ORDER_STATUS.path.replace("<order_id>", order_id)


@pytest.fixture
def order_id(http: httpx.Client) -> str:
    created = http.post(routes.CREATE_ORDER.path, headers=bearer(ALICE, http), json=valid_order())
    assert created.status_code == 201
    pongo_id: str = created.json()["id"]
    return pongo_id


def test_status_updates_are_recorded_in_order_and_a_repeat_is_one(
    http: httpx.Client, order_id: str
) -> None:
    headers = bearer(ALICE, http)
    for status in ("cancelled", "cancelled", "refunded"):
        answer = http.patch(status_path(order_id), headers=headers, json={"status": status})
        assert answer.status_code == 200
        assert answer.json() == {"id": order_id, "status": status}
    seen = http.get("/_sandbox/status-updates").json()
    assert seen["statuses"][order_id] == ["completed", "cancelled", "refunded"]
    assert [u["body"]["status"] for u in seen["updates"]] == ["cancelled", "cancelled", "refunded"]


def test_an_order_pongo_does_not_have_is_not_found(http: httpx.Client, order_id: str) -> None:
    """Before the order itself arrived, or another account's order: 404."""
    unknown = http.patch(
        status_path("ord_000000000000"), headers=bearer(ALICE, http), json={"status": "cancelled"}
    )
    assert unknown.status_code == 404
    assert unknown.json()["message"]
    other = http.patch(status_path(order_id), headers=bearer(BOB, http), json={"status": "x"})
    assert other.status_code == 404
    assert http.get("/_sandbox/status-updates").json()["statuses"][order_id] == ["completed"]


@pytest.mark.parametrize("body", [{}, {"status": ""}, {"status": 3}, ["cancelled"]])
def test_a_status_update_needs_a_status(http: httpx.Client, order_id: str, body: Any) -> None:
    answer = http.patch(status_path(order_id), headers=bearer(ALICE, http), json=body)
    assert answer.status_code == 422
    assert answer.json()["errors"]


def test_a_status_update_needs_the_order_update_scope(http: httpx.Client, order_id: str) -> None:
    headers = bearer(ALICE, http, scope="order.create")
    answer = http.patch(status_path(order_id), headers=headers, json={"status": "cancelled"})
    assert answer.status_code == 403


def test_status_values_can_be_restricted_by_the_fixture() -> None:
    strict = create_sandbox_app({**FIXTURE, "order_enums": {"status": ["completed", "cancelled"]}})
    client = strict.test_client()
    headers = app_token(strict, SCOPES)
    created = client.post(routes.CREATE_ORDER.path, headers=headers, json=valid_order())
    path = status_path(created.get_json()["id"])
    refused = client.patch(path, headers=headers, json={"status": "refunded"})
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["status"] == ["The selected status is invalid."]
    assert client.patch(path, headers=headers, json={"status": "cancelled"}).status_code == 200
