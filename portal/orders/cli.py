"""The `portal relay-worker` verb: deliver pending orders to Pongo."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.workers import serve, worker_options

if TYPE_CHECKING:
    from portal.orders.relay import RelayWorker


@click.command("relay-worker")
@worker_options(once="Send every order due now, then exit.", what="order", interval=2.0)
@with_appcontext
def relay_worker(once: bool, interval: float) -> None:
    """Send pending orders to Pongo (run any number on PostgreSQL; one on SQLite)."""
    from portal.orders.relay import LeaseTooShort, RelayWorker
    from portal.orders.sendlog import send_log

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app
    try:
        worker = RelayWorker(app)
    except LeaseTooShort as error:
        raise click.ClickException(str(error)) from error
    # One JSON line per send on standard output, for the log pipeline.
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    send_log.addHandler(handler)
    level, propagate = send_log.level, send_log.propagate
    send_log.setLevel(logging.INFO)
    send_log.propagate = False
    try:
        _work(worker, once, interval)
    finally:
        send_log.removeHandler(handler)
        send_log.setLevel(level)
        send_log.propagate = propagate
        worker.close()


def _work(worker: RelayWorker, once: bool, interval: float) -> None:
    """Drain once, or work until SIGTERM/SIGINT."""
    if once:
        sent = len(worker.drain())
        click.echo(f"Relay worker: {sent} order(s) handled; nothing more is due.")
        return
    serve(worker, "Relay worker", interval)
