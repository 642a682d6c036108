"""The Pongo client against the sandbox: typed results, pagination, error mapping and retries."""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from portal.pongo import (
    FetchedReward,
    FetchedStore,
    MissingScope,
    NeedsReconnection,
    OrderReceipt,
    PongoClient,
    PongoSettings,
    Rejected,
    TooSlow,
    Unavailable,
    ValidationFailed,
    endpoints,
)
from tests.helpers.sandbox import fault, requests_to
from tests.helpers.shop import ALICE, password_token, valid_order
from tests.pongo.conftest import Sleeper


def test_me_returns_the_connected_account(pongo_client: PongoClient) -> None:
    account = pongo_client.me()
    assert account.login == ALICE
    assert account.name == "Alice's Bakery"
    assert account.scopes == ("reward.read", "order.create")


def test_stores_are_typed_and_optional_fields_may_be_missing(pongo_client: PongoClient) -> None:
    stores = pongo_client.stores()
    assert stores[0] == FetchedStore(
        slug="alice-paris",
        name="Alice Paris",
        address="1 rue de Rivoli",
        city="Paris",
        postal_code="75001",
        public_id="sto_alice00001",
    )
    assert stores[1].slug == "alice-lyon"
    assert stores[1].address is None


def test_rewards_keep_the_raw_sku_list_and_ignore_unknown_fields(pongo_client: PongoClient) -> None:
    rewards = pongo_client.rewards()
    assert rewards[0] == FetchedReward("rew_a000000001", "Croissant", 50, "BAK-001")
    assert rewards[1].raw_external_id is None
    assert [r.public_id for r in pongo_client.rewards(store_slug="alice-paris")] == [
        "rew_a000000001",
        "rew_a000000003",
    ]
    assert len(pongo_client.rewards(customer="cus_someone", store_slug="alice-lyon")) == 2


def test_rewards_follow_pagination_to_the_end(
    pongo_client: PongoClient, http: httpx.Client
) -> None:
    many = [
        {"public_id": f"rew_{i:010d}", "name": f"Reward {i}", "points": i, "external_id": "X"}
        for i in range(130)
    ]
    http.put(f"/_sandbox/accounts/{ALICE}/rewards", json={"rewards": many})
    rewards = pongo_client.rewards()
    assert [r.points for r in rewards] == list(range(130))
    assert len(requests_to(http, endpoints.REWARDS)) == 3


def test_new_order_is_created(pongo_client: PongoClient, http: httpx.Client) -> None:
    receipt = pongo_client.create_order(valid_order(), idempotency_key="relay-1")
    assert receipt.already_processed is False
    assert receipt.status_code == 201
    assert receipt.order_id == "POS-1001"
    assert receipt.pongo_id is not None
    assert receipt.pongo_id.startswith("ord_")
    assert http.get("/_sandbox/orders").json()[0]["idempotency_key"] == "relay-1"


def test_order_pongo_already_has_counts_as_already_processed(pongo_client: PongoClient) -> None:
    first = pongo_client.create_order(valid_order(), idempotency_key="relay-1")
    again = pongo_client.create_order(valid_order(), idempotency_key="relay-2")
    assert again == OrderReceipt("POS-1001", first.pongo_id, True, 202)


def test_order_without_idempotency_key_is_refused_before_sending(pongo_client: PongoClient) -> None:
    """SEC-29: order without idempotency key is refused before sending."""
    with pytest.raises(ValueError, match="idempotency key"):
        pongo_client.create_order(valid_order(), idempotency_key="")


def test_three_503s_then_success_is_retried_with_growing_backoff(
    pongo_client: PongoClient, http: httpx.Client, sleeper: Sleeper
) -> None:
    """SEC-29: three 503s then success is retried with growing backoff."""
    fault(http, endpoints.CREATE_ORDER, method="POST", status=503, count=3)
    receipt = pongo_client.create_order(valid_order(), idempotency_key="relay-9")
    assert receipt.status_code == 201
    attempts = requests_to(http, endpoints.CREATE_ORDER)
    assert [a["status"] for a in attempts] == [503, 503, 503, 201]
    assert {a["idempotency_key"] for a in attempts} == {"relay-9"}
    assert len(sleeper.waits) == 3
    assert sleeper.waits[0] < sleeper.waits[2]
    assert len(http.get("/_sandbox/orders").json()) == 1


def test_persistent_503_gives_up_after_the_retry_budget(
    pongo_client: PongoClient, http: httpx.Client, sleeper: Sleeper
) -> None:
    """SEC-29: persistent 503 gives up after the retry budget."""
    fault(http, endpoints.STORES, status=503, count=10)
    with pytest.raises(Unavailable) as caught:
        pongo_client.stores()
    assert caught.value.status_code == 503
    assert len(requests_to(http, endpoints.STORES)) == 4
    assert len(sleeper.waits) == 3


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_errors_are_retried(
    pongo_client: PongoClient, http: httpx.Client, status: int
) -> None:
    """SEC-29: gateway errors are retried."""
    fault(http, endpoints.ME, status=status, count=1)
    assert pongo_client.me().login == ALICE
    assert len(requests_to(http, endpoints.ME)) == 2


def test_validation_error_is_not_retried_and_lists_field_errors(
    pongo_client: PongoClient, http: httpx.Client, sleeper: Sleeper
) -> None:
    """SEC-29: validation error is not retried and lists field errors."""
    with pytest.raises(ValidationFailed) as caught:
        pongo_client.create_order(valid_order(amount="12.50"), idempotency_key="relay-3")
    assert caught.value.field_errors == {"amount": ["The amount must be an integer."]}
    assert len(http.get("/_sandbox/orders").json()) == 1
    assert sleeper.waits == []


def test_bad_request_is_not_retried(
    pongo_client: PongoClient, http: httpx.Client, sleeper: Sleeper
) -> None:
    """SEC-29: bad request is not retried."""
    fault(http, endpoints.CREATE_ORDER, status=400, count=5)
    with pytest.raises(Rejected):
        pongo_client.create_order(valid_order(), idempotency_key="relay-4")
    assert len(requests_to(http, endpoints.CREATE_ORDER)) == 1
    assert sleeper.waits == []


def test_429_waits_as_long_as_retry_after_says(
    pongo_client: PongoClient, http: httpx.Client, sleeper: Sleeper
) -> None:
    """SEC-29: 429 waits as long as retry after says."""
    fault(http, endpoints.REWARDS, status=429, count=1, headers={"Retry-After": "2"})
    assert len(pongo_client.rewards()) == 3
    assert sleeper.waits == [2.0]


def test_retry_after_beyond_the_deadline_fails_at_once(
    pongo_client: PongoClient, http: httpx.Client, sleeper: Sleeper
) -> None:
    """SEC-28: retry after beyond the deadline fails at once."""
    fault(http, endpoints.REWARDS, status=429, count=1, headers={"Retry-After": "120"})
    with pytest.raises(Unavailable, match="past the deadline") as caught:
        pongo_client.rewards()
    assert caught.value.status_code == 429
    assert sleeper.waits == []
    assert len(requests_to(http, endpoints.REWARDS)) == 1


def test_backoff_stops_at_the_overall_deadline(
    make_client: Callable[..., PongoClient],
    settings: PongoSettings,
    http: httpx.Client,
    sleeper: Sleeper,
) -> None:
    """SEC-28: backoff stops at the overall deadline."""
    patient = dataclasses.replace(settings, max_retries=20, deadline=5.0, backoff_base=1.0)
    fault(http, endpoints.STORES, status=503, count=50)
    with pytest.raises(Unavailable):
        make_client(patient).stores()
    assert sum(sleeper.waits) < 5.0
    assert len(requests_to(http, endpoints.STORES)) < 21


def test_slow_answer_hits_the_deadline_quickly(
    make_client: Callable[..., PongoClient], settings: PongoSettings, http: httpx.Client
) -> None:
    """SEC-28: slow answer hits the deadline quickly."""
    hurried = dataclasses.replace(settings, deadline=0.3)
    fault(http, endpoints.STORES, delay_ms=1500, count=1)
    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        make_client(hurried).stores()
    assert time.monotonic() - started < 1.0
    assert isinstance(caught.value, TooSlow)
    assert caught.value.user_message == "Pongo is slow to answer, try again in a minute."


def test_calls_of_one_page_share_its_budget(
    make_client: Callable[..., PongoClient], settings: PongoSettings, http: httpx.Client
) -> None:
    """Each call has time left only until the page's budget ends, not a deadline each."""
    fault(http, endpoints.STORES, delay_ms=1500, count=3)
    budgeted = dataclasses.replace(settings, deadline=10.0, budget_until=time.monotonic() + 0.5)
    client = make_client(budgeted)
    started = time.monotonic()
    for _ in range(3):
        with pytest.raises(TooSlow):
            client.stores()
    assert time.monotonic() - started < 1.0


def test_refused_connection_is_retried_then_unavailable(
    make_client: Callable[..., PongoClient], settings: PongoSettings, sleeper: Sleeper
) -> None:
    """SEC-28: refused connection is retried then unavailable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    nowhere = dataclasses.replace(settings, base_url=f"http://127.0.0.1:{closed_port}")
    with pytest.raises(Unavailable, match="ConnectError"):
        make_client(nowhere).me()
    assert len(sleeper.waits) == 3


def test_rejected_token_needs_reconnection_and_is_not_leaked(
    pongo_client: PongoClient, http: httpx.Client, token: dict[str, Any]
) -> None:
    http.post("/_sandbox/tokens/expire", json={"login": ALICE})
    with pytest.raises(NeedsReconnection) as caught:
        pongo_client.me()
    assert caught.value.status_code == 401
    assert token["access_token"] not in str(caught.value)
    assert "reconnect" in caught.value.user_message


def test_missing_scope_is_reported(
    make_client: Callable[..., PongoClient], http: httpx.Client
) -> None:
    narrow = password_token(http, scope="order.create")["access_token"]
    with pytest.raises(MissingScope):
        make_client(access_token=narrow).rewards()


def test_access_token_is_asked_for_on_every_attempt(
    settings: PongoSettings, http: httpx.Client, sleeper: Sleeper, token: dict[str, Any]
) -> None:
    asked: list[int] = []

    def access_token() -> str:
        asked.append(1)
        return str(token["access_token"])

    fault(http, endpoints.ME, status=503, count=2)
    client = PongoClient(settings, access_token, http=http, sleep=sleeper.sleep)
    client.me()
    assert len(asked) == 3


def test_client_opens_and_closes_its_own_connections(
    settings: PongoSettings, token: dict[str, Any]
) -> None:
    with PongoClient(settings, lambda: str(token["access_token"])) as client:
        assert client.me().login == ALICE
