"""The relay worker's hourly purge: once an hour, on the real database."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.session import WebSession
from portal.privacy.schedule import HourlyPurge
from portal.workers import start_companions
from tests.helpers.settings import TEST_SETTINGS


def add_ended_session(app: Flask, name: str) -> None:
    with app.app_context():
        now = utcnow()
        db.session.add(
            WebSession(id=f"{name:0>64}", created_at=now, last_seen_at=now, revoked_at=now)
        )
        db.session.commit()


def sessions(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(WebSession)) or 0)


def test_the_purge_runs_at_once_then_once_an_hour(relay_app: Flask) -> None:
    now = [1000.0]
    hourly = HourlyPurge(relay_app, clock=lambda: now[0])
    add_ended_session(relay_app, "first")

    first = hourly.run_if_due()

    assert first is not None
    assert first.sessions == 1
    add_ended_session(relay_app, "second")
    now[0] += 3599
    assert hourly.run_if_due() is None
    assert sessions(relay_app) == 1
    now[0] += 1
    again = hourly.run_if_due()
    assert again is not None
    assert again.sessions == 1
    assert sessions(relay_app) == 0


def test_a_failed_purge_does_not_end_the_worker(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A database without tables: every statement of the purge fails.
    empty = create_app({**TEST_SETTINGS, "database_url": f"sqlite:///{tmp_path / 'empty.db'}"})
    hourly = HourlyPurge(empty)

    assert hourly.run_if_due() is None

    assert "hourly purge failed" in caplog.text
    assert hourly.run_if_due() is None  # not due again before the hour
    with empty.app_context():
        db.engine.dispose()


def test_the_purge_runs_beside_a_running_relay_worker_and_not_beside_a_drain(
    relay_app: Flask,
) -> None:
    add_ended_session(relay_app, "ended")
    drained = threading.Event()
    drained.set()  # as `relay-worker --once` starts them
    for thread in start_companions(relay_app, drained, 0.05):
        thread.join(timeout=10)
    assert sessions(relay_app) == 1
    stop = threading.Event()
    running = start_companions(relay_app, stop, 0.05)
    try:
        deadline = time.monotonic() + 10
        while sessions(relay_app) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in running:
            thread.join(timeout=10)
    assert sessions(relay_app) == 0
