"""The relay worker: takes due orders from the outbox and sends them to Pongo.

Each order goes through short steps, none holding a database transaction across the
HTTP call:

1. claim: one transaction takes a batch of due rows and leases them (`claimed_until`,
   `claim_token`). On PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED` lets any number of
   workers on any number of hosts claim side by side without waiting or overlapping.
   On SQLite the database serialises writers; run a single worker there.
2. take: right before its send, each order's lease is renewed for one send by an UPDATE
   fenced by the claim token. A row whose batch lease ran out while earlier orders of the
   batch were being sent may have been claimed by another worker: the UPDATE then
   changes nothing and this worker skips the row. The lease must outlast one send (a
   token refresh and the order call, each bounded by the Pongo deadline), so the worker
   refuses to start unless `lease >= 2 * deadline + LEASE_MARGIN`: no order is ever in
   flight twice.
3. send: `POST /v1/orders` with the relay id as Idempotency-Key, through the circuit
   breaker (asked once per send, told by the merchant's client what each call showed).
   Pongo's 202 "already processed" counts as delivered.
4. record: one transaction writes the outcome, only if this worker still holds the
   lease (the claim token fences off a worker whose lease ran out).

Every due time, lease and pause stamp is written and compared on the database's clock
(`db_now`), never a worker's: workers on hosts whose clocks drift still agree.

A worker killed between 3 and 4 leaves the row leased; once the lease expires another
worker sends it again, and Pongo recognises the order (same Idempotency-Key, same
order_id for the same store): one order at Pongo, marked delivered.

Giving up is decided in retry.py; what each of Pongo's errors means, in outcomes.py.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Unpack

import httpx
from flask import Flask

from portal import config, metrics
from portal.config import RelaySettings
from portal.extensions import db
from portal.orders import outbox
from portal.orders.breaker import BreakerState, CircuitBreaker, CircuitOpen
from portal.orders.outcomes import Claim, Kind, Outcome, delivered, outcome_of
from portal.orders.retry import backoff, decide
from portal.orders.sendlog import report
from portal.orders.status_updates import send_due_updates
from portal.pongo import PongoError, PongoSettings
from portal.pongo.merchant import IssuedToken, MerchantPongo, issue_token, pongo_settings
from portal.workers import LeasedWorker, WorkerOptions

log = logging.getLogger("portal.relay")

# Seconds a lease keeps beyond one send's worst case (two Pongo deadlines).
LEASE_MARGIN = 5.0


class LeaseTooShort(ValueError):
    """The lease would not outlast one send: two workers could send the same order."""


def check_lease(lease: float, deadline: float) -> None:
    """Refuse a lease that does not exceed a send's worst case by the margin."""
    needed = 2 * deadline + LEASE_MARGIN
    if lease < needed:
        raise LeaseTooShort(
            f"PORTAL_RELAY_LEASE_SECONDS is {lease:g} s; with a Pongo deadline of {deadline:g} s"
            f" one send (a token refresh and the order call) can take {2 * deadline:g} s,"
            f" so the lease must be at least {needed:g} s"
        )


def _bounded(settings: RelaySettings) -> RelaySettings:
    """The relay settings with the counts that must be positive raised to at least one."""
    return replace(
        settings,
        max_attempts=max(1, settings.max_attempts),
        batch_size=max(1, settings.batch_size),
        breaker_failures=max(1, settings.breaker_failures),
    )


class RelayWorker(LeasedWorker[Claim, Outcome | None]):
    """Claims, sends and records orders."""

    log = log

    def __init__(
        self,
        app: Flask,
        *,
        settings: RelaySettings | None = None,
        pongo: PongoSettings | None = None,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Unpack[WorkerOptions],
    ) -> None:
        super().__init__(app, **options)
        portal_settings = config.of(app)
        self.settings = _bounded(settings or portal_settings.relay)
        self.pongo = pongo or pongo_settings(
            portal_settings,
            read_timeout=self.settings.read_timeout_seconds,
            deadline=self.settings.send_deadline_seconds,
        )
        check_lease(self.settings.lease_seconds, self.pongo.deadline)
        self.breaker = breaker or CircuitBreaker(
            failure_threshold=self.settings.breaker_failures,
            reset_timeout=self.settings.breaker_reset_seconds,
        )
        self.sleep = sleep
        # What the last record() wrote (or "lease_lost"), for the send's log line.
        self.last_recorded = ""
        # One connection pool for every send of this worker.
        self.http = httpx.Client(follow_redirects=False)

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.http.close()

    # The steps, each its own transaction

    def expire_paused(self) -> int:
        """End the orders paused longer than `PORTAL_PAUSED_ORDERS_DAYS` (status `expired`)."""
        days = config.of(self.app).orders.paused_days
        with self.app.app_context(), db.engine.begin() as connection:
            return outbox.expire_paused(connection, days)

    def resume_paused(self) -> int:
        """Put every paused order of a merchant whose connection is usable back in the queue."""
        with self.app.app_context(), db.engine.begin() as connection:
            return outbox.resume_paused(connection)

    def claim(self, limit: int) -> list[Claim]:
        """Lease up to `limit` due orders; committed before anything is sent."""
        with self.app.app_context(), db.engine.begin() as connection:
            return outbox.claim(
                connection, limit=limit, seconds=self.settings.lease_seconds, owner=self.name
            )

    def take(self, claim: Claim) -> bool:
        """Lease one claimed order for one send, if this worker still holds it."""
        with self.app.app_context(), db.engine.begin() as connection:
            held = outbox.take(connection, claim, self.settings.lease_seconds)
        if not held:
            log.info("relay %s: claimed by another worker meanwhile; skipped", claim.relay_id)
        return held

    def send(self, claim: Claim) -> Outcome:
        """Send one taken order to Pongo; no database transaction is open meanwhile."""
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        with self.app.app_context():
            client = MerchantPongo(
                claim.merchant_id,
                self.pongo,
                read_token=lambda: self._access_token(claim.merchant_id),
                http=self.http,
                sleep=self.sleep,
                on_health=self.breaker.observe,
            )
            try:
                receipt = client.create_order(claim.payload, idempotency_key=claim.relay_id)
            except Exception as error:  # one bad row must not stop the worker
                if not isinstance(error, PongoError):
                    log.exception("relay %s: unexpected error", claim.relay_id)
                return outcome_of(error, claim, elapsed())
            finally:
                client.close()
                db.session.remove()
        return delivered(receipt, elapsed())

    @staticmethod
    def _access_token(merchant_id: int) -> IssuedToken:
        try:
            return issue_token(merchant_id)
        finally:
            # End the read transaction before the HTTP call starts.
            db.session.close()

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try: exponential, capped, with jitter in its upper half."""
        return backoff(attempts, self.settings, self.jitter())

    def record(self, claim: Claim, outcome: Outcome) -> bool:
        """Write the outcome if this worker still holds the lease; False when it lost it."""
        decision = decide(claim, outcome, self.settings, self.jitter())
        with self.app.app_context(), db.engine.begin() as connection:
            held = outbox.record(connection, claim, outcome, decision, self.name)
        if not held:
            log.warning("relay %s: lease lost before the outcome was saved", claim.relay_id)
        self.last_recorded = str(decision.recorded) if held else "lease_lost"
        return held

    def process(self, claim: Claim) -> Outcome | None:
        """Take, send and record one claimed order; None when another worker has it now."""
        started = time.time()
        try:
            self.breaker.before_call()
        except CircuitOpen as refused:
            # Nothing is sent: the order is due again when the breaker lets a trial through.
            outcome = Outcome(Kind.DEFERRED, detail=str(refused), retry_in=refused.retry_in)
        else:
            if not self.take(claim):
                self.breaker.released()
                return None
            outcome = self.send(claim)
        self.record(claim, outcome)
        report(claim, outcome, self.last_recorded, started, self.name)
        return outcome

    # The loop (see LeasedWorker)

    def claim_batch(self) -> list[Claim]:
        """Expire and resume paused orders, then claim as many as the breaker allows."""
        self.expire_paused()
        self.resume_paused()
        state = self._show_breaker()
        if state is BreakerState.OPEN:
            return []
        # Half-open: a single order is the trial.
        return self.claim(1 if state is BreakerState.HALF_OPEN else self.settings.batch_size)

    def handle(self, claim: Claim) -> Outcome | None:
        """Take, send and record one claimed order."""
        return self.process(claim)

    def after_batch(self) -> None:
        """Show the breaker's state on its gauge, then send the status changes now due."""
        if self._show_breaker() is not BreakerState.OPEN:
            self.send_status_updates()

    def send_status_updates(self) -> int:
        """Cancellations and refunds of delivered orders, through this worker's connections."""

        def client(merchant_id: int) -> MerchantPongo:
            return MerchantPongo(
                merchant_id,
                self.pongo,
                http=self.http,
                sleep=self.sleep,
                on_health=self.breaker.observe,
            )

        with self.app.app_context():
            try:
                return send_due_updates(client=client)
            except Exception:  # the orders go on whatever happens to a status change
                log.exception("relay: sending status changes failed; trying again shortly")
                return 0
            finally:
                db.session.remove()

    def _show_breaker(self) -> BreakerState:
        state = self.breaker.state
        metrics.BREAKER_STATE.set(metrics.BREAKER_VALUES[state])
        return state


def run_worker(app: Flask, stop_event: threading.Event, interval: float = 2.0) -> None:
    """Run one relay worker until `stop_event` is set (for a thread beside the demo servers)."""
    with RelayWorker(app) as worker:
        worker.run(stop_event, interval)
