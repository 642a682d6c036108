"""Every merchant page over HTTP under gunicorn at the largest merchant, beside /healthz.

The database is prepared once: a small merchant, and the largest one (50,000 products, 500
rewards of 6 SKUs, 1,000 locations x 1,000 stores, 10,000 orders). Gunicorn serves it with 2
workers; `wrk` drives 16 connections at each page with a session cookie, and each figure is
printed beside /healthz measured in the same run. Every view renders its page. All along,
a background writer makes another merchant's writes: orders through the POS API (served by
the same gunicorn) and link saves, a few dozen a second. A reference row, the floor, is a
merchant page with nothing of its own (`bench/floor_app.py`): no page can cost less.

The figures are taken on a private schema on PORTAL_BENCH_DATABASE_URL (PostgreSQL), dropped
afterwards, when that is set, then on an SQLite file; on SQLite only when it is unset or empty.
`make bench` sets it to the local PostgreSQL server when that answers and the variable is
unset; `PORTAL_BENCH_DATABASE_URL= make bench` keeps this file on SQLite.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from bench.common import link_location, vacuum
from bench.floor_app import FLOOR, add_floor
from portal import create_app
from portal.extensions import db
from portal.models.merchant import Merchant
from tests.helpers.databases import private_schema
from tests.helpers.orders import order_body
from tests.helpers.seed import LARGEST, SMALL, Size, api_key, open_session, seed_merchant
from tests.helpers.settings import TEST_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
CONNECTIONS = 16
SECONDS = int(os.environ.get("PORTAL_BENCH_HTTP_SECONDS", "3"))
# The limits the pages are held to, as ratios to /healthz measured in the same run.
MAX_BYTES = 150_000
MAX_P50_RATIO = 5.0
MIN_OVERVIEW_SHARE = 0.5
# The merchant the background writer writes for: a linked location is all it needs.
WRITER = Size(locations=2, stores=2, products=2, rewards=1, orders=0)
# Pause between two of the background writer's writes, in seconds.
WRITER_PAUSE = 0.02
PAGES = (
    ("Overview", "/"),
    ("Connection", "/connect/"),
    ("Locations", "/locations"),
    ("Rewards", "/rewards"),
    ("Products", "/products"),
    ("Orders", "/orders"),
    ("Order detail", "/orders/O000042"),
    ("Access log", "/access-log"),
)
# Not a page of the portal: the layout around nothing (bench/floor_app.py), for reference.
FLOOR_ROW = ("Floor: layout only", FLOOR)


@dataclass(frozen=True)
class Figures:
    """What wrk measured on one URL."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database(url: str) -> Iterator[str]:
    """An empty database: a private schema on the server at `url`, or an SQLite file."""
    if not url:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/http.db"
        return
    with private_schema(url, prefix="bench") as schema_url:
        yield schema_url


def cpu_per_view(url: str, token: str, views: int = 20) -> None:
    """Each page's median CPU time per view in this process (Flask test client), beside /healthz.

    CPU time rather than wall time: other work on the machine weighs on it much less, so
    that two runs compare even when the load of the machine differs.
    """
    app = add_floor(create_app({**TEST_SETTINGS, "database_url": url}))
    client = app.test_client()
    client.set_cookie("portal_session", token)
    figures = []
    for name, path in (("/healthz", "/healthz"), FLOOR_ROW, *PAGES):
        assert client.get(path).status_code == 200, path
        samples = []
        for _ in range(views):
            start = time.process_time()
            client.get(path)
            samples.append((time.process_time() - start) * 1000)
        figures.append(f"{name} {statistics.median(samples):.1f}")
    with app.app_context():
        db.engine.dispose()
    print(f"  CPU ms per view in-process, largest merchant: {', '.join(figures)}")


def prepare(url: str) -> tuple[dict[str, str], str]:
    """Load the merchants; returns a session token for each shown, and the POS API key."""
    app = create_app({**TEST_SETTINGS, "database_url": url})
    with app.app_context():
        db.create_all()
    key = api_key(app)
    start = time.perf_counter()
    small = seed_merchant(app, key, "SMALL", SMALL)
    big = seed_merchant(app, key, "BIG", LARGEST)
    seed_merchant(app, key, "OTHER", WRITER)
    print(f"  prepared the largest merchant in {time.perf_counter() - start:.0f} s")
    tokens = {"small": open_session(app, small), "big": open_session(app, big)}
    vacuum(app)
    return tokens, key


def write_on(base: str, url: str, key: str, stop: Any, written: Any) -> None:
    """Until `stop` is set: orders of merchant OTHER through the API, and its link saves.

    The orders come as fast as the POS API's rate limit for one key allows.
    """
    app = create_app({**TEST_SETTINGS, "database_url": url})
    count = 0
    while not stop.is_set():
        body = json.dumps(order_body(f"BG-{count}", location_ref="L0000")).encode()
        request = urllib.request.Request(  # noqa: S310  # our own server
            f"{base}/api/v1/merchants/OTHER/orders",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                assert answer.status == 202, answer.status
        except urllib.error.HTTPError as refused:
            # Past the POS API's rate limit for the key: wait as told, as a POS does.
            if refused.code != 429:
                raise
            time.sleep(min(float(refused.headers.get("Retry-After") or 1), 5.0))
            continue
        with app.app_context():
            merchant = db.session.scalar(select(Merchant).where(Merchant.ref == "OTHER"))
            assert merchant is not None
            store = "store-1" if count % 2 else None
            link_location(merchant, "L0001", store)
            db.session.commit()
        count += 2
        time.sleep(WRITER_PAUSE)
    written.put(count)


@contextmanager
def background_writer(base: str, url: str, key: str) -> Iterator[None]:
    """Another merchant's writes in a process of their own while the block runs."""
    context = multiprocessing.get_context("fork")
    stop, written = context.Event(), context.SimpleQueue()
    process = context.Process(target=write_on, args=(base, url, key, stop, written))
    process.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        stop.set()
        process.join(timeout=120)
        seconds = time.perf_counter() - start
        count = written.get() if process.exitcode == 0 else 0
        state = "" if process.exitcode == 0 else f" (the writer failed: exit {process.exitcode})"
        print(f"  background writes: {count} in {seconds:.0f} s ({count / seconds:.0f}/s){state}")


@contextmanager
def gunicorn(url: str) -> Iterator[str]:
    """The portal under gunicorn on `url`; yields its base URL once it answers."""
    port = free_port()
    environ = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": url,
        "PORTAL_SECRET_KEY": TEST_SETTINGS["secret_key"],
        "PORTAL_LAUNCH_SECRET": TEST_SETTINGS["launch_secret"],
        "PORTAL_ENCRYPTION_KEYS": TEST_SETTINGS["encryption_keys"],
        # Pages must not call Pongo: nothing listens here, so a call would show as slowness.
        "PONGO_BASE_URL": f"http://127.0.0.1:{free_port()}",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "bench.floor_app:floor_app()",
        ],
        cwd=ROOT,
        env=environ,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def fetch(url: str, token: str) -> bytes:
    """One page view's body, failing on anything but 200."""
    request = urllib.request.Request(url, headers={"Cookie": f"portal_session={token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
        assert answer.status == 200, (url, answer.status)
        body: bytes = answer.read()
    return body


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, token: str | None, seconds: int = SECONDS, header: str | None = None) -> Figures:
    """Drive `url` with wrk (2 threads, 16 connections) and read its figures.

    `token` is a merchant's session cookie; `header` any other header, as "Name: value".
    """
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "60s", "--latency"]
    command.append(url)
    if token:
        command[1:1] = ["-H", f"Cookie: portal_session={token}"]
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    assert rate, output
    assert p50, output
    assert p99, output
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    failed = re.search(r"Socket errors:.*timeout (\d+)", output)
    return Figures(
        requests_per_second=float(rate.group(1)),
        p50_ms=_ms(*p50.groups()),
        p99_ms=_ms(*p99.groups()),
        errors=(int(bad.group(1)) if bad else 0) + (int(failed.group(1)) if failed else 0),
    )


def settle(base: str, seconds: float = 120.0) -> None:
    """Wait until requests left queued by the last wrk run are served: two quick /healthz in a row.

    wrk stops with its connections' requests still queued at gunicorn; a probe started at
    once would wait behind them and measure the previous page instead of /healthz.
    """
    quick = 0
    deadline = time.perf_counter() + seconds
    while quick < 2 and time.perf_counter() < deadline:
        start = time.perf_counter()
        with urllib.request.urlopen(f"{base}/healthz", timeout=seconds):  # noqa: S310
            pass
        quick = quick + 1 if time.perf_counter() - start < 0.05 else 0


def verdict(ok: bool) -> str:
    """A mark for the figure's target."""
    return "ok" if ok else "OVER"


def measure(base: str, tokens: dict[str, str], seconds: int) -> None:
    """Each page under load beside /healthz, one line per page."""
    wrk(f"{base}/healthz", None, 1)
    rows = [("Overview (small merchant)", "/", "small"), (FLOOR_ROW[0], FLOOR, "big")]
    rows += [(f"{name} (largest)", path, "big") for name, path in PAGES]
    for label, path, who in rows:
        body = fetch(f"{base}{path}", tokens[who])
        wrk(f"{base}{path}", tokens[who], 1)  # warm both workers
        settle(base)
        # The limit is measured just before each page: other load on the machine then
        # weighs on both figures alike.
        probe = wrk(f"{base}/healthz", None, 2)
        seen = wrk(f"{base}{path}", tokens[who], seconds)
        if not (probe.requests_per_second and probe.p50_ms):
            print(f"  {label:<26} /healthz got no answer in its turn: the machine is saturated")
            continue
        share = seen.requests_per_second / probe.requests_per_second
        ratio = seen.p50_ms / probe.p50_ms
        marks = [
            f"bytes {verdict(len(body) <= MAX_BYTES)}",
            f"p50 {verdict(ratio <= MAX_P50_RATIO)}" if path != FLOOR else "reference",
        ]
        if path == "/":
            marks.append(f"req/s {verdict(share >= MIN_OVERVIEW_SHARE)}")
        if seen.errors:
            marks.append(f"{seen.errors} errors")
        print(
            f"  {label:<26} {seen.requests_per_second:6.0f} req/s ({share:4.0%})"
            f"  p50 {seen.p50_ms:6.1f} ms ({ratio:4.1f}x)  p99 {seen.p99_ms:6.1f} ms"
            f"  {len(body) / 1000:6.1f} KB  [{', '.join(marks)}]"
            f"  | /healthz {probe.requests_per_second:5.0f} req/s, p50 {probe.p50_ms:5.1f} ms"
        )


def main() -> None:
    """Prepare, serve, measure, print."""
    if shutil.which("wrk") is None:
        print("wrk is not installed: `apt-get install wrk` (make bench installs it)")
        return
    servers = [os.environ.get("PORTAL_BENCH_DATABASE_URL", "")]
    if servers[0]:
        servers.append("")  # then SQLite as well
    for server in servers:
        backend = "PostgreSQL" if server else "SQLite"
        print(f"  database: {backend}; gunicorn {WORKERS} workers; wrk {CONNECTIONS} connections")
        with database(server) as url:
            tokens, key = prepare(url)
            cpu_per_view(url, tokens["big"])
            with gunicorn(url) as base, background_writer(base, url, key):
                measure(base, tokens, SECONDS)


if __name__ == "__main__":
    main()
