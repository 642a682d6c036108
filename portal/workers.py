"""What every long-running worker shares: its name, a leased queue, its loops, clean stops.

A queue is a table whose rows wait to be worked on: `claimed_until`, `claim_token` and
`claimed_by` columns hold a lease, a due-time column says when a row may be taken. A
worker leases a batch in one short transaction (on PostgreSQL `FOR UPDATE SKIP LOCKED`
lets workers on many hosts claim side by side; SQLite serialises writers, so one worker
there), works on each row with no transaction open, and writes the result only while its
claim token still holds the row. Every time is the database's (`db_now`), never a host's.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any, Generic, Self, TypedDict, TypeVar, Unpack

import click
from flask import Flask
from sqlalchemy import ColumnElement, Connection, and_, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute

from portal.models.dbclock import db_now

C = TypeVar("C")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])


def worker_name() -> str:
    """This worker's name in leases and logs: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident() % 100000}"


@dataclass(frozen=True)
class LeasedQueue:
    """A table used as a queue: its key and due columns, beside the three lease columns."""

    table: Any  # the mapped class; it has claimed_until, claim_token and claimed_by
    key: InstrumentedAttribute[Any]
    due: InstrumentedAttribute[Any]

    def free(self) -> ColumnElement[bool]:
        """The row holds no lease, or its lease has run out."""
        until = self.table.claimed_until
        return or_(until.is_(None), until < db_now())

    def claimable(self, *where: ColumnElement[bool]) -> ColumnElement[bool]:
        """Due now, not leased, and whatever else the queue asks."""
        return and_(self.due <= db_now(), self.free(), *where)

    def held(self, key: Any, token: str) -> ColumnElement[bool]:
        """The row, as long as `token` still holds its lease."""
        return and_(self.key == key, self.table.claim_token == token)

    def claim(
        self,
        connection: Connection,
        *,
        limit: int,
        seconds: float,
        owner: str,
        where: Sequence[ColumnElement[bool]] = (),
        **values: Any,
    ) -> tuple[str, list[Any]]:
        """Lease up to `limit` claimable rows for `seconds`; their token and keys, due first."""
        token = uuid.uuid4().hex
        claimable = self.claimable(*where)
        order = (self.due, self.key)
        keys = list(
            connection.scalars(
                select(self.key)
                .where(claimable)
                .order_by(*order)
                .limit(max(1, limit))
                # PostgreSQL: rows another worker is claiming are skipped, not waited for.
                # SQLite ignores the clause; the guarded UPDATE still keeps claims apart.
                .with_for_update(skip_locked=True)
            )
        )
        if not keys:
            return token, []
        width = self.table.claimed_by.type.length
        connection.execute(
            update(self.table)
            .where(self.key.in_(keys), claimable)
            .values(
                claimed_until=db_now(seconds), claim_token=token, claimed_by=owner[:width], **values
            )
        )
        held = connection.scalars(
            select(self.key)
            .where(self.key.in_(keys), self.table.claim_token == token)
            .order_by(*order)
        )
        return token, list(held)

    def release(self, connection: Connection, key: Any, token: str, **values: Any) -> bool:
        """End the lease and write `values` if `token` still holds it; False when it was lost."""
        return bool(
            connection.execute(
                update(self.table)
                .where(self.held(key, token))
                .values(claimed_until=None, claim_token=None, claimed_by=None, **values)
            ).rowcount
        )


class WorkerOptions(TypedDict, total=False):
    """What every worker may be given: its name in leases and logs, and its source of jitter."""

    name: str | None
    jitter: Callable[[], float]


class LeasedWorker(ABC, Generic[C, R]):
    """Claims a batch, handles each claim, and loops; a worker says what a batch and a claim are.

    One instance per thread or process; used as a context manager, it is closed on leaving.
    """

    log: logging.Logger

    def __init__(self, app: Flask, **options: Unpack[WorkerOptions]) -> None:
        self.app = app
        self.name = options.get("name") or worker_name()
        self.jitter = options.get("jitter", random.random)

    def close(self) -> None:
        """Release what the worker holds open (an HTTP connection pool, say)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def claim_batch(self) -> list[C]:
        """Lease the next batch (empty when nothing is due)."""

    @abstractmethod
    def handle(self, claim: C) -> R:
        """Work on one claim and record its result; must not raise for one bad row."""

    def after_batch(self) -> None:
        """Whatever the worker does after each batch (gauges, say)."""

    def run_once(self) -> list[R]:
        """Claim one batch and handle each claim of it."""
        results = [self.handle(claim) for claim in self.claim_batch()]
        self.after_batch()
        return results

    def drain(self) -> list[R]:
        """Work until nothing is due now; every result."""
        results: list[R] = []
        while batch := self.run_once():
            results += batch
        return results

    def run(self, stop: threading.Event, interval: float) -> None:
        """Work until `stop` is set, waiting `interval` seconds whenever nothing is due."""
        while not stop.is_set():
            try:
                count = len(self.run_once())
            except Exception:  # a database blip must not end the worker
                self.log.exception("%s: batch failed; trying again shortly", self.name)
                count = 0
            if count == 0:
                stop.wait(interval)


def worker_options(*, once: str, what: str, interval: float) -> Callable[[F], F]:
    """The `--once` (helped by `once`) and `--interval` options of a worker verb."""

    def decorate(command: F) -> F:
        command = click.option(
            "--interval",
            default=interval,
            show_default=True,
            type=click.FloatRange(min=0.05),
            help=f"Seconds to wait when no {what} is due.",
        )(command)
        return click.option("--once", is_flag=True, help=once)(command)

    return decorate


def serve(worker: LeasedWorker[Any, Any], label: str, interval: float) -> None:
    """Work until SIGTERM or SIGINT, saying when the worker starts and stops."""
    stop = stop_on_signals()
    click.echo(f"{label} {worker.name} started (every {interval:g} s when idle).")
    worker.run(stop, interval)
    click.echo(f"{label} stopped.")


# Work that runs beside the relay worker (the POS events worker, the hourly purge), each on a
# thread of its own, registered by the package that owns it (the relay knows none of them by
# name): callables taking the app, the stop event and the idle interval, returning the
# started thread. One started with its stop event already set ends once it has done what
# `relay-worker --once` asks of it (the POS events worker drains what is due).
BESIDE_RELAY = "portal.beside_relay"
Companion = Callable[[Any, threading.Event, float], threading.Thread]


def run_beside(app: Any, worker: Companion) -> None:
    """Register a worker to run beside every relay worker of this app."""
    app.extensions.setdefault(BESIDE_RELAY, []).append(worker)


def start_companions(app: Any, stop: threading.Event, interval: float) -> list[threading.Thread]:
    """Start the workers registered to run beside the relay worker."""
    companions: list[Companion] = app.extensions.get(BESIDE_RELAY, [])
    return [start(app, stop, interval) for start in companions]


def start_thread(name: str, work: Callable[[], None]) -> threading.Thread:
    """Start `work` on a daemon thread named `name` (the name shows in logs and dumps)."""
    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    return thread


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT: the worker finishes the item in hand, then leaves.

    A lease covers a hard kill anyway.
    """
    stop = threading.Event()

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    return stop
