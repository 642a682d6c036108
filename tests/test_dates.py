"""Pages write every moment with its time zone, in English and in French."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import session

from portal.moments import when
from tests.helpers.apps import make_app

WINTER = datetime(2026, 12, 6, 8, 30, tzinfo=UTC)
SUMMER = datetime(2026, 7, 6, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "moment", "expected"),
    [
        ("Europe/Paris", WINTER, "(UTC+1)"),
        ("Europe/Paris", SUMMER, "(UTC+2)"),
        ("America/St_Johns", WINTER, "(UTC-3:30)"),
        ("UTC", WINTER, "(UTC)"),
    ],
)
@pytest.mark.parametrize("locale", ["en", "fr"])
def test_a_moment_names_its_time_zone(
    database_url: str, zone: str, moment: datetime, expected: str, locale: str
) -> None:
    app = make_app(database_url, timezone=zone)
    with app.test_request_context("/"):
        session["locale"] = locale
        written = when(moment)
    assert written.endswith(expected), written
    assert "Dec" in written or "déc" in written or "Jul" in written or "juil" in written


def test_no_moment_is_a_dash(database_url: str) -> None:
    app = make_app(database_url)
    with app.test_request_context("/"):
        assert when(None) == "—"
