"""The sync worker: checks each connected merchant's stores and rewards at Pongo on a schedule.

Like the relay worker, each merchant goes through short steps, none holding a database
transaction across an HTTP call:

1. claim: one transaction adds a schedule row for every connected merchant that has none,
   then leases a batch of due merchants (`claimed_until`, `claim_token`). On PostgreSQL
   `SELECT ... FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side; on
   SQLite the database serialises writers, so run one worker there. Times come from the
   database clock, so that hosts with drifting clocks agree on what is due.
2. fetch: stores and rewards through the merchant's Pongo client (token refresh included).
3. record: one transaction, only if the lease is still this worker's, replaces the caches
   through the Locations and Rewards refresh services, compares what it saw with the lists
   the portal held before (fetched when connecting, by a refresh or by the last sync),
   records the changes and schedules the next sync (interval ± jitter).
4. tell: when some change needs the merchant, at most one digest e-mail (see mail.py).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Unpack

from flask import Flask
from sqlalchemy import Connection, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite

from portal import config
from portal.audit.actor import SYSTEM
from portal.config import MailSettings, SyncSettings
from portal.extensions import db
from portal.locations.operations import refresh_stores
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.dbclock import db_now, db_time
from portal.models.drift import DriftChange, SyncState
from portal.models.locations import Location, PongoStore, StoreSync
from portal.models.merchant import Merchant
from portal.models.rewards import PongoReward, RewardSync
from portal.pongo import FetchedReward, FetchedStore, NeedsReconnection, PongoError
from portal.pongo.connection import NotConnected
from portal.pongo.merchant import pongo_client_for
from portal.rewards.checks import RewardStatus
from portal.rewards.entries import reward_entries
from portal.rewards.operations import refresh_rewards
from portal.sync import metrics
from portal.sync.compare import Change, ChangeKind, RewardFacts, Snapshot, compare
from portal.sync.mail import send_digest
from portal.workers import LeasedQueue, LeasedWorker, WorkerOptions

log = logging.getLogger("portal.sync")

# A failed sync (Pongo down, say) is tried again sooner than the regular interval.
RETRY_AFTER = timedelta(minutes=15)

QUEUE = LeasedQueue(SyncState, SyncState.merchant_id, SyncState.next_sync_at)
CONNECTED = exists().where(
    PongoConnection.merchant_id == SyncState.merchant_id,
    PongoConnection.status == ConnectionStatus.CONNECTED,
)


@dataclass(frozen=True)
class Fetched:
    """Stores and rewards already fetched, handed to the refresh services as their source."""

    fetched_stores: list[FetchedStore] = field(default_factory=list)
    fetched_rewards: list[FetchedReward] = field(default_factory=list)

    def stores(self) -> list[FetchedStore]:
        """The stores fetched."""
        return self.fetched_stores

    def rewards(self) -> list[FetchedReward]:
        """The rewards fetched."""
        return self.fetched_rewards


@dataclass(frozen=True)
class Claim:
    """A merchant this worker has leased for one sync."""

    merchant_id: int
    token: str


@dataclass(frozen=True)
class Result:
    """What one sync did: the changes recorded, or why it failed."""

    merchant_id: int
    changes: list[Change] = field(default_factory=list)
    failure: str | None = None
    mailed: bool = False


def snapshot_of(merchant: Merchant) -> Snapshot:
    """What the portal's caches hold now for the merchant, with each reward's redeemability."""
    stores = dict(
        db.session.execute(
            select(PongoStore.slug, PongoStore.name).where(PongoStore.merchant_id == merchant.id)
        ).all()
    )
    raw = dict(
        db.session.execute(
            select(PongoReward.public_id, PongoReward.raw_external_id).where(
                PongoReward.merchant_id == merchant.id
            )
        ).all()
    )
    rewards = {
        entry.check.public_id: RewardFacts(
            entry.check.name,
            raw.get(entry.check.public_id),
            entry.check.status is not RewardStatus.NOT_REDEEMABLE,
            not entry.needs_review,
        )
        for entry in reward_entries(merchant)
    }
    return Snapshot(stores=stores, rewards=rewards)


def shown_before(merchant: Merchant, state: SyncState) -> Snapshot | None:
    """What to compare a sync with: the lists the portal last fetched, by whoever fetched them.

    Lists the merchant fetched (when connecting, or with a refresh button) count: what
    changed before that was shown on the page, and is the merchant's doing, not news.
    """
    fetched_before = db.session.get(StoreSync, merchant.id) or db.session.get(
        RewardSync, merchant.id
    )
    if fetched_before is not None:
        return snapshot_of(merchant)
    return Snapshot.from_json(state.snapshot) if state.snapshot else None


def linked_stores(merchant: Merchant) -> dict[str, str]:
    """Store slug → ref of the active POS location linked to it."""
    rows = db.session.execute(
        select(Location.store_slug, Location.ref).where(
            Location.merchant_id == merchant.id,
            Location.archived_at.is_(None),
            Location.store_slug.is_not(None),
        )
    )
    return {slug: ref for slug, ref in rows if slug}


class SyncWorker(LeasedWorker[Claim, Result]):
    """Claims, syncs and records merchants."""

    log = log

    def __init__(
        self,
        app: Flask,
        *,
        settings: SyncSettings | None = None,
        mail: MailSettings | None = None,
        **options: Unpack[WorkerOptions],
    ) -> None:
        super().__init__(app, **options)
        portal_settings = config.of(app)
        self.settings = settings or portal_settings.sync
        self.mail = mail or portal_settings.mail

    def interval(self) -> timedelta:
        """The wait before a merchant's next sync: the interval moved by up to ± jitter."""
        base = max(0.0, self.settings.interval_hours) * 3600.0
        spread = max(0.0, min(1.0, self.settings.jitter))
        return timedelta(seconds=base * (1.0 + spread * (2.0 * self.jitter() - 1.0)))

    # The steps

    def claim(self, limit: int) -> list[Claim]:
        """Lease up to `limit` connected merchants whose sync is due; committed at once."""
        with self.app.app_context(), db.engine.begin() as connection:
            self._add_missing_states(connection)
            token, ids = QUEUE.claim(
                connection,
                limit=limit,
                seconds=self.settings.lease_seconds,
                owner=self.name,
                where=[CONNECTED],
            )
        return [Claim(merchant_id, token) for merchant_id in ids]

    @staticmethod
    def _add_missing_states(connection: Connection) -> None:
        """A schedule row, due now, for each connected merchant that has none."""
        missing = select(PongoConnection.merchant_id, db_now()).where(
            PongoConnection.status == ConnectionStatus.CONNECTED,
            ~exists().where(SyncState.merchant_id == PongoConnection.merchant_id),
        )
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(SyncState)
            .from_select(["merchant_id", "next_sync_at"], missing)
            .on_conflict_do_nothing()
        )

    def sync(self, claim: Claim) -> Result:
        """Fetch, record and tell for one claimed merchant."""
        with self.app.app_context():
            try:
                fetched, failure = self._fetch(claim.merchant_id)
                result = self._record(claim, fetched, failure)
            except Exception:  # one merchant must not stop the worker
                db.session.rollback()
                log.exception("sync of merchant %s failed", claim.merchant_id)
                metrics.SYNC_FAILURES.labels(reason="internal_error").inc()
                self._release(claim, "internal_error")
                return Result(claim.merchant_id, failure="internal_error")
            finally:
                db.session.remove()
        if result.failure:
            metrics.SYNC_FAILURES.labels(reason=result.failure).inc()
        else:
            metrics.MERCHANTS_SYNCED.inc()
        if any(change.needs_merchant for change in result.changes):
            mailed = send_digest(self.app, claim.merchant_id, self.mail)
            result = Result(result.merchant_id, result.changes, result.failure, mailed)
        return result

    def _fetch(self, merchant_id: int) -> tuple[Fetched | None, str | None]:
        """The merchant's stores and rewards from Pongo, or the reason they could not be had."""
        merchant = db.session.get(Merchant, merchant_id)
        if merchant is None:
            return None, "not_connected"
        try:
            client = pongo_client_for(merchant)
        except NotConnected:
            return None, "not_connected"
        finally:
            # End the read transaction before the HTTP calls start.
            db.session.commit()
        try:
            with client:
                return Fetched(client.stores(), client.rewards()), None
        except NeedsReconnection:
            return None, "needs_reconnection"
        except NotConnected:
            return None, "not_connected"
        except PongoError as error:
            return None, type(error).__name__.lower()

    def _record(self, claim: Claim, fetched: Fetched | None, failure: str | None) -> Result:
        """Save what was fetched and the changes found, if this worker still holds the lease."""
        connection = db.session.connection()
        now = db_time(connection)
        delay = self.interval() if failure is None else min(self.interval(), RETRY_AFTER)
        if not _reschedule(connection, claim, now, failure, delay):
            db.session.rollback()
            log.warning("sync of merchant %s: lease lost; nothing saved", claim.merchant_id)
            return Result(claim.merchant_id, failure="lease_lost")
        state = db.session.get(SyncState, claim.merchant_id, populate_existing=True)
        merchant = db.session.get(Merchant, claim.merchant_id)
        assert state is not None
        assert merchant is not None
        changes: list[Change] = []
        if fetched is not None:
            before = shown_before(merchant, state)
            refresh_stores(merchant=merchant, client=fetched, actor=SYSTEM)
            refresh_rewards(merchant=merchant, client=fetched, actor=SYSTEM)
            after = snapshot_of(merchant)
            changes = compare(before, after, linked_stores(merchant))
            state.snapshot = after.to_json()
            state.last_sync_at = now
        elif failure == "needs_reconnection":
            changes = [Change(ChangeKind.RECONNECTION_NEEDED, merchant.ref)]
        db.session.add_all(
            DriftChange(
                merchant_id=merchant.id,
                at=now,
                kind=change.kind.value,
                subject=change.subject[:200],
                details=dict(change.details),
                needs_merchant=change.needs_merchant,
            )
            for change in changes
        )
        db.session.commit()
        log.info(
            "sync of merchant %s: %s",
            merchant.ref,
            failure or f"{len(changes)} change(s)",
        )
        return Result(claim.merchant_id, changes, failure)

    def _release(self, claim: Claim, failure: str) -> None:
        """Give the lease back after an unexpected error, trying again later."""
        with self.app.app_context(), db.engine.begin() as connection:
            _reschedule(connection, claim, db_time(connection), failure, RETRY_AFTER)

    # The loop (see LeasedWorker)

    def claim_batch(self) -> list[Claim]:
        """Lease the next batch of due merchants."""
        return self.claim(self.settings.batch_size)

    def handle(self, claim: Claim) -> Result:
        """Sync one claimed merchant."""
        return self.sync(claim)

    def after_batch(self) -> None:
        """Update the gauge of the oldest sync among connected merchants."""
        with self.app.app_context(), db.engine.connect() as connection:
            now = db_time(connection)
            oldest = connection.scalar(select(func.min(SyncState.last_sync_at)).where(CONNECTED))
        if oldest is not None:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            metrics.OLDEST_SYNC_AGE.set(max(0.0, (now - oldest).total_seconds()))


def _reschedule(
    connection: Connection, claim: Claim, now: datetime, failure: str | None, delay: timedelta
) -> bool:
    """End the lease and set the next sync, if the claim still holds; False when it was lost."""
    return QUEUE.release(
        connection,
        claim.merchant_id,
        claim.token,
        last_attempt_at=now,
        last_failure=failure,
        next_sync_at=now + delay,
    )


def run_worker(
    app: Flask,
    stop_event: threading.Event,
    interval: float = 2.0,
    *,
    settings: SyncSettings | None = None,
    mail: MailSettings | None = None,
) -> None:
    """Run one sync worker until `stop_event` is set (for a thread beside the demo servers)."""
    SyncWorker(app, settings=settings, mail=mail).run(stop_event, interval)
