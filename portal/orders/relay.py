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
   breaker. Pongo's 202 "already processed" counts as delivered.
4. record: one transaction writes the outcome, only if this worker still holds the
   lease (the claim token fences off a worker whose lease ran out).

Every due time, lease and pause stamp is written and compared on the database's clock
(`db_now`), never a worker's: workers on hosts whose clocks drift still agree.

A worker killed between 3 and 4 leaves the row leased; once the lease expires another
worker sends it again, and Pongo recognises the order (same Idempotency-Key, same
order_id for the same store): one order at Pongo, marked delivered.

Giving up, decided here: a send whose answer was lost (a time-out or a 5xx, or a worker
that died mid-send, seen as `in_flight_since` still set at the next claim) may have
reached Pongo, so the row remembers it (`answer_lost`). An order is never failed on the
answer of such a send alone: when its `PORTAL_RELAY_MAX_ATTEMPTS` attempts are used up,
or when Pongo answers a 4xx to an order whose earlier answer was lost, the relay makes
one confirming send after the usual backoff (`confirming`). Pongo answers 202 "already
processed" for an order it has, so the confirming send marks it delivered; only if
that send fails too is the order failed, its reason saying that an earlier answer was
lost. A 409 to an order whose answer was lost is Pongo still working on the earlier
send: it is retried like a 5xx. A 4xx to an order never sent before fails it at once.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import httpx
from flask import Flask
from sqlalchemy import and_, case, insert, or_, select, true, update

from portal import config, metrics
from portal.config import RelaySettings
from portal.extensions import db
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.dbclock import db_now
from portal.models.merchant import Merchant
from portal.models.orders import Order, OrderRelay, RelayAttempt, RelayStatus
from portal.orders.breaker import BreakerState, CircuitBreaker, CircuitOpen
from portal.pongo import (
    MissingScope,
    NeedsReconnection,
    PongoError,
    PongoSettings,
    Unavailable,
    UnexpectedResponse,
    ValidationFailed,
)
from portal.pongo.connection import NotConnected, mark_needs_reconnection
from portal.pongo.merchant import (
    IssuedToken,
    MerchantPongo,
    OutdatedToken,
    issue_token,
    pongo_settings,
)

log = logging.getLogger("portal.relay")
# One JSON line per send, for log pipelines (never a token nor customer data).
send_log = logging.getLogger("portal.relay.sends")

MAX_ERROR = 2000
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


@dataclass(frozen=True)
class Claim:
    """An outbox row this worker has leased."""

    id: int
    relay_id: str
    merchant_id: int
    token: str
    attempts: int
    payload: dict[str, Any]
    order_ref: str = ""
    merchant_ref: str = ""
    answer_lost: bool = False
    confirming: bool = False


class Kind(StrEnum):
    """What came of one send."""

    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    PAUSED = "paused"
    # The breaker refused the call: nothing was sent and no attempt is counted.
    DEFERRED = "deferred"


@dataclass(frozen=True)
class Outcome:
    """The result of sending one claimed order."""

    kind: Kind
    detail: str | None = None
    status_code: int | None = None
    pongo_order_id: str | None = None
    answer: dict[str, Any] | None = None
    duration_ms: int | None = None
    retry_in: float = 0.0
    # Pongo may have taken the order although no answer said so.
    answer_lost: bool = False


def _clip(text: str) -> str:
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def _rejection(error: PongoError) -> str:
    """Pongo's refusal with its field errors, as the order's failure reason."""
    reason = f"Pongo rejected the order (HTTP {error.status_code}): {error}"
    if isinstance(error, ValidationFailed) and error.field_errors:
        fields = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.field_errors.items()
        )
        reason += f" — {fields}"
    return _clip(reason)


def expiry_reason(days: int) -> str:
    """Why an order expired, as stored (pages show it in the reader's language)."""
    return f"Waited more than {days} days for a Pongo connection; it is no longer sent."


def _answer(error: PongoError) -> dict[str, Any]:
    """Pongo's refusal as kept on the order: HTTP status, raw answer and field errors."""
    return {
        "status_code": error.status_code,
        "body": error.answer,
        "field_errors": getattr(error, "field_errors", None) or {},
    }


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


class RelayWorker:
    """Claims, sends and records orders; one instance per thread or process."""

    def __init__(
        self,
        app: Flask,
        *,
        settings: RelaySettings | None = None,
        pongo: PongoSettings | None = None,
        breaker: CircuitBreaker | None = None,
        name: str | None = None,
        sleep: Any = time.sleep,
        jitter: Any = random.random,
    ) -> None:
        self.app = app
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
        self.name = name or _worker_name()
        self.sleep = sleep
        self.jitter = jitter
        # What the last record() wrote (or "lease_lost"), for the send's log line.
        self.last_recorded = ""
        # One connection pool for every send of this worker.
        self.http = httpx.Client(follow_redirects=False)

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.http.close()

    def __enter__(self) -> RelayWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The steps

    def expire_paused(self) -> int:
        """End the orders paused longer than `PORTAL_PAUSED_ORDERS_DAYS` (status `expired`)."""
        days = config.of(self.app).orders.paused_days
        with self.app.app_context(), db.engine.begin() as connection:
            return connection.execute(
                update(OrderRelay)
                .where(
                    OrderRelay.status == RelayStatus.PAUSED,
                    OrderRelay.paused_at < db_now(-days * 86400.0),
                )
                .values(
                    status=RelayStatus.EXPIRED,
                    last_error=expiry_reason(days),
                    claimed_until=None,
                    claim_token=None,
                )
            ).rowcount

    def resume_paused(self) -> int:
        """Put every paused order of a merchant whose connection is usable back in the queue."""
        # No timestamp is compared: an order paused while the connection was being
        # replaced (stamped after the new connection's time) is resumed like any other.
        # They go out oldest first: each is due from its arrival; the claim orders by due time.
        usable = (
            select(PongoConnection.id)
            .where(
                PongoConnection.merchant_id == OrderRelay.merchant_id,
                PongoConnection.status == ConnectionStatus.CONNECTED,
                PongoConnection.access_token_encrypted.is_not(None),
            )
            .exists()
        )
        with self.app.app_context(), db.engine.begin() as connection:
            return connection.execute(
                update(OrderRelay)
                .where(OrderRelay.status == RelayStatus.PAUSED, usable)
                .values(
                    status=RelayStatus.PENDING,
                    paused_at=None,
                    last_error=None,
                    # Due since it arrived: ahead of orders taken after it, even those
                    # taken after the reconnection.
                    next_attempt_at=select(Order.received_at)
                    .where(Order.id == OrderRelay.order_id)
                    .scalar_subquery(),
                )
            ).rowcount

    def claim(self, limit: int) -> list[Claim]:
        """Lease up to `limit` due orders; committed before anything is sent."""
        token = uuid.uuid4().hex
        claimable = and_(
            OrderRelay.status == RelayStatus.PENDING,
            OrderRelay.next_attempt_at <= db_now(),
            or_(OrderRelay.claimed_until.is_(None), OrderRelay.claimed_until < db_now()),
        )
        with self.app.app_context(), db.engine.begin() as connection:
            ids = list(
                connection.scalars(
                    select(OrderRelay.id)
                    .where(claimable)
                    .order_by(OrderRelay.next_attempt_at, OrderRelay.id)
                    .limit(limit)
                    # PostgreSQL: rows another worker is claiming are skipped, not waited
                    # for. SQLite ignores the clause; the guarded UPDATE below still
                    # keeps two claims from taking the same row.
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            connection.execute(
                update(OrderRelay)
                .where(OrderRelay.id.in_(ids), claimable)
                .values(
                    claimed_until=db_now(self.settings.lease_seconds),
                    claim_token=token,
                    claimed_by=self.name,
                    # Still in flight from an earlier claim: that worker died mid-send.
                    answer_lost=case(
                        (OrderRelay.in_flight_since.is_not(None), true()),
                        else_=OrderRelay.answer_lost,
                    ),
                    in_flight_since=None,
                )
            )
            rows = connection.execute(
                select(
                    OrderRelay.id,
                    OrderRelay.relay_id,
                    OrderRelay.merchant_id,
                    OrderRelay.attempts,
                    OrderRelay.answer_lost,
                    OrderRelay.confirming,
                    Order.payload,
                    Order.order_ref,
                    Merchant.ref.label("merchant_ref"),
                )
                .join(Order, Order.id == OrderRelay.order_id)
                .join(Merchant, Merchant.id == OrderRelay.merchant_id)
                .where(OrderRelay.id.in_(ids), OrderRelay.claim_token == token)
                .order_by(OrderRelay.next_attempt_at, OrderRelay.id)
            ).all()
        return [
            Claim(
                id=row.id,
                relay_id=row.relay_id,
                merchant_id=row.merchant_id,
                token=token,
                attempts=row.attempts,
                payload=dict(row.payload),
                order_ref=row.order_ref,
                merchant_ref=row.merchant_ref,
                answer_lost=bool(row.answer_lost),
                confirming=bool(row.confirming),
            )
            for row in rows
        ]

    def take(self, claim: Claim) -> bool:
        """Lease one claimed order for one send, if this worker still holds it."""
        with self.app.app_context(), db.engine.begin() as connection:
            held = connection.execute(
                update(OrderRelay)
                .where(
                    OrderRelay.id == claim.id,
                    OrderRelay.claim_token == claim.token,
                    OrderRelay.status == RelayStatus.PENDING,
                )
                .values(claimed_until=db_now(self.settings.lease_seconds), in_flight_since=db_now())
            ).rowcount
        if not held:
            log.info("relay %s: claimed by another worker meanwhile; skipped", claim.relay_id)
        return bool(held)

    def send(self, claim: Claim) -> Outcome:
        """Send one claimed order to Pongo; no database transaction is open meanwhile."""
        try:
            self.breaker.before_call()
        except CircuitOpen as refused:
            return Outcome(Kind.DEFERRED, detail=str(refused), retry_in=refused.retry_in)
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
            )
            try:
                receipt = client.create_order(claim.payload, idempotency_key=claim.relay_id)
            except OutdatedToken:
                # A 401 to a token of the connection the merchant has since replaced:
                # sent again at once with the new one, nothing paused, no attempt counted.
                self.breaker.succeeded()
                return Outcome(Kind.DEFERRED, detail="reconnected meanwhile", retry_in=0.0)
            except MissingScope as error:
                # Sending again cannot succeed until the merchant reconnects and grants
                # the permission: the connection is flagged (only the generation whose
                # token was refused), so that its paused orders wait for the reconnection.
                if client.generation is not None and not mark_needs_reconnection(
                    claim.merchant_id, "order.create not granted", generation=client.generation
                ):
                    self.breaker.succeeded()
                    return Outcome(Kind.DEFERRED, detail="reconnected meanwhile", retry_in=0.0)
                return self._paused(error, elapsed())
            except (NeedsReconnection, NotConnected) as error:
                return self._paused(error, elapsed())
            except Unavailable as error:
                self.breaker.failed()
                return Outcome(
                    Kind.RETRY,
                    str(error),
                    status_code=error.status_code,
                    answer=_answer(error),
                    duration_ms=elapsed(),
                    answer_lost=True,
                )
            except UnexpectedResponse as error:
                # Pongo answered, so it is up; the order may or may not have been taken,
                # and sending it again is safe.
                self.breaker.succeeded()
                return Outcome(
                    Kind.RETRY,
                    str(error),
                    status_code=error.status_code,
                    duration_ms=elapsed(),
                    answer_lost=True,
                )
            except PongoError as error:
                self.breaker.succeeded()
                if claim.answer_lost and error.status_code == 409:
                    # Pongo is still busy with the earlier send of this order.
                    return Outcome(
                        Kind.RETRY,
                        _rejection(error),
                        status_code=409,
                        answer=_answer(error),
                        duration_ms=elapsed(),
                    )
                # A 4xx about this order (422, 400, 404...): sending it again would get
                # the same answer. It fails (after a confirming send if Pongo may have it).
                return Outcome(
                    Kind.FAILED,
                    _rejection(error),
                    status_code=error.status_code,
                    answer=_answer(error),
                    duration_ms=elapsed(),
                )
            except Exception as error:  # one bad row must not stop the worker
                self.breaker.released()
                log.exception("relay %s: unexpected error", claim.relay_id)
                return Outcome(
                    Kind.RETRY,
                    f"internal error: {type(error).__name__}",
                    duration_ms=elapsed(),
                    answer_lost=True,
                )
            finally:
                client.close()
                db.session.remove()
        self.breaker.succeeded()
        return Outcome(
            Kind.DELIVERED,
            detail="already processed" if receipt.already_processed else None,
            status_code=receipt.status_code,
            pongo_order_id=receipt.pongo_id,
            answer={
                "status_code": receipt.status_code,
                "id": receipt.pongo_id,
                "already_processed": receipt.already_processed,
            },
            duration_ms=elapsed(),
        )

    def _paused(self, error: Exception, duration_ms: int) -> Outcome:
        status = getattr(error, "status_code", None)
        if status is None:
            # Refused before any HTTP call: no news about Pongo's health.
            self.breaker.released()
        else:
            self.breaker.succeeded()
        if isinstance(error, MissingScope):
            detail = "Pongo did not grant the order.create permission; reconnect Pongo."
        elif isinstance(error, NotConnected):
            detail = "The merchant is not connected to Pongo."
        else:
            detail = "Pongo no longer accepts the merchant's connection; reconnect Pongo."
        return Outcome(Kind.PAUSED, detail, status_code=status, duration_ms=duration_ms)

    @staticmethod
    def _access_token(merchant_id: int) -> IssuedToken:
        try:
            return issue_token(merchant_id)
        finally:
            # End the read transaction before the HTTP call starts.
            db.session.close()

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try: exponential, capped, with jitter in its upper half."""
        s = self.settings
        ceiling = min(s.backoff_cap_seconds, s.backoff_seconds * 2.0 ** max(0, attempts - 1))
        return float(ceiling / 2 + self.jitter() * ceiling / 2)

    def _values(self, claim: Claim, outcome: Outcome) -> tuple[dict[str, Any], str]:
        """The row's new values and the attempt's recorded outcome."""
        attempts = claim.attempts + 1
        lost = claim.answer_lost or outcome.answer_lost
        values: dict[str, Any] = {
            "claimed_until": None,
            "claim_token": None,
            "claimed_by": None,
            "in_flight_since": None,
        }
        kind = outcome.kind
        if kind is Kind.DELIVERED:
            values |= {
                "status": RelayStatus.DELIVERED,
                "attempts": attempts,
                "delivered_at": db_now(),
                "pongo_order_id": outcome.pongo_order_id,
                "pongo_answer": outcome.answer,
                "last_error": None,
                "confirming": False,
            }
            return values, RelayStatus.DELIVERED
        if kind is Kind.PAUSED:
            values |= {"status": RelayStatus.PAUSED, "paused_at": db_now()}
            values["last_error"] = outcome.detail
            return values, RelayStatus.PAUSED
        if kind is Kind.DEFERRED:
            values["next_attempt_at"] = db_now(max(0.0, outcome.retry_in))
            return values, Kind.DEFERRED
        values |= {"attempts": attempts, "answer_lost": lost}
        if outcome.answer is not None:
            # Pongo's last refusal, for the order's technical details.
            values["pongo_answer"] = outcome.answer
        gives_up = kind is Kind.FAILED or attempts >= self.settings.max_attempts
        if gives_up and lost and not claim.confirming:
            # Pongo may have the order: one confirming send before giving up.
            values |= {
                "confirming": True,
                "next_attempt_at": db_now(self.backoff(attempts)),
                "last_error": _clip(
                    f"{outcome.detail} — an earlier answer was lost;"
                    " one confirming send before giving up"
                ),
            }
            return values, Kind.RETRY
        if kind is Kind.FAILED:
            reason = outcome.detail or "Pongo rejected the order"
            if lost:
                reason += (
                    " — an earlier send's answer was lost: check at Pongo whether it has"
                    " this order before sending it again"
                )
            values |= {"status": RelayStatus.FAILED, "last_error": _clip(reason)}
            return values, RelayStatus.FAILED
        if gives_up:
            values |= {
                "status": RelayStatus.FAILED,
                "last_error": _clip(f"Gave up after {attempts} attempts: {outcome.detail}"),
            }
            return values, RelayStatus.FAILED
        values |= {
            "next_attempt_at": db_now(self.backoff(attempts)),
            "last_error": outcome.detail,
        }
        return values, Kind.RETRY

    def record(self, claim: Claim, outcome: Outcome) -> bool:
        """Write the outcome if this worker still holds the lease; False when it lost it."""
        values, recorded = self._values(claim, outcome)
        with self.app.app_context(), db.engine.begin() as connection:
            held = connection.execute(
                update(OrderRelay)
                .where(OrderRelay.id == claim.id, OrderRelay.claim_token == claim.token)
                .values(**values)
            ).rowcount
            if not held:
                log.warning("relay %s: lease lost before the outcome was saved", claim.relay_id)
                self.last_recorded = "lease_lost"
                return False
            if outcome.kind is Kind.PAUSED:
                # The merchant's other waiting orders would meet the same refusal.
                connection.execute(
                    update(OrderRelay)
                    .where(
                        OrderRelay.merchant_id == claim.merchant_id,
                        OrderRelay.status == RelayStatus.PENDING,
                        or_(
                            OrderRelay.claimed_until.is_(None),
                            OrderRelay.claimed_until < db_now(),
                        ),
                    )
                    .values(
                        status=RelayStatus.PAUSED, paused_at=db_now(), last_error=outcome.detail
                    )
                )
            if outcome.kind is not Kind.DEFERRED:
                connection.execute(
                    insert(RelayAttempt).values(
                        relay_id=claim.id,
                        at=db_now(),
                        outcome=str(recorded),
                        status_code=outcome.status_code,
                        detail=outcome.detail,
                        duration_ms=outcome.duration_ms,
                        worker=self.name,
                    )
                )
        self.last_recorded = str(recorded)
        return True

    def _report(self, claim: Claim, outcome: Outcome, recorded: str, started: float) -> None:
        """One JSON log line and the metrics of one send (no token, no customer data)."""
        metrics.RELAY_SENDS.labels(outcome=recorded).inc()
        if outcome.kind is Kind.DEFERRED:
            return
        send_log.info(
            json.dumps(
                {
                    "event": "relay.send",
                    "started_at": round(started, 3),
                    "order_ref": claim.order_ref,
                    "relay_id": claim.relay_id,
                    "merchant": claim.merchant_ref,
                    "outcome": recorded,
                    "status_code": outcome.status_code,
                    "duration_ms": outcome.duration_ms,
                    "attempt": claim.attempts + 1,
                    "worker": self.name,
                },
                ensure_ascii=False,
            )
        )

    def process(self, claim: Claim) -> Outcome | None:
        """Take, send and record one claimed order; None when another worker has it now."""
        started = time.time()
        if self.breaker.state is BreakerState.OPEN:
            outcome = self.send(claim)  # refused by the breaker, without HTTP
        elif not self.take(claim):
            return None
        else:
            outcome = self.send(claim)
        self.record(claim, outcome)
        self._report(claim, outcome, self.last_recorded, started)
        metrics.BREAKER_STATE.set(metrics.BREAKER_VALUES[self.breaker.state])
        return outcome

    # Loops

    def run_once(self) -> int:
        """Expire, resume, claim one batch, send and record each order; returns the claims."""
        self.expire_paused()
        self.resume_paused()
        state = self.breaker.state
        metrics.BREAKER_STATE.set(metrics.BREAKER_VALUES[state])
        if state is BreakerState.OPEN:
            return 0
        # Half-open: a single order is the trial.
        claims = self.claim(1 if state is BreakerState.HALF_OPEN else self.settings.batch_size)
        for claim in claims:
            self.process(claim)
        return len(claims)

    def drain(self) -> int:
        """Work until nothing is due now; returns how many orders were claimed."""
        total = 0
        while count := self.run_once():
            total += count
        return total

    def run(self, stop: threading.Event, interval: float) -> None:
        """Work until `stop` is set, waiting `interval` seconds whenever nothing is due."""
        while not stop.is_set():
            try:
                count = self.run_once()
            except Exception:  # a database blip must not end the worker
                log.exception("relay worker: batch failed; trying again shortly")
                count = 0
            if count == 0:
                stop.wait(interval)


def run_worker(app: Flask, stop_event: threading.Event, interval: float = 2.0) -> None:
    """Run one relay worker until `stop_event` is set (for a thread beside the demo servers)."""
    with RelayWorker(app) as worker:
        worker.run(stop_event, interval)
