"""The `portal sync-worker` verb: check every connected merchant at Pongo on a schedule."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("sync-worker")
@click.option("--once", is_flag=True, help="Sync every merchant due now, then exit.")
@click.option(
    "--interval",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.05),
    help="Seconds to wait when no merchant is due.",
)
@with_appcontext
def sync_worker(once: bool, interval: float) -> None:
    """Sync merchants' stores and rewards with Pongo (any number on PostgreSQL; one on SQLite)."""
    from portal.drift.worker import SyncWorker

    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the real app
    worker = SyncWorker(app)
    if once:
        results = worker.drain()
        failed = sum(1 for result in results if result.failure)
        changes = sum(len(result.changes) for result in results)
        mailed = sum(1 for result in results if result.mailed)
        click.echo(
            f"Sync worker: {len(results)} merchant(s) checked, {failed} failed, "
            f"{changes} change(s) recorded, {mailed} e-mail(s) sent."
        )
        return
    stop = threading.Event()

    def ask_to_stop(signum: int, frame: FrameType | None) -> None:
        # Finish the merchant in hand, then leave; a lease covers a hard kill anyway.
        stop.set()

    signal.signal(signal.SIGTERM, ask_to_stop)
    signal.signal(signal.SIGINT, ask_to_stop)
    click.echo(f"Sync worker {worker.name} started (every {interval:g} s when idle).")
    worker.run(stop, interval)
    click.echo("Sync worker stopped.")
