"""Reading Pongo's answers tolerantly, and refusing ones the portal cannot use."""

from __future__ import annotations

from typing import Any

import pytest

from portal.pongo import UnexpectedResponse
from portal.pongo.models import parse_account, parse_reward, parse_store, unwrap_list
from portal.pongo.settings import parse_scopes


def test_bare_list_and_data_envelope_are_both_read() -> None:
    assert unwrap_list([1], "x") == [1]
    assert unwrap_list({"data": [2], "meta": {}}, "x") == [2]


@pytest.mark.parametrize("body", [None, "text", {"items": []}, {"data": {"a": 1}}])
def test_answer_without_a_list_is_unexpected(body: Any) -> None:
    with pytest.raises(UnexpectedResponse):
        unwrap_list(body, "stores")


def test_reward_reads_numbers_and_ignores_unknown_fields() -> None:
    reward = parse_reward({"public_id": "rew_1", "points": 10.0, "image": "x.png"})
    assert reward.points == 10
    assert reward.name == "rew_1"
    assert reward.raw_external_id is None


@pytest.mark.parametrize(
    "item",
    [{"name": "no id"}, {"public_id": ""}, {"public_id": "r", "points": "ten"}, ["rew_1"]],
)
def test_malformed_reward_is_unexpected(item: Any) -> None:
    with pytest.raises(UnexpectedResponse):
        parse_reward(item)


def test_store_needs_a_slug() -> None:
    with pytest.raises(UnexpectedResponse, match="slug"):
        parse_store({"name": "Somewhere"})


def test_account_accepts_an_envelope_and_comma_separated_scopes() -> None:
    account = parse_account({"data": {"id": 42, "scopes": "reward.read,order.create"}})
    assert account.id == "42"
    assert account.scopes == ("reward.read", "order.create")


@pytest.mark.parametrize(
    "text",
    ["reward.read,order.create", "reward.read order.create", " reward.read , order.create,"],
)
def test_scopes_read_the_same_whatever_the_separator(text: str) -> None:
    assert parse_scopes(text) == ("reward.read", "order.create")


def test_account_scopes_are_read_like_token_scopes() -> None:
    account = parse_account({"id": 1, "scopes": "reward.read, order.create"})
    assert account.scopes == parse_scopes("reward.read order.create")
