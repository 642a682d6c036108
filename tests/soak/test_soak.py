"""A soak of the order relay with real processes: gunicorn, the sandbox, relay workers.

Thousands of orders go through the POS API (with duplicates, conflicts and invalid
ones) while the sandbox injects 5xx bursts, 429s with Retry-After and answers slower
than the read timeout, workers are SIGKILLed and restarted, and the merchant's token is
revoked and the merchant reconnects. At the end every accepted order is at Pongo
exactly once with its store slug, nothing is pending or paused, and no order was sent
more often than its recorded attempts (plus one per killed worker's send in flight).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models.orders import Order, OrderRelay
from tests.helpers.api import new_key
from tests.helpers.apps import make_app
from tests.helpers.connect import connect_merchant
from tests.helpers.databases import POSTGRES_URL, private_schema
from tests.helpers.orders import LINKS, LOCATIONS, link_locations, order_body
from tests.helpers.ports import free_port
from tests.helpers.sandbox import revoke_token
from tests.helpers.settings import TEST_SETTINGS

pytestmark = [
    pytest.mark.soak,
    pytest.mark.skipif(not POSTGRES_URL, reason="the soak runs on PostgreSQL only"),
]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ORDERS = int(os.environ.get("PORTAL_SOAK_ORDERS", "2000"))
WORKERS = 3
ENV_NAMES = {
    "env": "PORTAL_ENV",
    "secret_key": "PORTAL_SECRET_KEY",
    "launch_secret": "PORTAL_LAUNCH_SECRET",
    "launch_issuer": "PORTAL_LAUNCH_ISSUER",
    "encryption_keys": "PORTAL_ENCRYPTION_KEYS",
    "pongo_client_secret": "PONGO_CLIENT_SECRET",
    "base_url": "PORTAL_BASE_URL",
    "pos_admin_origin": "PORTAL_POS_ADMIN_ORIGIN",
}
RELAY_ENV = {
    "PORTAL_RELAY_MAX_ATTEMPTS": "12",
    "PORTAL_RELAY_BACKOFF_SECONDS": "0.2",
    "PORTAL_RELAY_BACKOFF_CAP_SECONDS": "2",
    "PORTAL_RELAY_READ_TIMEOUT_SECONDS": "1.5",
    "PORTAL_RELAY_SEND_DEADLINE_SECONDS": "3",
    "PORTAL_RELAY_LEASE_SECONDS": "11",
    "PORTAL_RELAY_BATCH_SIZE": "10",
    "PORTAL_RELAY_BREAKER_FAILURES": "8",
    "PORTAL_RELAY_BREAKER_RESET_SECONDS": "1",
}


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


class Processes:
    """Child processes of the soak, each ended by its own id."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.starts = Counter[str]()

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.starts[name] += 1
        out = (self.logs / f"{name}-{self.starts[name]}.log").open("wb")
        self.running[name] = subprocess.Popen(  # our own executables
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        out.close()

    def log_of(self, name: str) -> str:
        """What the current run of a process printed so far."""
        return (self.logs / f"{name}-{self.starts[name]}.log").read_text(errors="replace")

    def wait_until_printed(self, name: str, text: str, seconds: float = 90.0) -> None:
        """Wait until the current run of a process prints `text` (boots are slow on 2 cores)."""
        deadline = time.monotonic() + seconds
        while text not in self.log_of(name):
            assert time.monotonic() < deadline, f"{name} never printed {text!r}"
            time.sleep(0.1)

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.running.values():
            process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    children = Processes(tmp_path)
    yield children
    children.stop_all()


@pytest.fixture
def schema_url() -> Iterator[str]:
    from tests.helpers.apps import dispose_apps

    with private_schema() as url:
        yield url
        dispose_apps()


def send_spans(logs: Path) -> dict[str, list[tuple[float, float]]]:
    """Each order's sends as (start, end) times, from the workers' JSON lines, in order."""
    spans: dict[str, list[tuple[float, float]]] = {}
    for path in logs.glob("worker*.log"):
        for line in path.read_text().splitlines():
            if line.startswith('{"event": "relay.send"'):
                entry = json.loads(line)
                start = float(entry["started_at"])
                end = start + (entry["duration_ms"] or 0) / 1000
                spans.setdefault(entry["order_ref"], []).append((start, end))
    return {ref: sorted(found) for ref, found in spans.items()}


def post_order(http: httpx.Client, key: str, body: dict[str, Any]) -> httpx.Response:
    """POST one order the way a POS back-end does: waiting out a 429 before trying again."""
    for _ in range(20):
        answer = http.post(
            "/api/v1/merchants/M1/orders", json=body, headers={"Authorization": f"Bearer {key}"}
        )
        if answer.status_code != 429:
            return answer
        time.sleep(float(answer.headers.get("Retry-After", "1")))
    return answer


@pytest.fixture
def closing() -> Iterator[list[httpx.Client]]:
    """HTTP clients closed after the test, whatever happens."""
    clients: list[httpx.Client] = []
    yield clients
    for client in clients:
        client.close()


def test_soak_every_accepted_order_reaches_pongo_exactly_once(
    schema_url: str,
    processes: Processes,
    tmp_path: Path,
    closing: list[httpx.Client],
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.monotonic()
    sandbox_port, web_port = free_port(), free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "PONGO_"))},
        **{ENV_NAMES[name]: str(value) for name, value in TEST_SETTINGS.items()},
        "DATABASE_URL": schema_url,
        "PONGO_BASE_URL": sandbox_url,
        **RELAY_ENV,
    }
    processes.start(
        "sandbox", [str(BIN / "portal"), "sandbox", "--port", str(sandbox_port), "--controls"], env
    )
    wait_for(f"{sandbox_url}/_sandbox/faults")
    pongo = httpx.Client(base_url=sandbox_url, timeout=10)
    closing.append(pongo)
    assert pongo.post("/_sandbox/settings", json={"honour_idempotency_key": False}).is_success

    # The merchant connects through the portal's own connect views and the sandbox's form.
    app = make_app(schema_url, pongo_base_url=sandbox_url)
    browser = app.test_client()
    connect_merchant(browser, pongo)
    keys = [new_key(app, f"pos-{n}") for n in range(4)]

    processes.start(
        "web",
        [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{web_port}",
            "wsgi:app",
        ],
        env,
    )
    wait_for(f"http://127.0.0.1:{web_port}/healthz")
    web = httpx.Client(base_url=f"http://127.0.0.1:{web_port}", timeout=30)
    closing.append(web)
    answer = web.put(
        "/api/v1/merchants/M1/locations",
        json={"locations": LOCATIONS},
        headers={"Authorization": f"Bearer {keys[0]}"},
    )
    assert answer.status_code == 200, answer.text
    link_locations(app)

    def start_worker(n: int) -> None:
        processes.start(
            f"worker{n}", [str(BIN / "portal"), "relay-worker", "--interval", "0.2"], env
        )

    for n in range(WORKERS):
        start_worker(n)
    for n in range(WORKERS):
        processes.wait_until_printed(f"worker{n}", "started")

    # The POS: orders, some sent twice, some changed (409), some invalid (422).
    rng = random.Random(20261130)  # noqa: S311  # picks which worker to kill
    expected: dict[str, str] = {}
    figures = Counter[str]()
    lock = threading.Lock()

    def pos(n: int) -> None:
        location = "L1" if n % 2 else "L2"
        body = order_body(f"SOAK-{n}", location_ref=location, total_cents=1250 + n)
        key = keys[n % len(keys)]
        if n % 37 == 0:
            body["location_ref"] = "L3"  # not linked to a Pongo store
        elif n % 53 == 0:
            body["lines"] = []
        answer = post_order(web, key, body)
        with lock:
            figures[f"HTTP {answer.status_code}"] += 1
        if answer.status_code != 202:
            assert answer.status_code == 422, answer.text
            return
        with lock:
            expected[f"SOAK-{n}"] = LINKS[location]
        if n % 11 == 0:
            again = post_order(web, key, body)
            assert again.status_code == 202
            assert again.json() == answer.json()
            with lock:
                figures["duplicates"] += 1
        if n % 29 == 0:
            changed = post_order(web, key, {**body, "total_cents": body["total_cents"] + 1})
            assert changed.status_code == 409, changed.text
            with lock:
                figures["conflicts"] += 1

    faults = Counter[str]()

    def fault(kind: str, **spec: Any) -> None:
        pongo.post("/_sandbox/faults", json={"path": "/v1/orders", "method": "POST", **spec})
        faults[kind] += spec.get("count", 1)

    def chaos() -> None:
        """Faults and worker kills while orders flow."""
        steps = [
            lambda: fault("5xx", status=503, count=25),
            lambda: fault("429", status=429, count=10, headers={"Retry-After": "1"}),
            lambda: fault("slow", delay_ms=2500, count=4),
            lambda: fault("5xx", status=502, count=15),
        ]
        for step in steps:
            time.sleep(2.5)
            step()
            victim = rng.randrange(WORKERS)
            # Killed while it works: after its first send (its first lines may be lost).
            processes.wait_until_printed(f"worker{victim}", "relay.send")
            time.sleep(0.3)
            processes.kill(f"worker{victim}")
            faults["worker kills"] += 1
            time.sleep(0.5)
            start_worker(victim)

    chaos_thread = threading.Thread(target=chaos)
    chaos_thread.start()
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(pos, range(ORDERS)))
    chaos_thread.join()
    posted = time.monotonic()

    # The merchant's token is revoked: orders pause; the merchant reconnects once.
    assert pongo.delete("/_sandbox/faults").is_success  # whatever is left of the faults
    extra = [f"SOAK-R{n}" for n in range(20)]
    revoke_token(pongo)
    for ref in extra:
        assert post_order(web, keys[0], order_body(ref)).status_code == 202
        expected[ref] = LINKS["L1"]
    with app.app_context():
        for _ in range(300):
            waiting = db.session.scalar(
                select(func.count()).where(
                    OrderRelay.status == "pending", OrderRelay.claimed_until.is_not(None)
                )
            )
            paused = db.session.scalar(select(func.count()).where(OrderRelay.status == "paused"))
            db.session.rollback()
            if paused and not waiting:
                break
            time.sleep(0.1)
        figures["paused by the revocation"] = paused or 0
    connect_merchant(browser, pongo)

    # Everything settles.
    deadline = time.monotonic() + 60 + ORDERS * 0.1
    with app.app_context():
        while time.monotonic() < deadline:
            statuses = dict(
                db.session.execute(
                    select(OrderRelay.status, func.count()).group_by(OrderRelay.status)
                ).all()
            )
            db.session.rollback()
            if not statuses.get("pending") and not statuses.get("paused"):
                break
            time.sleep(0.5)
        rows = db.session.execute(
            select(Order.order_ref, Order.store_slug, OrderRelay.status, OrderRelay.id).join(
                OrderRelay, OrderRelay.order_id == Order.id
            )
        ).all()
    finished = time.monotonic()
    log = pongo.get("/_sandbox/orders").json()
    processes.stop_all()
    created = Counter(str(e["body"]["order_id"]) for e in log if e["status"] == 201)
    slugs = {str(e["body"]["order_id"]): e["body"]["loyalty_store_slug"] for e in log}
    sends = Counter(str(e["body"]["order_id"]) for e in log)
    status_of = {row.order_ref: row.status for row in rows}
    report = (
        f"\nsoak: {ORDERS} orders posted ({len(expected)} accepted, {figures['duplicates']}"
        f" duplicates, {figures['conflicts']} conflicts, {figures['HTTP 422']} invalid),"
        f" {sum(sends.values())} sends to Pongo ({sum(1 for n in sends.values() if n > 1)}"
        f" orders sent more than once), {sum(len(v) for v in send_spans(tmp_path).values())}"
        f" sends logged by the workers, faults {dict(faults)},"
        f" {figures['paused by the revocation']} orders paused by the revocation;"
        f" posting {posted - started:.0f} s, total {finished - started:.0f} s;"
        f" statuses at the end {statuses}"
    )
    with capsys.disabled():  # the figures show in every run, captured or not
        print(report)
    assert Counter(status_of.values()) == Counter({"delivered": len(expected)})
    assert set(status_of) == set(expected)
    assert created == Counter(dict.fromkeys(expected, 1)), "an order created twice or never"
    assert {ref: slugs[ref] for ref in expected} == expected
    # No order in flight twice: the sends the workers logged never overlap for one order.
    overlapping = [
        ref
        for ref, spans in send_spans(tmp_path).items()
        if any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))
    ]
    assert overlapping == []
