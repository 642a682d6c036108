"""The POS summary (`GET /api/v1/merchants/<ref>/summary`) at the largest merchant, beside /healthz.

The POS admin panel may read the summary each time it draws its Pongo button, so the
summary is held to the pages' limit: a median latency within MAX_P50_RATIO times that of
/healthz, measured in the same run under the same load (gunicorn, 2 workers; wrk, 16
connections). The largest merchant is the one of bench_http.py: 50,000 products, 500
rewards, 1,000 locations and stores, 10,000 orders. PostgreSQL when PORTAL_BENCH_DATABASE_URL
is set, else SQLite.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from bench.bench_http import MAX_P50_RATIO, SECONDS, database, gunicorn, verdict, wrk
from bench.common import vacuum
from portal import create_app
from portal.extensions import db
from tests.helpers.seed import LARGEST, SMALL, api_key, seed_merchant
from tests.helpers.settings import TEST_SETTINGS


def prepare(url: str) -> str:
    """Load a small and the largest merchant; returns an API key."""
    app = create_app({**TEST_SETTINGS, "database_url": url})
    with app.app_context():
        db.create_all()
    key = api_key(app)
    start = time.perf_counter()
    seed_merchant(app, key, "SMALL", SMALL)
    seed_merchant(app, key, "BIG", LARGEST)
    print(f"  prepared the largest merchant in {time.perf_counter() - start:.0f} s")
    vacuum(app)
    return key


def fetch(url: str, key: str) -> None:
    """One call with the key, failing on anything but 200."""
    # The URL is the local gunicorn's, made above: http only.
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})  # noqa: S310  # see above
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310  # see above
        assert answer.status == 200, answer.status


def main() -> None:
    """Prepare, serve, then time the summary of each merchant beside /healthz."""
    if shutil.which("wrk") is None:
        print("wrk is not installed: `apt-get install wrk` (make bench installs it)")
        return
    backend = "PostgreSQL" if os.environ.get("PORTAL_BENCH_DATABASE_URL") else "SQLite"
    print(f"  database: {backend}; gunicorn 2 workers; wrk 16 connections")
    # One key calls as fast as wrk can: the per-key limit would answer 429 instead.
    os.environ["PORTAL_API_RATE_LIMIT"] = "1000000/second"
    with database(os.environ.get("PORTAL_BENCH_DATABASE_URL", "")) as url:
        key = prepare(url)
        authorization = f"Authorization: Bearer {key}"
        with gunicorn(url) as base:
            wrk(f"{base}/healthz", None, 1)
            # The API's floor: a key checked and a merchant found, then a 404 for an
            # unknown order (wrk counts the 404s as errors; they are expected here).
            floor = wrk(f"{base}/api/v1/merchants/BIG/orders/NONE", None, 3, header=authorization)
            for label, ref in (("small merchant", "SMALL"), ("largest merchant", "BIG")):
                summary = f"{base}/api/v1/merchants/{ref}/summary"
                fetch(summary, key)
                wrk(summary, None, 1, header=authorization)  # warms both workers' indexes
                probe = wrk(f"{base}/healthz", None, 3)
                seen = wrk(summary, None, SECONDS, header=authorization)
                ratio = seen.p50_ms / probe.p50_ms
                errors = f", {seen.errors} errors" if seen.errors else ""
                print(
                    f"  summary ({label:<16}) {seen.requests_per_second:6.0f} req/s"
                    f"  p50 {seen.p50_ms:6.1f} ms ({ratio:4.1f}x)  p99 {seen.p99_ms:6.1f} ms"
                    f"  [p50 {verdict(ratio <= MAX_P50_RATIO)}{errors}]"
                    f"  | /healthz {probe.requests_per_second:5.0f} req/s,"
                    f" p50 {probe.p50_ms:5.1f} ms"
                )
            print(
                f"  API floor (key, merchant, 404)  {floor.requests_per_second:6.0f} req/s"
                f"  p50 {floor.p50_ms:6.1f} ms  p99 {floor.p99_ms:6.1f} ms"
            )


if __name__ == "__main__":
    main()
