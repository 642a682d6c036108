"""The portal's copies of a merchant's Pongo lists (stores, rewards), replaced whole on refresh."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import delete

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.locations import PongoStore, StoreSync
from portal.models.merchant import Merchant
from portal.models.rewards import PongoReward, RewardSync


@dataclass(frozen=True)
class CachedList:
    """How one Pongo list is kept: its rows' model, its sync row, and its words in the audit."""

    # One row per fetched item, with the item's fields as columns.
    model: Any
    # One row per merchant: when the list was last fetched and how many items it held.
    sync_model: Any
    # The field that identifies an item in Pongo.
    key: str
    count_field: str
    action: str
    noun: str
    # The rows keep Pongo's order in a `position` column.
    ordered: bool = False


STORES = CachedList(PongoStore, StoreSync, "slug", "store_count", "stores.refresh", "stores")
REWARDS = CachedList(
    PongoReward, RewardSync, "public_id", "reward_count", "rewards.refresh", "rewards", ordered=True
)


def replace_cache(
    cached: CachedList, *, merchant: Merchant, actor: Actor, fetched: Iterable[Any]
) -> int:
    """Replace the merchant's cached rows with what Pongo sent; returns how many were kept.

    Pongo should not send one key twice; if it does, the last copy wins and keeps the
    first copy's place, and the count (stored on the sync row and audited) is of the rows
    kept.
    """
    unique = list({getattr(item, cached.key): item for item in fetched}.values())
    db.session.execute(delete(cached.model).where(cached.model.merchant_id == merchant.id))
    db.session.add_all(
        cached.model(
            merchant_id=merchant.id,
            **asdict(item),
            **({"position": position} if cached.ordered else {}),
        )
        for position, item in enumerate(unique)
    )
    sync = db.session.get(cached.sync_model, merchant.id)
    if sync is None:
        sync = cached.sync_model(merchant_id=merchant.id)
    sync.synced_at = utcnow()
    setattr(sync, cached.count_field, len(unique))
    db.session.add(sync)
    db.session.flush()
    record(cached.action, actor=actor, merchant=merchant, details={cached.noun: len(unique)})
    return len(unique)
