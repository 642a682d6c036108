"""A sandbox per module, a fresh merchant token, and a client that never really sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from portal.pongo import PongoClient, PongoSettings
from portal.pongo.endpoints import Endpoint
from portal.sandbox.server import RunningSandbox

# The same reset HTTP client on the shared shop sandbox as the sandbox's own tests.
from tests.sandbox.conftest import _module_http, http
from tests.sandbox.support import CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, password_token

__all__ = ["_module_http", "http"]


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


def fault(http: httpx.Client, endpoint: Endpoint, **spec: Any) -> None:
    """Make the sandbox misbehave on one endpoint's path, as `spec` says."""
    assert http.post("/_sandbox/faults", json={"path": endpoint.path, **spec}).status_code == 201


def requests_to(http: httpx.Client, endpoint: Endpoint) -> list[dict[str, Any]]:
    """The API requests the sandbox received for one endpoint."""
    log = http.get("/_sandbox/requests").json()
    return [r for r in log if r["method"] == endpoint.method and r["path"] == endpoint.path]
