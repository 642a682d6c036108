"""How pages write moments: in the user's time zone and language, the zone named."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel import Locale
from babel.dates import DateTimePattern
from flask import g
from flask_babel import format_time, get_locale, get_timezone, to_user_timezone

from portal.models.base import utcnow


def utc_offset(value: datetime) -> str:
    """The user's time zone at that moment as both languages read it: "UTC+1", "UTC-3:30"."""
    return _offset_text(to_user_timezone(value))


def _offset_text(local: datetime) -> str:
    """The offset of a moment already in the user's time zone, as `utc_offset` writes it."""
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def when(value: datetime | None) -> str:
    """The one way pages write a moment: the user's time zone and language, the zone named."""
    if value is None:
        return "—"
    locale, zone = _setting()
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    # As Flask-Babel's `to_user_timezone`, with the zone read once instead of looked up again.
    local = zone.normalize(value.astimezone(zone))
    joined = _patterns(locale)[0]
    moment = joined.replace("{1}", _date_text(locale, local.date())).replace(
        "{0}", _time_text(locale, local.replace(second=0, microsecond=0, tzinfo=None))
    )
    return f"{moment} ({_offset_text(local)})"


def _setting() -> tuple[Locale, Any]:
    """The language and time zone Flask-Babel chose for this request, read from its state.

    Flask-Babel finds both again through its context on every call; a list writes dozens of
    moments. What it stored is read directly, and asked for the usual way until it is there,
    so that a locale forced for a while (`force_locale`) is followed.
    """
    state = g.get("_flask_babel") if g else None
    locale = getattr(state, "babel_locale", None)
    zone = getattr(state, "babel_tzinfo", None)
    if locale is None or zone is None:
        return get_locale() or Locale.parse("en"), get_timezone()
    return locale, zone


@functools.cache
def _patterns(locale: Locale) -> tuple[str, DateTimePattern, DateTimePattern]:
    """The language's medium date-and-time joint, medium date and short time, looked up once."""
    date_pattern: DateTimePattern = locale.date_formats["medium"]
    time_pattern: DateTimePattern = locale.time_formats["short"]
    # `_time_text` keys its texts by wall-clock minute: the pattern must name no second or zone.
    assert not set(time_pattern.pattern) & set("sSAzZOvVxX"), time_pattern.pattern
    return str(locale.datetime_formats["medium"]), date_pattern, time_pattern


@functools.lru_cache(maxsize=4096)
def _date_text(locale: Locale, day: date) -> str:
    """A day in the language's medium format; a list shows few distinct days."""
    return str(_patterns(locale)[1].apply(day, locale))


@functools.lru_cache(maxsize=4096)
def _time_text(locale: Locale, minute: datetime) -> str:
    """A wall-clock minute (naive, already in the user's zone) in the short time format."""
    return str(_patterns(locale)[2].apply(minute, locale))


def since(value: datetime) -> str:
    """A moment of today as its time alone ("06:53"), of another day as `when` writes it."""
    if to_user_timezone(value).date() == to_user_timezone(utcnow()).date():
        return str(format_time(value, "short"))
    return when(value)


def during(start: datetime, end: datetime) -> str:
    """A span of time: the start as `when` writes it, then the end's time ("…, 09:30–10:05")."""
    moment = when(start)
    zone = f" ({utc_offset(start)})"
    return moment.removesuffix(zone) + f"–{format_time(end, 'short')}" + zone
