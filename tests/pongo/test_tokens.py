"""Code exchange and refresh against the sandbox's token endpoint."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from portal.pongo import (
    ClientRejected,
    GrantRejected,
    NeedsReconnection,
    NotFound,
    PongoSettings,
    Unavailable,
    endpoints,
    exchange_code,
    refresh_access_token,
)
from tests.helpers.sandbox import fault, requests_to
from tests.helpers.shop import allow_refresh, authorize, s256
from tests.pongo.conftest import Sleeper

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_code_from_the_form_exchanges_for_tokens(
    http: httpx.Client, settings: PongoSettings
) -> None:
    verifier = "a-long-random-verifier-" + "x" * 30
    code = authorize(http, code_challenge=s256(verifier), code_challenge_method="S256")["code"]
    tokens = exchange_code(settings, code, verifier, http=http, now=lambda: NOW)
    assert tokens.access_token.count(".") == 2
    # The sandbox, like Pongo's reference, offers no refresh grant: no refresh token.
    assert tokens.refresh_token is None
    assert tokens.expires_at == NOW + timedelta(seconds=600)
    assert tokens.scopes == ("reward.read", "order.create")
    assert tokens.access_token not in repr(tokens)


def test_refresh_rotates_and_the_old_refresh_token_is_rejected(
    http: httpx.Client, settings: PongoSettings
) -> None:
    allow_refresh(http)
    code = authorize(http)["code"]
    first = exchange_code(settings, code, http=http)
    assert first.refresh_token is not None
    second = refresh_access_token(settings, first.refresh_token, http=http)
    assert second.access_token != first.access_token
    with pytest.raises(GrantRejected) as caught:
        refresh_access_token(settings, first.refresh_token, http=http)
    assert isinstance(caught.value, NeedsReconnection)
    assert first.refresh_token not in str(caught.value)


def test_used_code_is_a_rejected_grant(http: httpx.Client, settings: PongoSettings) -> None:
    code = authorize(http)["code"]
    exchange_code(settings, code, http=http)
    with pytest.raises(GrantRejected):
        exchange_code(settings, code, http=http)


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"client_secret": "not-it"}, ClientRejected),
        ({"token_path": "/v1/oauth/elsewhere"}, NotFound),
    ],
    ids=["wrong_client_secret_is_a_client_problem", "token_requests_go_to_the_configured_path"],
)
def test_code_exchange_follows_the_settings(
    http: httpx.Client, settings: PongoSettings, change: dict[str, str], refusal: type[Exception]
) -> None:
    code = authorize(http)["code"]
    with pytest.raises(refusal):
        exchange_code(dataclasses.replace(settings, **change), code, http=http)


def test_token_call_is_never_repeated_once_sent(
    http: httpx.Client, settings: PongoSettings, sleeper: Sleeper
) -> None:
    fault(http, endpoints.TOKEN, status=503, count=3)
    with pytest.raises(Unavailable):
        refresh_access_token(settings, "whatever", http=http, sleep=sleeper.sleep)
    assert len(requests_to(http, endpoints.TOKEN)) == 1
    assert sleeper.waits == []


def test_settings_repr_hides_the_client_secret(settings: PongoSettings) -> None:
    assert settings.client_secret not in repr(settings)


def test_code_exchange_gives_up_at_the_clients_read_timeout(
    http: httpx.Client, settings: PongoSettings
) -> None:
    code = authorize(http)["code"]
    hurried = dataclasses.replace(settings, read_timeout=0.3)
    fault(http, endpoints.TOKEN, delay_ms=1500, count=1)
    started = time.monotonic()
    with pytest.raises(Unavailable):
        exchange_code(hurried, code, http=http)
    assert time.monotonic() - started < 1.0
    assert len(requests_to(http, endpoints.TOKEN)) <= 1


def test_unset_token_path_is_the_guessed_one(http: httpx.Client, settings: PongoSettings) -> None:
    # Unset, the guessed path of portal/pongo/inferred.py is used.
    assert settings.token_path == ""
    assert exchange_code(settings, authorize(http)["code"], http=http).access_token
