"""The relay worker: takes due orders from the outbox and sends them to Pongo.

Each order goes through three short steps, none holding a database transaction
across the HTTP call:

1. claim: one transaction takes a batch of due rows and leases them (`claimed_until`,
   `claim_token`). On PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED` lets any number of
   workers on any number of hosts claim side by side without waiting or overlapping.
   On SQLite the database serialises writers; run a single worker there.
2. send: `POST /v1/orders` with the relay id as Idempotency-Key, through the circuit
   breaker. Pongo's 202 "already processed" counts as delivered.
3. record: one transaction writes the outcome, only if this worker still holds the
   lease (the claim token fences off a worker whose lease ran out).

A worker killed between 2 and 3 leaves the row leased; once the lease expires another
worker sends it again, and Pongo recognises the order (same Idempotency-Key, same
order_id for the same store): one order at Pongo, marked delivered.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import httpx
from flask import Flask
from sqlalchemy import and_, insert, or_, select, update

from portal import config
from portal.config import RelaySettings
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus, PongoConnection
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
from portal.pongo.connection import NotConnected
from portal.pongo.merchant import MerchantPongo, access_token_for, pongo_settings

log = logging.getLogger("portal.relay")

MAX_ERROR = 2000


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
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.app = app
        portal_settings = config.of(app)
        self.settings = _bounded(settings or portal_settings.relay)
        self.pongo = pongo or pongo_settings(portal_settings)
        self.breaker = breaker or CircuitBreaker(
            failure_threshold=self.settings.breaker_failures,
            reset_timeout=self.settings.breaker_reset_seconds,
        )
        self.name = name or _worker_name()
        self.sleep = sleep
        self.now = now
        self.jitter = jitter
        # One connection pool for every send of this worker.
        self.http = httpx.Client(follow_redirects=False)

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.http.close()

    def __enter__(self) -> RelayWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The three steps

    def resume_paused(self) -> int:
        """Put paused orders back in the queue for merchants that connected since the pause."""
        usable = (
            select(PongoConnection.id)
            .where(
                PongoConnection.merchant_id == OrderRelay.merchant_id,
                PongoConnection.status == ConnectionStatus.CONNECTED,
                PongoConnection.access_token_encrypted.is_not(None),
                PongoConnection.connected_at > OrderRelay.paused_at,
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
                    next_attempt_at=self.now(),
                )
            ).rowcount

    def claim(self, limit: int) -> list[Claim]:
        """Lease up to `limit` due orders; committed before anything is sent."""
        now = self.now()
        token = uuid.uuid4().hex
        claimable = and_(
            OrderRelay.status == RelayStatus.PENDING,
            OrderRelay.next_attempt_at <= now,
            or_(OrderRelay.claimed_until.is_(None), OrderRelay.claimed_until < now),
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
                    claimed_until=now + timedelta(seconds=self.settings.lease_seconds),
                    claim_token=token,
                    claimed_by=self.name,
                )
            )
            rows = connection.execute(
                select(
                    OrderRelay.id,
                    OrderRelay.relay_id,
                    OrderRelay.merchant_id,
                    OrderRelay.attempts,
                    Order.payload,
                )
                .join(Order, Order.id == OrderRelay.order_id)
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
            )
            for row in rows
        ]

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
                access_token=lambda: self._access_token(claim.merchant_id),
                http=self.http,
                sleep=self.sleep,
            )
            try:
                receipt = client.create_order(claim.payload, idempotency_key=claim.relay_id)
            except (NeedsReconnection, NotConnected, MissingScope) as error:
                return self._paused(error, elapsed())
            except Unavailable as error:
                self.breaker.failed()
                return Outcome(
                    Kind.RETRY, str(error), status_code=error.status_code, duration_ms=elapsed()
                )
            except UnexpectedResponse as error:
                # Pongo answered, so it is up; the order may or may not have been taken,
                # and sending it again is safe.
                self.breaker.succeeded()
                return Outcome(
                    Kind.RETRY, str(error), status_code=error.status_code, duration_ms=elapsed()
                )
            except PongoError as error:
                # A 4xx about this order (422, 400, 404, 409...): sending it again would
                # get the same answer. It fails now; the others carry on.
                self.breaker.succeeded()
                return Outcome(
                    Kind.FAILED,
                    _rejection(error),
                    status_code=error.status_code,
                    duration_ms=elapsed(),
                )
            except Exception as error:  # one bad row must not stop the worker
                self.breaker.released()
                log.exception("relay %s: unexpected error", claim.relay_id)
                return Outcome(
                    Kind.RETRY, f"internal error: {type(error).__name__}", duration_ms=elapsed()
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
    def _access_token(merchant_id: int) -> str:
        try:
            return access_token_for(merchant_id)
        finally:
            # End the read transaction before the HTTP call starts.
            db.session.close()

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try: exponential, capped, with jitter in its upper half."""
        s = self.settings
        ceiling = min(s.backoff_cap_seconds, s.backoff_seconds * 2.0 ** max(0, attempts - 1))
        return ceiling / 2 + self.jitter() * ceiling / 2

    def record(self, claim: Claim, outcome: Outcome) -> bool:
        """Write the outcome if this worker still holds the lease; False when it lost it."""
        now = self.now()
        attempts = claim.attempts + 1
        values: dict[str, Any] = {"claimed_until": None, "claim_token": None, "claimed_by": None}
        if outcome.kind is Kind.DELIVERED:
            values |= {
                "status": RelayStatus.DELIVERED,
                "attempts": attempts,
                "delivered_at": now,
                "pongo_order_id": outcome.pongo_order_id,
                "pongo_answer": outcome.answer,
                "last_error": None,
            }
        elif outcome.kind is Kind.RETRY:
            if attempts >= self.settings.max_attempts:
                values |= {
                    "status": RelayStatus.FAILED,
                    "attempts": attempts,
                    "last_error": _clip(f"Gave up after {attempts} attempts: {outcome.detail}"),
                }
            else:
                values |= {
                    "attempts": attempts,
                    "next_attempt_at": now + timedelta(seconds=self.backoff(attempts)),
                    "last_error": outcome.detail,
                }
        elif outcome.kind is Kind.FAILED:
            values |= {"status": RelayStatus.FAILED, "attempts": attempts}
            values["last_error"] = outcome.detail
        elif outcome.kind is Kind.PAUSED:
            values |= {"status": RelayStatus.PAUSED, "paused_at": now}
            values["last_error"] = outcome.detail
        else:
            values["next_attempt_at"] = now + timedelta(seconds=max(0.0, outcome.retry_in))
        with self.app.app_context(), db.engine.begin() as connection:
            held = connection.execute(
                update(OrderRelay)
                .where(OrderRelay.id == claim.id, OrderRelay.claim_token == claim.token)
                .values(**values)
            ).rowcount
            if not held:
                log.warning("relay %s: lease lost before the outcome was saved", claim.relay_id)
                return False
            if outcome.kind is Kind.PAUSED:
                # The merchant's other waiting orders would meet the same refusal.
                connection.execute(
                    update(OrderRelay)
                    .where(
                        OrderRelay.merchant_id == claim.merchant_id,
                        OrderRelay.status == RelayStatus.PENDING,
                        or_(OrderRelay.claimed_until.is_(None), OrderRelay.claimed_until < now),
                    )
                    .values(status=RelayStatus.PAUSED, paused_at=now, last_error=outcome.detail)
                )
            if outcome.kind is not Kind.DEFERRED:
                connection.execute(
                    insert(RelayAttempt).values(
                        relay_id=claim.id,
                        at=now,
                        outcome=str(values.get("status", outcome.kind)),
                        status_code=outcome.status_code,
                        detail=outcome.detail,
                        duration_ms=outcome.duration_ms,
                        worker=self.name,
                    )
                )
        log.info("relay %s: %s (HTTP %s)", claim.relay_id, outcome.kind.value, outcome.status_code)
        return True

    # Loops

    def run_once(self) -> int:
        """Resume, claim one batch, send and record each order; returns how many were claimed."""
        self.resume_paused()
        state = self.breaker.state
        if state is BreakerState.OPEN:
            return 0
        # Half-open: a single order is the trial.
        claims = self.claim(1 if state is BreakerState.HALF_OPEN else self.settings.batch_size)
        for claim in claims:
            self.record(claim, self.send(claim))
        return len(claims)

    def drain(self) -> int:
        """Work until nothing is due now; returns how many sends were made."""
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
