"""Rendered merchant pages, kept until the data they show changes.

Every transaction that writes to the portal's data moves one counter on, the data revision,
in the same transaction, just before it commits. A request reads the revision before the
data it shows, so a page is never older than the revision it is kept under.

A merchant page is served from this process's cache when the browser's session, the URL,
the language asked for and the data revision are those it was rendered with, and it is
younger than PORTAL_PAGE_CACHE_SECONDS (what pages show of the clock). Pages that wrote,
changed the session, showed a one-time message or were seen by support staff are never kept.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, has_app_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, ExecutionContext

from portal import config
from portal.access import MERCHANT, policy_of
from portal.extensions import db
from portal.models.revision import REVISION

# Bookkeeping that no page shows: the session rows themselves, used launch tokens, and the
# revision. Writes to them do not move the revision on.
UNSHOWN_TABLES = frozenset({"web_sessions", "used_launch_tokens", "data_revision"})
# Only pages up to this size are kept (pages are held to 150 KB): with the default number
# of entries a web process keeps at most about 50 MB of pages.
MAX_BYTES = 256 * 1024

_TABLE_WRITE = re.compile(
    r"\b(?:INSERT\s+INTO|DELETE\s+FROM)\s+\"?(\w+)|\bUPDATE\s+(?!SET\b)\"?(\w+)\"?\s+SET\b",
    re.IGNORECASE,
)
_DDL = re.compile(r"^\s*(?:CREATE|ALTER|DROP)\b", re.IGNORECASE)
# One statement for SQLite and PostgreSQL: the first bump creates the row.
_BUMP = (
    "INSERT INTO data_revision (id, value) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET value = data_revision.value + 1"
)
_EXISTS = {
    "sqlite": "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'data_revision'",
    "postgresql": "SELECT to_regclass('data_revision')",
}
_WROTE, _HAD_DDL, _READY = "portal.wrote", "portal.had_ddl", "portal.revision_ready"


def written_tables(statement: str, context: ExecutionContext | None) -> set[str]:
    """The tables a statement writes to (empty for a read)."""
    if context is not None and any(
        getattr(context, flag, False) for flag in ("isinsert", "isupdate", "isdelete")
    ):
        target = getattr(getattr(context.compiled, "statement", None), "table", None)
        name = getattr(target, "name", None)
        if isinstance(name, str):
            return {name}
    head = statement[:4000]
    return {(match.group(1) or match.group(2)).lower() for match in _TABLE_WRITE.finditer(head)}


def _note_statement(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    context: ExecutionContext | None,
    _executemany: bool,
) -> None:
    if getattr(context, "isddl", False) or _DDL.match(statement):
        conn.info[_HAD_DDL] = True
        return
    if written_tables(statement, context) - UNSHOWN_TABLES:
        conn.info[_WROTE] = True
        if has_app_context():  # this request (or job) wrote
            g.portal_wrote = True


def _run(conn: Connection, sql: str) -> Any:
    """Run `sql` on the DBAPI connection, not through conn: this runs inside commit()."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchone() if cursor.description else None
    finally:
        cursor.close()


def _revision_table_ready(conn: Connection) -> bool:
    """Whether the revision table exists (checked until it does, e.g. during migrations)."""
    if conn.info.get(_READY):
        return True
    query = _EXISTS.get(conn.dialect.name)
    if query is None:
        return False
    row = _run(conn, query)
    ready = bool(row and row[0])
    conn.info[_READY] = ready
    return ready


def _bump_before_commit(conn: Connection) -> None:
    had_ddl = conn.info.pop(_HAD_DDL, False)
    if not conn.info.pop(_WROTE, False) or had_ddl or not _revision_table_ready(conn):
        return
    _run(conn, _BUMP)


def _forget_writes(conn: Connection) -> None:
    conn.info.pop(_WROTE, None)
    conn.info.pop(_HAD_DDL, None)


def track_revision(engine: Engine) -> None:
    """Move the data revision on in every transaction of `engine` that writes shown data."""
    if event.contains(engine, "commit", _bump_before_commit):
        return
    event.listen(engine, "before_cursor_execute", _note_statement)
    event.listen(engine, "commit", _bump_before_commit)
    event.listen(engine, "rollback", _forget_writes)


def current_revision() -> int:
    """The data revision as the next reads will see it (a request reads it with its session)."""
    return int(db.session.scalar(REVISION) or 0)


@dataclass(frozen=True)
class CachedPage:
    """One rendered page: its body and headers, and until when it may be served."""

    body: bytes
    headers: list[tuple[str, str]]
    expires: float


class PageCache:
    """Rendered pages of this process, least recently used dropped first."""

    def __init__(self, entries: int, seconds: float) -> None:
        self.entries = entries
        self.seconds = seconds
        self._pages: OrderedDict[tuple[Any, ...], CachedPage] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> CachedPage | None:
        """The page kept under `key` if it is still young enough."""
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.expires <= time.monotonic():
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[Any, ...], body: bytes, headers: list[tuple[str, str]]) -> None:
        """Keep a page under `key`."""
        page = CachedPage(body, headers, time.monotonic() + self.seconds)
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        """Forget every page."""
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


def _cache() -> PageCache | None:
    cache: PageCache | None = current_app.extensions.get("portal.page_cache")
    return cache


def serve_cached() -> Response | None:
    """Before the access check: answer with the kept page when nothing it shows changed.

    The page was rendered for this very session at this revision, so the merchant it shows
    still exists and may still see it; staff sessions are never served from the cache.
    """
    cache = _cache()
    revision = getattr(session, "revision", None)
    if cache is None or revision is None or not session.get("merchant_id"):
        return None
    if request.method != "GET" or policy_of(request.endpoint) != MERCHANT:
        return None
    if session.get("staff_id") or "_flashes" in session:
        return None
    key = (
        revision,
        getattr(session, "token", None),
        json.dumps(dict(session), sort_keys=True, default=str),
        request.full_path,
        request.headers.get("Accept-Language", ""),
    )
    page = cache.get(key)
    if page is None:
        g.page_cache_key = key
        return None
    return Response(page.body, status=200, headers=page.headers)


def keep_page(response: Response) -> Response:
    """After the view: keep the page when it may be served again as it is."""
    key = g.pop("page_cache_key", None)
    cache = _cache()
    if key is None or cache is None or g.get("portal_wrote"):
        return response
    if response.status_code != 200 or response.mimetype != "text/html":
        return response
    if response.is_streamed or getattr(session, "modified", True) or "_flashes" in session:
        return response
    body = response.get_data()
    if len(body) <= MAX_BYTES:
        cache.put(key, body, list(response.headers.items()))
    return response


def init_app(app: Flask) -> None:
    """Track the data revision on the app's database and serve kept pages."""
    settings = config.of(app).page_cache
    with app.app_context():
        track_revision(db.engine)
    if settings.seconds <= 0 or settings.entries <= 0:
        return
    app.extensions["portal.page_cache"] = PageCache(settings.entries, settings.seconds)
    hooks = app.before_request_funcs.setdefault(None, [])
    checks = [hook.__name__ for hook in hooks]
    # Right before the access check, which would load the merchant the kept page already shows.
    at = checks.index("enforce_access") if "enforce_access" in checks else len(hooks)
    hooks.insert(at, serve_cached)
    app.after_request(keep_page)
