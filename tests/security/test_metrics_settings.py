"""/metrics settings: weak ones stop a production start, unparsable ones stop any start, and
wrong tokens are rate limited like sign-ins."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import pytest

from portal import config
from tests.helpers.apps import make_app
from tests.helpers.settings import PRODUCTION_SETTINGS

STRONG = secrets.token_urlsafe(32)


def production(**metrics: Any) -> config.Settings:
    """Complete production settings, with these metrics settings."""
    return config.from_environ({}, {**PRODUCTION_SETTINGS, **metrics})


@pytest.mark.parametrize(
    ("metrics", "named"),
    [
        ({"metrics_token": "changeme"}, "PORTAL_METRICS_TOKEN"),
        ({"metrics_token": "x" * 31}, "PORTAL_METRICS_TOKEN"),
        ({"metrics_allowed_addresses": "0.0.0.0/0"}, "0.0.0.0/0"),
        ({"metrics_allowed_addresses": "10.0.0.0/8, ::/0"}, "::/0"),
        ({"metrics_allowed_addresses": "0.0.0.0/1"}, "0.0.0.0/1"),
        ({"metrics_allowed_addresses": "2000::/3"}, "2000::/3"),
    ],
)
def test_weak_metrics_settings_stop_a_production_start(metrics: dict[str, str], named: str) -> None:
    settings = production(**metrics)
    with pytest.raises(config.SettingsError) as refused:
        config.check_production(settings)
    assert named in str(refused.value)
    if "metrics_token" in metrics:
        assert metrics["metrics_token"] not in str(refused.value).replace(named, "")


def test_sound_metrics_settings_start_in_production() -> None:
    sound = production(
        metrics_token=STRONG, metrics_allowed_addresses="10.0.0.0/8, 192.0.2.7, fd00::/8"
    )
    config.check_production(sound)
    config.check_production(production())  # metrics off


def test_an_entry_that_is_not_an_address_stops_any_start(database_url: str) -> None:
    """In development too: such an entry used to make every scrape fail with an exception."""
    with pytest.raises(config.SettingsError) as refused:
        make_app(database_url, metrics_allowed_addresses="10.0.0.0/8, prometheus.internal, x/99")
    message = str(refused.value)
    assert "PORTAL_METRICS_ALLOWED_ADDRESSES" in message
    assert "'prometheus.internal'" in message
    assert "'x/99'" in message
    assert "'10.0.0.0/8'" not in message


def test_wrong_tokens_are_rate_limited_like_sign_ins(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(database_url, metrics_token=STRONG)
    client = app.test_client()
    wrong = {"Authorization": "Bearer guess"}
    right = {"Authorization": f"Bearer {STRONG}"}
    # Right tokens cost nothing: a scraper every few seconds is never limited.
    assert [client.get("/metrics", headers=right).status_code for _ in range(8)] == [200] * 8
    with caplog.at_level(logging.WARNING, logger="portal.security"):
        tries = [client.get("/metrics", headers=wrong).status_code for _ in range(6)]
    assert tries == [401] * 5 + [429]
    assert client.get("/metrics", headers=right).status_code == 429  # this address is blocked
    other = {"REMOTE_ADDR": "192.0.2.50"}
    assert client.get("/metrics", headers=right, environ_base=other).status_code == 200
    logged = [r.getMessage() for r in caplog.records if r.name == "portal.security"]
    assert any('"event": "metrics_scrape"' in line for line in logged)
    assert not any(STRONG in line or "guess" in line for line in logged)
