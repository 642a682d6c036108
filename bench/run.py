"""Performance figures for the portal: each measurement beside a limit measured in the same run."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app
from portal.extensions import db
from tests.conftest import TEST_SETTINGS, launch_token


def timed(action: Callable[[], object], runs: int = 50) -> float:
    """Median wall time of `action` in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_overview() -> None:
    """The overview page through the whole stack, beside a bare health probe."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({**TEST_SETTINGS, "database_url": f"sqlite:///{folder}/bench.db"})
        with app.app_context():
            db.create_all()
        client = app.test_client()
        client.get("/launch", query_string={"token": launch_token()})
        page = timed(lambda: client.get("/"))
        probe = timed(lambda: client.get("/healthz"))
        print(f"overview page: {page:.2f} ms median (bare /healthz, same run: {probe:.2f} ms)")


if __name__ == "__main__":
    bench_overview()
    for extra in sorted(Path(__file__).parent.glob("bench_*.py")):
        print(f"--- {extra.name}")
        namespace: dict[str, object] = {"__name__": "__main__", "__file__": str(extra)}
        exec(compile(extra.read_text(), str(extra), "exec"), namespace)  # noqa: S102  # our own scripts
