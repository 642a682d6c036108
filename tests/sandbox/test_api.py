"""The emulated API checks tokens and scopes, keeps accounts apart and validates orders."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from portal.sandbox import create_sandbox_app, routes
from tests.helpers.shop import ALICE, BOB, FIXTURE, bearer, password_token, valid_order


@pytest.fixture
def alice(http: httpx.Client) -> dict[str, str]:
    return bearer(password_token(http, ALICE))


def test_me_names_the_tokens_account_and_scopes(http: httpx.Client, alice: dict[str, str]) -> None:
    me = http.get(routes.ME.path, headers=alice).json()
    assert me["login"] == ALICE
    assert me["name"] == "Alice's Bakery"
    assert me["id"].startswith("acc_")
    assert me["scopes"] == ["reward.read", "order.create"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer not.a.jwt", "Basic YTpi", "Bearer eyJhbGciOiJub25lIn0.e30."],
)
def test_missing_or_bad_token_is_unauthenticated(http: httpx.Client, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for path in (routes.ME.path, routes.STORES.path, routes.REWARDS.path):
        answer = http.get(path, headers=headers)
        assert answer.status_code == 401
        assert answer.json() == {"message": "Unauthenticated."}


def test_token_signed_by_another_sandbox_is_refused(http: httpx.Client) -> None:
    other = create_sandbox_app(FIXTURE).test_client()
    foreign = other.post(
        routes.TOKEN.path,
        data={
            "grant_type": "password",
            "username": ALICE,
            "password": FIXTURE["accounts"][0]["password"],
            "client_id": "shop",
            "client_secret": "shop-secret",
        },
    ).get_json()
    assert http.get(routes.ME.path, headers=bearer(foreign)).status_code == 401


def test_missing_scope_is_forbidden(http: httpx.Client) -> None:
    headers = bearer(password_token(http, ALICE, scope="order.create"))
    answer = http.get(routes.REWARDS.path, headers=headers)
    assert answer.status_code == 403
    assert answer.json()["message"]
    assert http.get(routes.STORES.path, headers=headers).status_code == 200


def test_order_needs_the_order_create_scope(http: httpx.Client) -> None:
    headers = bearer(password_token(http, ALICE, scope="reward.read"))
    answer = http.post(routes.CREATE_ORDER.path, headers=headers, json=valid_order())
    assert answer.status_code == 403


def test_accounts_never_see_each_others_data(http: httpx.Client, alice: dict[str, str]) -> None:
    bob = bearer(password_token(http, BOB))
    alice_slugs = {s["slug"] for s in http.get(routes.STORES.path, headers=alice).json()["data"]}
    bob_slugs = {s["slug"] for s in http.get(routes.STORES.path, headers=bob).json()["data"]}
    assert alice_slugs == {"alice-paris", "alice-lyon"}
    assert bob_slugs == {"bob-nice"}
    bob_rewards = http.get(routes.REWARDS.path, headers=bob).json()["data"]
    assert [r["public_id"] for r in bob_rewards] == ["rew_b000000001"]
    answer = http.post(routes.CREATE_ORDER.path, headers=bob, json=valid_order())
    assert answer.status_code == 422
    assert "loyalty_store_slug" in answer.json()["errors"]


def test_stores_answer_the_fixture_fields_in_a_laravel_page(
    http: httpx.Client, alice: dict[str, str]
) -> None:
    body = http.get(routes.STORES.path, headers=alice).json()
    assert body["data"][0] == FIXTURE["accounts"][0]["stores"][0]
    assert body["meta"]["total"] == 2
    assert body["meta"]["last_page"] == 1
    assert body["links"]["next"] is None


def test_rewards_are_paginated_with_next_links(http: httpx.Client, alice: dict[str, str]) -> None:
    first = http.get(routes.REWARDS.path, headers=alice, params={"per_page": 2}).json()
    assert len(first["data"]) == 2
    assert first["meta"] == {**first["meta"], "current_page": 1, "last_page": 2, "total": 3}
    second = http.get(first["links"]["next"], headers=alice).json()
    assert [r["public_id"] for r in second["data"]] == ["rew_a000000003"]
    assert second["links"]["next"] is None


def test_rewards_filter_by_store_and_customer(http: httpx.Client, alice: dict[str, str]) -> None:
    def ids(**params: str) -> list[str]:
        body = http.get(routes.REWARDS.path, headers=alice, params=params).json()
        return [r["public_id"] for r in body["data"]]

    assert ids() == ["rew_a000000001", "rew_a000000002", "rew_a000000003"]
    assert ids(store_slug="alice-paris") == ["rew_a000000001", "rew_a000000003"]
    assert ids(customer="cus_other") == ["rew_a000000001", "rew_a000000002"]
    assert "rew_a000000003" in ids(customer="cus_student")
    bad = http.get(routes.REWARDS.path, headers=alice, params={"store_slug": "bob-nice"})
    assert bad.status_code == 422


def test_first_order_is_created_and_a_repeat_is_already_processed(
    http: httpx.Client, alice: dict[str, str]
) -> None:
    created = http.post(routes.CREATE_ORDER.path, headers=alice, json=valid_order())
    assert created.status_code == 201
    assert created.json()["id"].startswith("ord_")
    repeat = http.post(routes.CREATE_ORDER.path, headers=alice, json=valid_order(amount=999))
    assert repeat.status_code == 202
    assert repeat.json() == {
        "message": "This order has already been processed.",
        "id": created.json()["id"],
    }
    other_store = http.post(
        routes.CREATE_ORDER.path, headers=alice, json=valid_order(loyalty_store_slug="alice-lyon")
    )
    assert other_store.status_code == 201


def test_same_idempotency_key_gets_the_same_answer(
    http: httpx.Client, alice: dict[str, str]
) -> None:
    headers = {**alice, "Idempotency-Key": "key-1"}
    first = http.post(routes.CREATE_ORDER.path, headers=headers, json=valid_order())
    again = http.post(routes.CREATE_ORDER.path, headers=headers, json=valid_order())
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"order_id": None}, "order_id"),
        ({"order_id": 12}, "order_id"),
        ({"loyalty_store_slug": "nowhere"}, "loyalty_store_slug"),
        ({"amount": 12.5}, "amount"),
        ({"amount": "1250"}, "amount"),
        ({"tax_amount": "110"}, "tax_amount"),
        ({"created_at": "yesterday"}, "created_at"),
        ({"lines": []}, "lines"),
        ({"channel": ""}, "channel"),
        ({"delivery_mode": None}, "delivery_mode"),
        ({"status": 3}, "status"),
        ({"delivery_status": ""}, "delivery_status"),
        ({"reward_ids": "rew_1"}, "reward_ids"),
        ({"customer_phone": 33612345678}, "customer_phone"),
    ],
)
def test_invalid_order_gets_laravel_field_errors(
    http: httpx.Client, alice: dict[str, str], changes: dict[str, Any], field: str
) -> None:
    answer = http.post(routes.CREATE_ORDER.path, headers=alice, json=valid_order(**changes))
    assert answer.status_code == 422
    body = answer.json()
    assert body["message"]
    assert list(body["errors"]) == [field]


def test_tax_amount_may_be_null(http: httpx.Client, alice: dict[str, str]) -> None:
    answer = http.post(routes.CREATE_ORDER.path, headers=alice, json=valid_order(tax_amount=None))
    assert answer.status_code == 201


def test_order_enums_can_be_restricted_by_the_fixture() -> None:
    strict = create_sandbox_app({**FIXTURE, "order_enums": {"channel": ["pos", "kiosk"]}})
    client = strict.test_client()
    token = client.post(
        routes.TOKEN.path,
        data={
            "grant_type": "password",
            "username": ALICE,
            "password": FIXTURE["accounts"][0]["password"],
            "scope": "order.create",
            "client_id": "shop",
            "client_secret": "shop-secret",
        },
    ).get_json()
    answer = client.post(
        routes.CREATE_ORDER.path, headers=bearer(token), json=valid_order(channel="web")
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["channel"] == ["The selected channel is invalid."]


def test_unknown_path_is_a_json_404(http: httpx.Client) -> None:
    answer = http.get("/v1/customers/123")
    assert answer.status_code == 404
    assert answer.json()["message"]
