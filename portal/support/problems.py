"""The problems the support directory can filter on, one small function each, in one registry.

A problem is a SQL condition on `Merchant` ("this merchant has the problem"). The directory
uses each one twice: as a filter, and to flag the merchants shown on a page.

To add one, write a function returning the condition and decorate it:

    @problem("failed_orders", _l("Failed orders"))
    def failed_orders() -> ColumnElement[bool]:
        return exists().where(Order.merchant_id == Merchant.id, Order.status == "failed")

"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, not_
from sqlalchemy.orm import aliased

from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.drift import DriftChange
from portal.models.locations import Location, PongoStore, StoreSync
from portal.models.merchant import Merchant
from portal.models.orders import OrderRelay, RelayStatus

Condition = Callable[[], ColumnElement[bool]]


@dataclass(frozen=True)
class Problem:
    """A named problem a merchant may have, with the condition that finds it."""

    key: str
    label: object  # a lazy translated string
    icon: str
    condition: Condition


PROBLEMS: dict[str, Problem] = {}


def problem(key: str, label: object, icon: str = "⚠") -> Callable[[Condition], Condition]:
    """Register a problem condition under `key` (its order is the order of the filter menu)."""

    def register(condition: Condition) -> Condition:
        PROBLEMS[key] = Problem(key, label, icon, condition)
        return condition

    return register


def _connection_in(*statuses: str) -> ColumnElement[bool]:
    connection = aliased(PongoConnection)
    return exists().where(
        and_(connection.merchant_id == Merchant.id, connection.status.in_(statuses))
    )


@problem("not_connected", _l("Not connected"), "○")
def not_connected() -> ColumnElement[bool]:
    """Never connected Pongo, or disconnected it."""
    return not_(_connection_in(ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_RECONNECTION))


@problem("needs_reconnection", _l("Needs reconnection"), "⚠")
def needs_reconnection() -> ColumnElement[bool]:
    """Pongo rejected the token or a refresh failed."""
    return _connection_in(ConnectionStatus.NEEDS_RECONNECTION)


@problem("unlinked_locations", _l("Unlinked locations"), "⚠")
def unlinked_locations() -> ColumnElement[bool]:
    """An active POS location is not linked, and not marked as having no Pongo store."""
    return exists().where(
        Location.merchant_id == Merchant.id,
        Location.archived_at.is_(None),
        Location.store_slug.is_(None),
        Location.no_store_at.is_(None),
    )


@problem("orphaned_locations", _l("Orphaned links"), "✖")
def orphaned_locations() -> ColumnElement[bool]:
    """A location is linked to a store Pongo no longer lists (once stores were fetched)."""
    store = aliased(PongoStore)
    return exists().where(
        Location.merchant_id == Merchant.id,
        Location.archived_at.is_(None),
        Location.store_slug.is_not(None),
        exists().where(StoreSync.merchant_id == Merchant.id),
        not_(exists().where(store.merchant_id == Merchant.id, store.slug == Location.store_slug)),
    )


@problem("failed_orders", _l("Failed orders"), "✖")
def failed_orders() -> ColumnElement[bool]:
    """An order could not be relayed to Pongo."""
    return exists().where(
        OrderRelay.merchant_id == Merchant.id, OrderRelay.status == RelayStatus.FAILED
    )


# How far back "new problems" looks.
NEW_PROBLEMS_WINDOW = timedelta(hours=24)


@problem("new_problems", _l("New problems in the last 24 h"), "⚠")
def new_problems() -> ColumnElement[bool]:
    """A scheduled sync found a change that needs the merchant in the last 24 hours."""
    return exists().where(
        DriftChange.merchant_id == Merchant.id,
        DriftChange.needs_merchant.is_(True),
        DriftChange.at >= utcnow() - NEW_PROBLEMS_WINDOW,
    )
