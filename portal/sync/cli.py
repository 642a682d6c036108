"""The `portal sync-worker` verb: check every connected merchant at Pongo on a schedule."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.workers import serve, worker_options


@click.command("sync-worker")
@worker_options(once="Sync every merchant due now, then exit.", what="merchant", interval=30.0)
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
    serve(worker, "Sync worker", interval)
