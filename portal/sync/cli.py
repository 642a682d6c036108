"""The `portal sync-worker` verb: check every connected merchant at Pongo on a schedule."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.workers import stop_on_signals


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
    from portal.sync.worker import SyncWorker

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
    stop = stop_on_signals()
    click.echo(f"Sync worker {worker.name} started (every {interval:g} s when idle).")
    worker.run(stop, interval)
    click.echo("Sync worker stopped.")
