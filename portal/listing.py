"""Lists: a page number read from untrusted input, one page of a select, and text searches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from portal.extensions import db

PER_PAGE = 25
MAX_PAGE = 10**9
MAX_SEARCH = 100
_DIGITS = frozenset("0123456789")


def parse_page(unsafe_page: str | None) -> int:
    """A page number from a query argument: ASCII digits only, 1 for anything else.

    ``str.isdigit`` accepts "²" and "①", which ``int`` refuses; huge numbers are capped so
    that the offset never overflows the database's integers.
    """
    text = (unsafe_page or "").strip()
    if not text or not set(text) <= _DIGITS:
        return 1
    if len(text) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return max(1, min(int(text), MAX_PAGE))


def clean_query(unsafe_text: str | None, limit: int = MAX_SEARCH) -> str:
    """A search query from a query argument, trimmed and cut to a sane length.

    Not to be confused with a product's stored ``search_text`` column.
    """
    return (unsafe_text or "").strip()[:limit]


def last_page(total: int, per_page: int = PER_PAGE) -> int:
    """The number of pages for this many items (1 for none)."""
    return max(1, -(-total // per_page))


def clamp_page(page: int, total: int, per_page: int = PER_PAGE) -> int:
    """The page brought within 1..last page."""
    return min(max(1, page), last_page(total, per_page))


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, where it is, and how many there are in all."""

    items: list[Any]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        """True when there is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """True when there is a page after this one."""
        return self.page < self.pages


def count(statement: Select[*tuple[Any, ...]]) -> int:
    """How many rows a select returns."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return db.session.scalar(counted) or 0


def paginate(
    statement: Select[*tuple[Any, ...]],
    *,
    page: int,
    per_page: int = PER_PAGE,
    scalars: bool = True,
    total: int | None = None,
) -> Page:
    """One page of an ordered select; the page is clamped to 1..last page.

    With ``scalars`` the items are the first entity of each row, else whole rows. A caller
    that already knows how many rows the select returns passes it as ``total``.
    """
    if total is None:
        total = count(statement)
    page = clamp_page(page, total, per_page)
    paged = statement.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(paged)
    items: list[Any] = list(result.scalars()) if scalars else list(result.all())
    return Page(items=items, page=page, pages=last_page(total, per_page), total=total)


def escape_like(text: str) -> str:
    """Text for a LIKE pattern with ESCAPE '\\': its own %, _ and \\ match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(text: str) -> str:
    """A LIKE pattern matching text anywhere, with ``%``, ``_`` and ``\\`` taken literally."""
    return f"%{escape_like(text.lower())}%"


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive "column contains text", wildcards in the text taken literally."""
    return func.lower(column).like(like_pattern(text), escape="\\")
