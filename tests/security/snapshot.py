"""Every row of every table, to compare the database before and after requests."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Base

Row = tuple[tuple[str, Any], ...]
Snapshot = dict[str, set[Row]]

# Columns a read may legitimately touch: when a session or a key was last seen, and the
# session's own data (CSRF token, flashed messages).
VOLATILE = {
    "web_sessions": {"last_seen_at", "data"},
    "api_keys": {"last_used_at"},
}


def snapshot(app: Flask) -> Snapshot:
    """All table contents, volatile bookkeeping columns left out."""
    taken: Snapshot = {}
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            skip = VOLATILE.get(table.name, set())
            columns = [c for c in table.columns if c.name not in skip]
            rows = db.session.execute(select(*columns)).mappings().all()
            taken[table.name] = {
                tuple((str(k), repr(v)) for k, v in sorted(row.items(), key=lambda i: str(i[0])))
                for row in rows
            }
        db.session.rollback()
    return taken


def changes(before: Snapshot, after: Snapshot) -> dict[str, set[Row]]:
    """Rows added, changed or removed, per table (both versions of a changed row)."""
    found = {}
    for name in before:
        differ = before[name] ^ after[name]
        if differ:
            found[name] = differ
    return found
