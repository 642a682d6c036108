"""The POS events worker: it watches merchants' summaries and delivers their events in order.

It runs in `portal relay-worker`, on a thread of its own beside the order loop, so that a
slow or dead receiver never delays an order. Each batch:

1. watch: the merchants not looked at for `PORTAL_POS_STATUS_CHECK_SECONDS` (those never
   seen first) get their summary compared with what was seen and told (services.watch);
2. claim: the oldest pending event of each merchant that is due, leased (LeasedQueue);
   a merchant's later event is never claimed before its earlier one is delivered;
3. take: the first take of an event closes it, writing its body once and making its
   summary the merchant's announced one, under the merchant's status row lock (the watcher
   takes that lock too, so no change is folded into an event being closed);
4. send: a signed POST, no transaction open;
5. record: delivered, or due again after a backoff, written only under this worker's lease.

Events are retried until delivered: the outbox holds at most one open and one closed
event per merchant, since later changes coalesce into the open one. After a failed send
the worker leaves the receiver alone for the backoff, instead of trying each merchant's
event against it.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Unpack

import httpx
from flask import Flask
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from portal import config, metrics
from portal.config import PosEventSettings
from portal.extensions import db
from portal.models.dbclock import db_now
from portal.models.merchant import Merchant
from portal.models.pos_events import PosEvent, PosEventStatus, PosStatus
from portal.pos_status.events import Answer, backoff, event_body, post_event
from portal.pos_status.services import watch
from portal.workers import (
    LeasedQueue,
    LeasedWorker,
    WorkerOptions,
    run_beside,
    start_thread,
)

log = logging.getLogger("portal.pos_events")
# Seconds a lease keeps beyond one send's time-out.
LEASE_MARGIN = 5.0

QUEUE = LeasedQueue(PosEvent, PosEvent.id, PosEvent.next_attempt_at)
PENDING = PosEvent.status == PosEventStatus.PENDING
_EARLIER = aliased(PosEvent)
# The merchant's oldest pending event: the only one that may be sent.
FIRST_OF_MERCHANT = ~exists().where(
    _EARLIER.merchant_id == PosEvent.merchant_id,
    _EARLIER.status == PosEventStatus.PENDING,
    _EARLIER.id < PosEvent.id,
)


@dataclass(frozen=True)
class EventClaim:
    """An event this worker has leased."""

    id: int
    token: str
    merchant_id: int
    attempts: int


class PosEventWorker(LeasedWorker[EventClaim, Answer | None]):
    """Watches summaries and sends events."""

    log = log

    def __init__(
        self,
        app: Flask,
        *,
        settings: PosEventSettings | None = None,
        **options: Unpack[WorkerOptions],
    ) -> None:
        super().__init__(app, **options)
        self.settings = settings or config.of(app).pos_events
        if self.settings.lease_seconds < self.settings.timeout_seconds + LEASE_MARGIN:
            raise ValueError(
                "PORTAL_POS_EVENTS_LEASE_SECONDS must exceed PORTAL_POS_WEBHOOK_TIMEOUT_SECONDS"
                f" by {LEASE_MARGIN:g} s, so that no event is in flight twice"
            )
        self.http = httpx.Client(follow_redirects=False)
        # After a failed send, no event is sent before this (monotonic) time.
        self.quiet_until = 0.0

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.http.close()

    @property
    def sending(self) -> bool:
        """Whether events are sent at all: a receiver URL and a secret are set."""
        return bool(self.settings.url and self.settings.secrets)

    # The steps, each its own transaction

    def watch_due(self) -> int:
        """Watch the merchants not looked at for the check interval; how many were."""
        with self.app.app_context():
            ids = list(
                db.session.scalars(
                    select(Merchant.id)
                    .outerjoin(PosStatus, PosStatus.merchant_id == Merchant.id)
                    .where(
                        PosStatus.merchant_id.is_(None)
                        | (PosStatus.checked_at <= db_now(-self.settings.check_seconds))
                    )
                    .order_by(PosStatus.checked_at.nulls_first(), Merchant.id)
                    .limit(max(1, self.settings.batch_size))
                )
            )
        window = timedelta(seconds=self.settings.window_seconds)
        for merchant_id in ids:
            with self.app.app_context():
                merchant = db.session.get(Merchant, merchant_id)
                if merchant is None:
                    continue
                try:
                    watch(merchant, window=window, announce=self.sending)
                    db.session.commit()
                except IntegrityError:
                    # Another worker saw this merchant first at the same moment.
                    db.session.rollback()
        return len(ids)

    def claim(self) -> list[EventClaim]:
        """Lease the due first event of as many merchants as a batch holds."""
        with self.app.app_context(), db.engine.begin() as connection:
            token, ids = QUEUE.claim(
                connection,
                limit=self.settings.batch_size,
                seconds=self.settings.lease_seconds,
                owner=self.name,
                where=[PENDING, FIRST_OF_MERCHANT],
            )
            rows = connection.execute(
                select(PosEvent.id, PosEvent.merchant_id, PosEvent.attempts)
                .where(PosEvent.id.in_(ids), PosEvent.claim_token == token)
                .order_by(PosEvent.next_attempt_at, PosEvent.id)
            ).all()
        return [EventClaim(row.id, token, row.merchant_id, row.attempts) for row in rows]

    def take(self, claim: EventClaim) -> tuple[str, str] | None:
        """The event's id and body, closing it on its first take; None when no longer held."""
        with self.app.app_context():
            session = db.session
            # The status row first, as the watcher locks it: the two never wait on each other.
            status = session.scalar(
                select(PosStatus)
                .where(PosStatus.merchant_id == claim.merchant_id)
                .with_for_update()
            )
            event = session.scalar(select(PosEvent).where(QUEUE.held(claim.id, claim.token)))
            if event is None:
                session.rollback()
                return None
            if event.body is None:
                ref = session.scalar(select(Merchant.ref).where(Merchant.id == event.merchant_id))
                event.body = event_body(
                    event_id=event.event_id,
                    merchant_ref=str(ref),
                    occurred_at=event.occurred_at,
                    summary=event.summary,
                )
                if status is not None:
                    status.announced = event.summary
            event.claimed_until = db_now(self.settings.lease_seconds)
            taken = (event.event_id, event.body)
            session.commit()
            return taken

    def record(self, claim: EventClaim, answer: Answer) -> bool:
        """Write what came of the send, if this worker still holds the event."""
        attempts = claim.attempts + 1
        values: dict[str, object] = {
            "attempts": attempts,
            "last_attempt_at": db_now(),
            "last_status_code": answer.status_code,
            "last_error": answer.detail,
        }
        if answer.delivered:
            values |= {"status": PosEventStatus.DELIVERED, "delivered_at": db_now()}
        else:
            values["next_attempt_at"] = db_now(self.retry_in(attempts))
        with self.app.app_context(), db.engine.begin() as connection:
            return QUEUE.release(connection, claim.id, claim.token, **values)

    def retry_in(self, attempts: int) -> float:
        """Seconds before an event that failed `attempts` times is tried again."""
        s = self.settings
        return backoff(
            attempts, base=s.backoff_seconds, cap=s.backoff_cap_seconds, jitter=self.jitter()
        )

    def postpone(self, claim: EventClaim) -> None:
        """Hand a claimed event back untried while the receiver is left alone."""
        wait = max(0.0, self.quiet_until - time.monotonic())
        with self.app.app_context(), db.engine.begin() as connection:
            QUEUE.release(connection, claim.id, claim.token, next_attempt_at=db_now(wait))

    # The loop (see LeasedWorker)

    def claim_batch(self) -> list[EventClaim]:
        """Watch the merchants due a look, then claim due events unless the receiver rests."""
        self.watch_due()
        if not self.sending or time.monotonic() < self.quiet_until:
            return []
        return self.claim()

    def handle(self, claim: EventClaim) -> Answer | None:
        """Take, send and record one event; None when it was not sent."""
        if time.monotonic() < self.quiet_until:
            self.postpone(claim)
            return None
        taken = self.take(claim)
        if taken is None:
            return None
        event_id, body = taken
        answer = post_event(
            self.http,
            url=self.settings.url,
            secrets=self.settings.secrets,
            event_id=event_id,
            body=body,
            timeout=self.settings.timeout_seconds,
        )
        held = self.record(claim, answer)
        outcome = "delivered" if answer.delivered else "retry"
        metrics.POS_EVENTS.labels(outcome=outcome if held else "lease_lost").inc()
        if not answer.delivered:
            self.quiet_until = time.monotonic() + self.retry_in(1)
            log.warning("POS event %s not delivered: %s", event_id, answer.detail)
        return answer


def start_beside(app: Flask, stop: threading.Event, interval: float = 2.0) -> threading.Thread:
    """Run a POS events worker on a thread of its own until `stop` is set.

    Started with `stop` already set, it sends what is due now, then ends.
    """

    def work() -> None:
        with PosEventWorker(app) as worker:
            if stop.is_set():
                worker.drain()
            else:
                worker.run(stop, interval)

    return start_thread("pos-events", work)


def init_app(app: Flask) -> None:
    """Run the POS events worker beside every relay worker of the app."""
    run_beside(app, start_beside)
