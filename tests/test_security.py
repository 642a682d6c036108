"""Proxy handling and rate limits on the sensitive entry points (SEC-33, SEC-34)."""

from __future__ import annotations

import logging

import pytest
from flask import Flask, url_for

from tests.helpers.apps import make_app


def test_proxy_headers_give_https_urls_and_the_real_client_address(database_url: str) -> None:
    """SEC-33: behind one proxy, external URLs are https and the rate-limit key is the client's."""
    from portal.extensions import client_address

    app = make_app(database_url, proxy_hops=1)
    seen: dict[str, str] = {}

    @app.get("/probe")
    def probe() -> str:
        seen["url"] = url_for("health.healthz", _external=True)
        seen["key"] = client_address()
        return "ok"

    from portal.access import PUBLIC

    probe._access_policy = PUBLIC  # type: ignore[attr-defined]
    app.test_client().get(
        "/probe",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert seen["url"].startswith("https://")
    assert seen["key"] == "203.0.113.7"


def test_without_proxy_hops_forwarded_headers_are_ignored(app: Flask) -> None:
    from portal.extensions import client_address

    seen: dict[str, str] = {}

    @app.get("/probe")
    def probe() -> str:
        seen["key"] = client_address()
        return "ok"

    from portal.access import PUBLIC

    probe._access_policy = PUBLIC  # type: ignore[attr-defined]
    app.test_client().get("/probe", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen["key"] == "127.0.0.1"


@pytest.mark.parametrize(("path", "limit"), [("/launch?token=x", 30)])
def test_launch_is_rate_limited_per_address(
    app: Flask, caplog: pytest.LogCaptureFixture, path: str, limit: int
) -> None:
    """SEC-34: past the limit → 429 and a log line; another address is unaffected."""
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "127.0.0.9"
    statuses = [attacker.get(path).status_code for _ in range(limit)]
    assert 429 not in statuses
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        blocked = attacker.get(path)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert any('"event": "rate_limit"' in r.getMessage() for r in caplog.records)
    bystander = app.test_client()
    bystander.environ_base["REMOTE_ADDR"] = "127.0.0.10"
    assert bystander.get(path).status_code != 429
