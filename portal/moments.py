"""How pages write moments: in the user's time zone and language, the zone named."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from babel import Locale
from babel.dates import DateTimePattern
from flask_babel import format_time, get_locale, to_user_timezone

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
    locale = get_locale() or Locale.parse("en")
    joined, date_pattern, time_pattern = _patterns(locale)
    local = to_user_timezone(value)
    moment = joined.replace("{1}", date_pattern.apply(local.date(), locale)).replace(
        "{0}", time_pattern.apply(local, locale)
    )
    return f"{moment} ({_offset_text(local)})"


@functools.cache
def _patterns(locale: Locale) -> tuple[str, DateTimePattern, DateTimePattern]:
    """The language's medium date-and-time joint, medium date and short time, looked up once."""
    date_pattern: DateTimePattern = locale.date_formats["medium"]
    time_pattern: DateTimePattern = locale.time_formats["short"]
    return str(locale.datetime_formats["medium"]), date_pattern, time_pattern


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
