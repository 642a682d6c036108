"""A reset HTTP client on the shared shop sandbox (tests/conftest.py), one pool per test module."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from portal.sandbox.server import RunningSandbox


@pytest.fixture(scope="module")
def _module_http(shop_sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    # One connection pool per module: building an httpx client is slow.
    with httpx.Client(base_url=shop_sandbox.url) as client:
        yield client


@pytest.fixture
def http(_module_http: httpx.Client) -> httpx.Client:
    assert _module_http.post("/_sandbox/reset").status_code == 200
    return _module_http
