"""A sandbox per module, a fresh merchant token, and a client that never really sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from portal.pongo import PongoClient, PongoSettings
from portal.sandbox.server import RunningSandbox
from tests.helpers.shop import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, password_token


class Sleeper:
    """Records the waits asked for and moves a clock forward instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.offset = 0.0

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.offset += seconds

    def clock(self) -> float:
        return time.monotonic() + self.offset


@pytest.fixture
def settings(shop_sandbox: RunningSandbox) -> PongoSettings:
    return PongoSettings(
        base_url=shop_sandbox.url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
    )


@pytest.fixture
def sleeper() -> Sleeper:
    return Sleeper()


@pytest.fixture
def token(http: httpx.Client) -> dict[str, Any]:
    return password_token(http)


@pytest.fixture
def make_client(
    http: httpx.Client, settings: PongoSettings, sleeper: Sleeper, token: dict[str, Any]
) -> Callable[..., PongoClient]:
    def make(settings: PongoSettings = settings, access_token: str | None = None) -> PongoClient:
        value = access_token or token["access_token"]
        return PongoClient(
            settings, lambda: value, http=http, sleep=sleeper.sleep, clock=sleeper.clock
        )

    return make


@pytest.fixture
def pongo_client(make_client: Callable[..., PongoClient]) -> PongoClient:
    return make_client()
