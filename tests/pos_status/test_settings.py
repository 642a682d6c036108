"""Events to the POS back-end in production: over https, signed with real secrets."""

from __future__ import annotations

from typing import Any

import pytest

from portal import config
from tests.helpers.settings import PRODUCTION_SETTINGS as PRODUCTION_VALUES

REAL_SECRET = "w" * 40


def production(**events: Any) -> config.Settings:
    return config.from_environ({}, {**PRODUCTION_VALUES, **events})


def test_production_starts_without_events_or_with_https_and_real_secrets() -> None:
    config.check_production(production())
    config.check_production(
        production(
            pos_events_url="https://pos.example.com/hooks/pongo",
            pos_events_secret=f"{REAL_SECRET},{'o' * 40}",
        )
    )


@pytest.mark.parametrize(
    ("url", "secret", "refused"),
    [
        ("http://pos.example.com/hooks", REAL_SECRET, "PORTAL_POS_WEBHOOK_URL"),
        ("https://pos.example.com/hooks", "", "PORTAL_POS_WEBHOOK_SECRET"),
        ("https://pos.example.com/hooks", "changeme", "PORTAL_POS_WEBHOOK_SECRET"),
        ("https://pos.example.com/hooks", f"{REAL_SECRET},short", "PORTAL_POS_WEBHOOK_SECRET"),
    ],
)
def test_production_refuses_events_sent_in_clear_or_badly_signed(
    url: str, secret: str, refused: str
) -> None:
    with pytest.raises(config.SettingsError, match=refused):
        config.check_production(production(pos_events_url=url, pos_events_secret=secret))


def test_the_secret_never_shows_in_the_settings_repr() -> None:
    settings = production(pos_events_url="https://pos.example.com/h", pos_events_secret=REAL_SECRET)
    assert REAL_SECRET not in repr(settings)
    assert settings.pos_events.secrets == [REAL_SECRET]
