"""The database's clock as a SQL expression, so that every worker compares times on one clock.

PostgreSQL: `now() + interval`. SQLite has no timestamp type: SQLAlchemy stores
`YYYY-MM-DD HH:MM:SS.ffffff` (UTC, see UTCDateTime), so the expression renders the
current UTC time in exactly that text form, and text comparisons order like times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement

from portal.models.base import UTCDateTime


class db_now(FunctionElement[datetime]):  # noqa: N801  # reads like the SQL function it is
    """The database's current UTC time, plus `seconds` (may be negative or fractional)."""

    type = UTCDateTime()
    # `seconds` is rendered into the SQL text, so statements holding it are not cached.
    inherit_cache = False
    name = "db_now"

    def __init__(self, seconds: float = 0.0) -> None:
        super().__init__()
        # A literal, not a bound parameter: the default of a column cannot bind one.
        self.seconds = float(seconds)


@compiles(db_now)
def _db_now_default(element: db_now, compiler: SQLCompiler, **kw: Any) -> str:
    if not element.seconds:
        return "CURRENT_TIMESTAMP"
    return f"(CURRENT_TIMESTAMP + INTERVAL '{element.seconds!r} seconds')"


@compiles(db_now, "postgresql")
def _db_now_postgresql(element: db_now, compiler: SQLCompiler, **kw: Any) -> str:
    # now() is the start of the transaction; the clock of the statement is what a lease needs.
    if not element.seconds:
        return "statement_timestamp()"
    return f"(statement_timestamp() + INTERVAL '{element.seconds!r} seconds')"


@compiles(db_now, "sqlite")
def _db_now_sqlite(element: db_now, compiler: SQLCompiler, **kw: Any) -> str:
    if not element.seconds:
        return "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
    return f"strftime('%Y-%m-%d %H:%M:%f000', 'now', '{element.seconds:+.6f} seconds')"


def db_time(connection: Connection, seconds: float = 0.0) -> datetime:
    """The database's current UTC time (plus `seconds`) read once, as a timezone-aware value."""
    value = connection.scalar(select(db_now(seconds)))
    assert isinstance(value, datetime)  # UTCDateTime reads it back timezone-aware
    return value
