"""The portal's copies of a merchant's Pongo lists (stores, rewards), replaced whole on refresh."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from sqlalchemy import delete

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.merchant import Merchant

Fetched = TypeVar("Fetched")


def replace_cache(
    *,
    merchant: Merchant,
    actor: Actor,
    fetched: Iterable[Fetched],
    key: Callable[[Fetched], Hashable],
    row: Callable[[Fetched, int], Any],
    model: Any,
    sync_model: Any,
    count_field: str,
    action: str,
    noun: str,
) -> int:
    """Replace the merchant's cached rows with what Pongo sent; returns how many were kept.

    Pongo should not send one key twice; if it does, the last copy wins and keeps the
    first copy's place, and the count (stored on the sync row and audited) is of the rows
    kept. `row` makes a cache row from a fetched item and its position; the audit event
    `action` counts them under `noun`.
    """
    unique = list({key(item): item for item in fetched}.values())
    db.session.execute(delete(model).where(model.merchant_id == merchant.id))
    db.session.add_all(row(item, position) for position, item in enumerate(unique))
    sync = db.session.get(sync_model, merchant.id) or sync_model(merchant_id=merchant.id)
    sync.synced_at = utcnow()
    setattr(sync, count_field, len(unique))
    db.session.add(sync)
    db.session.flush()
    record(action, actor=actor, merchant=merchant, details={noun: len(unique)})
    return len(unique)
