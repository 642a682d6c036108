"""Several sync workers on PostgreSQL share the merchants without ever syncing one twice at once."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import httpx
import pytest
from flask import Flask

from portal import config, crypto
from portal.extensions import db
from portal.models.connection import PongoConnection
from portal.models.merchant import Merchant
from portal.sandbox import routes
from portal.sync.worker import Claim, Result, SyncWorker
from tests.helpers.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from tests.helpers.settings import TEST_SETTINGS
from tests.helpers.shop import password_form
from tests.helpers.sync import make_due

MERCHANTS = 8


def connect_directly(app: Flask, pongo: httpx.Client, count: int) -> None:
    """Merchants each holding a fresh token of the demo Pongo account."""
    for number in range(count):
        form = password_form(
            DEMO_LOGIN,
            "reward.read,order.create",
            password=DEMO_PASSWORD,
            client_id="portal-demo",
            client_secret=TEST_SETTINGS["pongo_client_secret"],
        )
        answer = pongo.post(routes.TOKEN.path, data=form)
        assert answer.status_code == 200, answer.text
        with app.app_context():
            merchant = Merchant(ref=f"C{number}", name=f"Chain {number}")
            db.session.add(merchant)
            db.session.flush()
            db.session.add(
                PongoConnection(
                    merchant_id=merchant.id,
                    status="connected",
                    access_token_encrypted=crypto.encrypt(answer.json()["access_token"]),
                    scopes="reward.read,order.create",
                )
            )
            db.session.commit()


class RecordingWorker(SyncWorker):
    """A sync worker that notes when it synced which merchant."""

    spans: list[tuple[int, str, float, float]]
    lock = threading.Lock()

    def sync(self, claim: Claim) -> Result:
        """Sync, noting the start and end."""
        started = time.monotonic()
        result = super().sync(claim)
        with self.lock:
            self.spans.append((claim.merchant_id, self.name, started, time.monotonic()))
        return result


def test_two_workers_never_sync_one_merchant_at_the_same_time(
    database_url: str, sandbox: object, pongo: httpx.Client
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several workers are for PostgreSQL; SQLite runs one")
    from tests.helpers.apps import make_app

    app = make_app(database_url, pongo_base_url=sandbox.url)  # type: ignore[attr-defined]
    connect_directly(app, pongo, MERCHANTS)
    # Slow Pongo down, so that the two workers really run side by side.
    fault = {"path": "/v1/stores", "method": "GET", "delay_ms": 150, "count": 100}
    assert pongo.post("/_sandbox/faults", json=fault).status_code == 201
    settings = replace(config.of(app).sync, batch_size=1)
    spans: list[tuple[int, str, float, float]] = []
    RecordingWorker.spans = spans

    def work(name: str, start: threading.Barrier) -> None:
        worker = RecordingWorker(app, settings=settings, name=name)
        start.wait()
        results = worker.drain()
        assert all(result.failure is None for result in results)

    for _round in range(2):
        spans.clear()
        start = threading.Barrier(2)
        threads = [threading.Thread(target=work, args=(n, start)) for n in ("one", "two")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        synced = sorted(merchant_id for merchant_id, *_ in spans)
        assert len(synced) == MERCHANTS
        assert len(set(synced)) == MERCHANTS  # each merchant once, by one worker
        assert {name for _, name, *_ in spans} == {"one", "two"}
        make_due(app)
