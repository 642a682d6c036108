"""A location's link state, defined once: row by row in Python, and as SQL for the counts.

Each state is a conjunction of facts about a location; each fact is written once in both
forms, so the page's badge and the overview's counts cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import BindParameter, ColumnElement, Select, and_, not_, select

from portal.locations.stores import Store
from portal.models.locations import Location, PongoStore, StoreSync

# A merchant's id, or a bound parameter standing for it in a statement built once.
MerchantId = int | BindParameter[int]
# The choice "this location has no Pongo store" in the links table. Pongo's store slugs are
# URL-safe words; a value starting with a space is never taken for one.
NO_STORE = " no-store"


class LinkFields(Protocol):
    """What a location's link state reads of it: the model, or a page's plain row."""

    @property
    def active(self) -> bool: ...
    @property
    def store_slug(self) -> str | None: ...
    @property
    def store_name_at_link(self) -> str | None: ...
    @property
    def no_store_at(self) -> datetime | None: ...


class LinkState(StrEnum):
    """Where a location stands with its Pongo store."""

    LINKED = "linked"
    UNLINKED = "unlinked"
    # The merchant said this location has no Pongo store (a central kitchen, a warehouse).
    NO_STORE = "no_store"
    RENAMED = "renamed"
    ORPHANED = "orphaned"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class Fact:
    """Something true or false of a location: for one row, and as an SQL condition."""

    # The location, its cached store (None when not linked or not found), and whether the
    # stores were ever fetched.
    holds: Callable[[LinkFields, Store | None, bool], bool]
    sql: Callable[[MerchantId], ColumnElement[bool]]

    def __invert__(self) -> Fact:
        holds, sql = self.holds, self.sql
        return Fact(
            lambda loc, store, synced: not holds(loc, store, synced), lambda m: not_(sql(m))
        )


def _store_name(merchant_id: MerchantId) -> Select[str]:
    """The name of the cached store a location is linked to, correlated to the location."""
    return (
        select(PongoStore.name)
        .where(PongoStore.merchant_id == merchant_id, PongoStore.slug == Location.store_slug)
        .correlate(Location)
    )


ACTIVE = Fact(lambda loc, store, synced: loc.active, lambda m: Location.archived_at.is_(None))
LINKED = Fact(
    lambda loc, store, synced: bool(loc.store_slug),
    lambda m: and_(Location.store_slug.is_not(None), Location.store_slug != ""),
)
MARKED_NO_STORE = Fact(
    lambda loc, store, synced: loc.no_store_at is not None,
    lambda m: Location.no_store_at.is_not(None),
)
# Before the first fetch nothing is known about Pongo's stores: a missing store is no alarm.
SYNCED = Fact(
    lambda loc, store, synced: synced,
    lambda m: select(StoreSync.merchant_id).where(StoreSync.merchant_id == m).exists(),
)
STORE_FOUND = Fact(lambda loc, store, synced: store is not None, lambda m: _store_name(m).exists())
STORE_RENAMED = Fact(
    lambda loc, store, synced: (
        bool(loc.store_name_at_link) and store is not None and store.name != loc.store_name_at_link
    ),
    lambda m: (
        _store_name(m)
        .where(
            Location.store_name_at_link.is_not(None),
            Location.store_name_at_link != "",
            PongoStore.name != Location.store_name_at_link,
        )
        .exists()
    ),
)

# Every state and the facts that make it, first match wins; the facts of the states before
# LINKED exclude each other, so each also counts on its own in SQL.
STATES: tuple[tuple[LinkState, tuple[Fact, ...]], ...] = (
    (LinkState.INACTIVE, (~ACTIVE,)),
    (LinkState.NO_STORE, (ACTIVE, ~LINKED, MARKED_NO_STORE)),
    (LinkState.UNLINKED, (ACTIVE, ~LINKED, ~MARKED_NO_STORE)),
    (LinkState.ORPHANED, (ACTIVE, LINKED, SYNCED, ~STORE_FOUND)),
    (LinkState.RENAMED, (ACTIVE, LINKED, STORE_RENAMED)),
    (LinkState.LINKED, ()),
)
FACTS_OF = dict(STATES)
# Each state with its facts' checks, walked by plain loops: a page finds fifty states.
_CHECKS = tuple((state, tuple(fact.holds for fact in facts)) for state, facts in STATES)


def state_of(location: LinkFields, stores: Mapping[str, Store], synced: bool) -> LinkState:
    """The link state of one location against the cached stores."""
    store = stores.get(location.store_slug) if location.store_slug else None
    for state, checks in _CHECKS:
        for holds in checks:
            if not holds(location, store, synced):
                break
        else:
            return state
    raise LookupError("the last state has no facts: it always holds")


def conditions(merchant_id: MerchantId, *facts: Fact) -> tuple[ColumnElement[bool], ...]:
    """The SQL conditions that pick the merchant's locations of which every fact holds."""
    return (Location.merchant_id == merchant_id, *(fact.sql(merchant_id) for fact in facts))


def choice_of(location: LinkFields) -> str | None:
    """What the links table shows as chosen: a store slug, NO_STORE, or None (not linked)."""
    return NO_STORE if location.no_store_at and not location.store_slug else location.store_slug
