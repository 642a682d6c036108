"""How pages write moments: in the user's time zone and language, the zone named."""

from __future__ import annotations

from datetime import datetime, timedelta

from babel import Locale
from flask_babel import format_date, format_time, get_locale, to_user_timezone

from portal.models.base import utcnow


def utc_offset(value: datetime) -> str:
    """The user's time zone at that moment as both languages read it: "UTC+1", "UTC-3:30"."""
    offset = to_user_timezone(value).utcoffset() or timedelta(0)
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
    joined: str = str(locale.datetime_formats["medium"])
    moment = joined.replace("{1}", format_date(value, "medium")).replace(
        "{0}", format_time(value, "short")
    )
    return f"{moment} ({utc_offset(value)})"


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
