"""One sandbox over real HTTP per test module, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from portal.sandbox.server import RunningSandbox, start_sandbox
from tests.sandbox.support import FIXTURE


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(FIXTURE, controls=True) as running:
        yield running


@pytest.fixture(scope="module")
def _module_http(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    # One connection pool per module: building an httpx client is slow.
    with httpx.Client(base_url=sandbox.url) as client:
        yield client


@pytest.fixture
def http(_module_http: httpx.Client) -> httpx.Client:
    assert _module_http.post("/_sandbox/reset").status_code == 200
    return _module_http
