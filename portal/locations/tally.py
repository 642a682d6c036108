"""Each merchant's locations counted by link state, kept in one row by the writes that change them.

Every page of the setup journey shows where the Locations step stands; counting a thousand
locations and looking up the store of each link on every view cost more than the rest of
the overview. The counts only change when the merchant's locations, its cached Pongo stores
or their fetch change, so the transaction that changes them rewrites the merchant's
`location_tallies` row just before it commits. The writes are found at the session, not in
each service: a forgotten caller cannot leave a tally behind.

A merchant without a row (or after a bulk write whose merchant cannot be told) is counted
afresh, by the same statement that fills the row.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from itertools import chain
from typing import Any

from flask import Flask
from sqlalchemy import (
    BinaryExpression,
    BindParameter,
    Column,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import operators, visitors

from portal.extensions import db
from portal.locations.guide import PROBLEMS, first_pending_columns, location_problem_counts
from portal.models.locations import Location, LocationTally, PongoStore, StoreSync
from portal.models.merchant import Merchant

# The counts kept, and the first locations the setup guide links to.
COUNTS = ("active", "inactive", "no_store", "stores", *PROBLEMS)
FIRSTS = ("unlinked_ref", "unlinked_name", "orphaned_ref", "orphaned_name")
# The tables whose rows the counts are made of.
_COUNTED_TABLES = frozenset({"locations", "pongo_stores", "store_syncs"})
# Where a session notes the merchants whose tally its transaction must rewrite; None in it
# stands for a bulk write whose merchant could not be told.
_PENDING = "location_tally_pending"


def _synced_at(merchant_id: BindParameter[int]) -> Any:
    return select(StoreSync.synced_at).where(StoreSync.merchant_id == merchant_id).scalar_subquery()


def _counted(merchant_id: BindParameter[int]) -> Subquery:
    """The tally counted afresh over the merchant's locations and stores, in one pass."""
    active = Location.archived_at.is_(None)
    no_store = and_(active, Location.store_slug.is_(None), Location.no_store_at.is_not(None))
    columns = {
        "active": func.count().filter(active),
        "inactive": func.count().filter(Location.archived_at.is_not(None)),
        "no_store": func.count().filter(no_store),
        "stores": select(func.count())
        .where(PongoStore.merchant_id == merchant_id)
        .scalar_subquery(),
        **location_problem_counts(merchant_id),
    }
    # Materialized, so that each count is read once though the first rows' guards use it too.
    counts = (
        select(*(column.label(key) for key, column in columns.items()))
        .where(Location.merchant_id == merchant_id)
        .cte("location_counts")
        .prefix_with("MATERIALIZED")
    )
    firsts = first_pending_columns(merchant_id, dict(counts.c.items()))
    return select(counts, *(column.label(key) for key, column in firsts.items())).subquery(
        "location_tally"
    )


def _kept(merchant_id: BindParameter[int]) -> Subquery:
    """The merchant's tally row, with the same columns as `_counted`; no row when there is none."""
    return (
        select(*(getattr(LocationTally, key).label(key) for key in (*COUNTS, *FIRSTS)))
        .where(LocationTally.merchant_id == merchant_id)
        .subquery("location_tally")
    )


def source(merchant_id: BindParameter[int], *, kept: bool) -> Subquery:
    """The tally as a one-row FROM for a page's statement: the kept row, or counted afresh.

    With `kept`, the statement returns no row for a merchant without a tally row: ask
    again without it.
    """
    return _kept(merchant_id) if kept else _counted(merchant_id)


@functools.cache
def _read_statement(*, kept: bool) -> Select[Any]:
    merchant_id = bindparam("merchant_id", type_=Integer)
    tally = source(merchant_id, kept=kept)
    return select(tally, _synced_at(merchant_id).label("synced_at"))


def read(merchant_id: int) -> Mapping[str, Any]:
    """The merchant's tally and when its stores were last fetched: the kept row if any."""
    values = {"merchant_id": merchant_id}
    row = db.session.execute(_read_statement(kept=True), values).first()
    if row is None:
        row = db.session.execute(_read_statement(kept=False), values).one()
    return dict(row._mapping)


def _insert_missing(merchant_id: int) -> Any:
    """The merchant's tally row, inserted empty unless it exists or the merchant is gone."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return (
        dialect.insert(LocationTally)
        .from_select(["merchant_id"], select(Merchant.id).where(Merchant.id == merchant_id))
        .on_conflict_do_nothing()
    )


def refresh(merchant_id: int) -> None:
    """Count the merchant's locations afresh and keep the counts (flushes, does not commit).

    The row is locked before counting: a transaction that waited for another's tally
    counts after that one committed, so the last to commit never keeps older counts.
    """
    db.session.execute(_insert_missing(merchant_id))
    locked = db.session.execute(
        select(LocationTally.merchant_id)
        .where(LocationTally.merchant_id == merchant_id)
        .with_for_update()
    ).first()
    if locked is None:  # the merchant was deleted in this transaction
        return
    counted = db.session.execute(_read_statement(kept=False), {"merchant_id": merchant_id}).one()
    db.session.execute(
        update(LocationTally)
        .where(LocationTally.merchant_id == merchant_id)
        .values({key: counted._mapping[key] for key in (*COUNTS, *FIRSTS)})
    )


def _pending(session: Session) -> set[int | None]:
    found: set[int | None] = session.info.setdefault(_PENDING, set())
    return found


def _after_flush(session: Session, _context: object) -> None:
    """Note the merchants whose locations, stores or store fetch this flush wrote."""
    pending = _pending(session)
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, Location | PongoStore | StoreSync):
            pending.add(row.merchant_id)
        elif isinstance(row, Merchant) and row in session.new:
            pending.add(row.id)  # a new merchant gets its (empty) tally at once


def _merchants_named(statement: Any, parameters: Any) -> set[int | None]:
    """The merchant ids a bulk write names (`merchant_id = value`); {None} when it names none."""
    found: set[int | None] = set()
    rows: Iterable[Any] = parameters if isinstance(parameters, list) else [parameters or {}]
    for values in rows:
        if isinstance(values, Mapping) and isinstance(values.get("merchant_id"), int):
            found.add(values["merchant_id"])
    where = getattr(statement, "whereclause", None)
    for node in visitors.iterate(where) if where is not None else ():
        if (
            isinstance(node, BinaryExpression)
            and node.operator is operators.eq
            and isinstance(node.left, Column)
            and node.left.key == "merchant_id"
            and isinstance(node.right, BindParameter)
            and isinstance(node.right.effective_value, int)
        ):
            found.add(node.right.effective_value)
    return found or {None}


def _on_execute(state: ORMExecuteState) -> None:
    """Note the merchants of a bulk insert, update or delete of counted rows."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _COUNTED_TABLES:
        _pending(state.session).update(_merchants_named(state.statement, state.parameters))


def _before_commit(session: Session) -> None:
    """Rewrite the tallies of the merchants this transaction changed, just before it commits."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit would flush next: its writes are noted first
    if not session.info.get(_PENDING):
        return
    merchants = _pending(session)
    session.info[_PENDING] = set()
    if None in merchants:
        # A bulk write the merchant of which is unknown: every merchant is counted afresh
        # until its next write.
        session.execute(delete(LocationTally))
        return
    for merchant_id in sorted(m for m in merchants if m is not None):
        refresh(merchant_id)


def _forget(session: Session, *_: object) -> None:
    session.info.pop(_PENDING, None)


# What the session runs for the tallies: the portal's only work in every transaction.
LISTENERS = (
    ("after_flush", _after_flush),
    ("do_orm_execute", _on_execute),
    ("before_commit", _before_commit),
    ("after_rollback", _forget),
)


def init_app(app: Flask) -> None:
    """Keep the tallies from every transaction of the app's session."""
    del app  # the session is shared by every app of the process
    for name, listener in LISTENERS:
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
