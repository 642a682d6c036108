"""The hourly purge, on a thread of its own beside every long-running relay worker."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask

from portal.extensions import db
from portal.privacy.retention import PurgeReport, purge
from portal.workers import run_beside, start_thread

log = logging.getLogger(__name__)

HOUR = 3600.0


class HourlyPurge:
    """Runs every retention rule at most once per `every` seconds; the first call runs it."""

    def __init__(
        self, app: Flask, every: float = HOUR, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.every = every
        self.clock = clock
        self.due_at = clock()

    def run_if_due(self) -> PurgeReport | None:
        """Purge when an hour has passed since the last run; never raises."""
        if self.clock() < self.due_at:
            return None
        self.due_at = self.clock() + self.every
        with self.app.app_context():
            try:
                report = purge()
            except Exception:  # a failed purge must not end the worker: the next hour retries
                db.session.rollback()
                log.exception("hourly purge failed; trying again in an hour")
                return None
        # Counts only: a purge's report holds no personal data.
        log.info("hourly purge: %s", "; ".join(report.lines()))
        return report


def start_beside(app: Flask, stop: threading.Event, interval: float = 2.0) -> threading.Thread:
    """Purge at once, then once an hour, on a thread of its own until `stop` is set.

    Started with `stop` already set (`relay-worker --once`), it purges nothing: `portal
    purge` is the verb that purges now.
    """
    hourly = HourlyPurge(app)

    def work() -> None:
        while not stop.is_set():
            hourly.run_if_due()
            stop.wait(interval)

    return start_thread("hourly-purge", work)


def init_app(app: Flask) -> None:
    """Run the hourly purge beside every long-running relay worker of the app."""
    run_beside(app, start_beside)
