"""`portal pongo-check` against the sandbox over real HTTP: it passes as served, and says
`differs:` naming the field when the sandbox serves other names."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

from portal.golive import pongo_check_command
from portal.pongo import endpoints, inferred
from portal.sandbox.server import RunningSandbox, start_sandbox
from tests.helpers.shop import (
    ALICE,
    CLIENT_ID,
    CLIENT_SECRET,
    FIXTURE,
    PASSWORD,
    REDIRECT_URI,
    allow_refresh,
    authorize,
)


def run(url: str, *extra: str, password: bool = True) -> Result:
    args = ["--base-url", url, "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
    if password:
        args += ["--login", ALICE, "--password", PASSWORD]
    return CliRunner().invoke(pongo_check_command, [*args, *extra], env={})


def lines(result: Result, verdict: str) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith(verdict + ":")]


@pytest.fixture
def url(http: httpx.Client, shop_sandbox: RunningSandbox) -> str:
    return shop_sandbox.url


def test_check_passes_against_the_sandbox_and_reports_every_guess(url: str) -> None:
    result = run(url, "--order", "alice-paris")
    assert result.exit_code == 0, result.output
    assert lines(result, "differs") == []
    out = result.output
    for guess in inferred.every_guess():
        assert f"{guess.what} {str(guess)!r}" in out, guess.what
    assert "confirmed: order field 'channel'" in out
    assert "confirmed: repeat order message" in out
    assert "confirmed: 422 answer field 'errors'" in out
    for secret in (PASSWORD, CLIENT_SECRET):
        assert secret not in out
    assert out.splitlines()[-1].endswith("0 differs, 13 not checked")


def test_the_test_order_is_cancelled_after_it_was_accepted(url: str, http: httpx.Client) -> None:
    result = run(url, "--order", "alice-paris")
    assert "confirmed: update-order-status path '/v1/orders/{id}'" in result.output
    assert "confirmed: order status value 'cancelled'" in result.output
    statuses = http.get("/_sandbox/status-updates").json()["statuses"]
    assert list(statuses.values()) == [["completed", "cancelled"]]


def test_the_test_order_is_posted_once_without_a_customer(url: str, http: httpx.Client) -> None:
    assert run(url, "--order", "alice-paris").exit_code == 0
    log = http.get("/_sandbox/orders").json()
    assert [entry["status"] for entry in log] == [201, 202, 422]
    first = log[0]["body"]
    assert first["customer"] is None
    assert first["order_id"].startswith("pongo-check-")
    assert log[0]["ignored_fields"] == []


def test_without_an_order_the_order_guesses_are_not_checked(url: str, http: httpx.Client) -> None:
    result = run(url)
    assert result.exit_code == 0, result.output
    assert "not checked: create-order path '/v1/orders'" in result.output
    assert "(give --order STORE_SLUG to post one test order)" in result.output
    assert http.get("/_sandbox/orders").json() == []


def test_renamed_store_and_reward_fields_differ_by_name(url: str, http: httpx.Client) -> None:
    stores = [{"store_slug": "alice-paris", "title": "Alice Paris", "public_id": "sto_1"}]
    rewards = [{"id": "rew_1", "name": "Croissant", "cost": 50, "sku": "BAK-001"}]
    for field, items in (("stores", stores), ("rewards", rewards)):
        answer = http.put(
            f"/_sandbox/accounts/{ALICE}/{field}", json={field: items, "unchecked": True}
        )
        assert answer.status_code == 200
    result = run(url)
    assert result.exit_code == 1
    differs = "\n".join(lines(result, "differs"))
    for name in ("store field 'slug'", "store field 'name'", "reward field 'public_id'"):
        assert name in differs
    assert "reward field 'external_id'" in differs
    assert "reward field 'points'" in differs
    assert "fields: public_id, store_slug, title" in differs
    assert "stores as the client reads them (1 of 1 unreadable" in differs


def test_a_token_answer_with_other_names_differs_and_stops(url: str, http: httpx.Client) -> None:
    fault = {
        "path": endpoints.TOKEN.path,
        "status": 200,
        "body": {"token": "abc", "type": "bearer", "ttl": 60},
    }
    assert http.post("/_sandbox/faults", json=fault).status_code == 201
    result = run(url)
    assert result.exit_code == 1
    differs = "\n".join(lines(result, "differs"))
    assert "token answer field 'access_token'" in differs
    assert "(fields: token, ttl, type)" in differs
    assert "(no token, so nothing else could be called)" in result.output


def test_a_refused_enum_value_differs_with_pongos_words() -> None:
    strict: dict[str, Any] = {**FIXTURE, "order_enums": {"channel": ["kiosk", "web"]}}
    with start_sandbox(strict) as sandbox:
        result = run(sandbox.url, "--order", "alice-paris")
    assert result.exit_code == 1
    assert (
        "differs: order field 'channel' [reference/createanorder-1, inferred]"
        " (Pongo said: The selected channel is invalid.)"
    ) in result.output
    passing = run_with_channel(strict, "kiosk")
    assert passing.exit_code == 0, passing.output
    assert "confirmed: channel value 'kiosk' (from PONGO_ORDER_*)" in passing.output
    assert "not checked: channel value 'pos'" in passing.output


def run_with_channel(fixture: dict[str, Any], channel: str) -> Result:
    with start_sandbox(fixture) as sandbox:
        return run(sandbox.url, "--order", "alice-paris", "--channel", channel)


def test_a_missing_path_differs(url: str) -> None:
    result = run(url, "--token-path", "/oauth/token")
    assert result.exit_code == 1
    assert "differs: token path '/oauth/token' (HTTP 404" in result.output


def test_a_refresh_token_is_tried(url: str, http: httpx.Client) -> None:
    allow_refresh(http)
    result = run(url)
    assert "confirmed: token answer field 'refresh_token'" in result.output
    assert "(the refresh grant works)" in result.output


def test_a_refused_refresh_differs(url: str, http: httpx.Client) -> None:
    allow_refresh(http)
    # Faults match in order: the first token request passes, the refresh meets the 400.
    passing = {"path": endpoints.TOKEN.path, "delay_ms": 1}
    refusing = {"path": endpoints.TOKEN.path, "status": 400, "body": {"error": "nope"}}
    for fault in (passing, refusing):
        assert http.post("/_sandbox/faults", json=fault).status_code == 201
    result = run(url)
    assert result.exit_code == 1
    assert "differs: token answer field 'refresh_token'" in result.output
    assert "the refresh was refused, HTTP 400: nope" in result.output


def test_code_exchange_is_the_documented_grant(url: str, http: httpx.Client) -> None:
    code = authorize(http, scope="reward.read,order.create,order.update")["code"]
    result = run(url, "--code", code, "--redirect-uri", REDIRECT_URI, password=False)
    assert result.exit_code == 0, result.output
    assert "confirmed: code exchange grant 'client_credentials'" in result.output
    assert code not in result.output


@pytest.mark.parametrize(
    "extra",
    [
        ["--code", "c", "--login", ALICE],
        [],
        ["--login", ALICE],
    ],
)
def test_credentials_must_be_one_grant(url: str, extra: list[str]) -> None:
    result = run(url, *extra, password=False)
    assert result.exit_code == 2
    assert "--login and --password" in result.output


def test_base_url_must_be_http(url: str) -> None:
    assert run("ftp://pongo.example").exit_code == 2


def test_a_token_without_the_status_scope_differs(url: str, http: httpx.Client) -> None:
    result = run(url, "--order", "alice-paris", "--scopes", "reward.read,order.create")
    assert result.exit_code == 1
    assert "differs: update-order-status scope 'order.update'" in result.output
    assert "stays in Pongo: cancel it there" in result.output
