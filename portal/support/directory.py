"""The merchant directory: search, problem filters and each merchant's health at a glance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, func, or_, select

from portal.extensions import db
from portal.listing import clean_query, contains, paginate
from portal.models.connection import PongoConnection
from portal.models.drift import SyncState
from portal.models.merchant import Merchant
from portal.support.problems import PROBLEMS, Problem

PER_PAGE = 25


@dataclass
class DirectoryRow:
    """One merchant as the directory shows it."""

    merchant: Merchant
    connection: PongoConnection | None
    problems: list[Problem] = field(default_factory=list)
    last_sync_at: datetime | None = None


@dataclass
class DirectoryPage:
    """A page of search results."""

    rows: list[DirectoryRow]
    page: int
    pages: int
    total: int


def _query(text: str, problem_key: str | None) -> Select[Merchant, PongoConnection]:
    query = select(Merchant, PongoConnection).outerjoin(
        PongoConnection, PongoConnection.merchant_id == Merchant.id
    )
    if text:
        query = query.where(
            or_(
                contains(Merchant.name, text),
                contains(Merchant.ref, text),
                contains(PongoConnection.account_name, text),
            )
        )
    if problem_key in PROBLEMS:
        query = query.where(PROBLEMS[problem_key].condition())
    return query


def search_merchants(
    *, text: str = "", problem_key: str | None = None, page: int = 1
) -> DirectoryPage:
    """Merchants matching the search text (name, POS reference, Pongo account) and problem."""
    query = _query(clean_query(text, 200), problem_key)
    found = paginate(
        query.order_by(func.lower(Merchant.name), Merchant.id),
        page=page,
        per_page=PER_PAGE,
        items="rows",
    )
    rows = [DirectoryRow(merchant, connection) for merchant, connection in found.items]
    flag_problems(rows)
    return DirectoryPage(rows=rows, page=found.page, pages=found.pages, total=found.total)


def flag_problems(rows: list[DirectoryRow]) -> None:
    """Attach the last sync time, and each registered problem to the rows that have it."""
    ids = [row.merchant.id for row in rows]
    if not ids:
        return
    synced = dict(
        db.session.execute(
            select(SyncState.merchant_id, SyncState.last_sync_at).where(
                SyncState.merchant_id.in_(ids)
            )
        ).all()
    )
    for row in rows:
        row.last_sync_at = synced.get(row.merchant.id)
    for item in PROBLEMS.values():
        having = set(
            db.session.scalars(select(Merchant.id).where(Merchant.id.in_(ids), item.condition()))
        )
        for row in rows:
            if row.merchant.id in having:
                row.problems.append(item)


def merchant_row(ref: str) -> DirectoryRow | None:
    """One merchant by POS reference, with its health, or None."""
    found = db.session.execute(_query("", None).where(Merchant.ref == ref)).first()
    if found is None:
        return None
    row = DirectoryRow(found[0], found[1])
    flag_problems([row])
    return row
