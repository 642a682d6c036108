"""Performance figures for the portal: each measurement beside a limit measured in the same run.

PORTAL_BENCH_DATABASE_URL, when unset, is set here to the local PostgreSQL server
(LOCAL_POSTGRES) if it answers: the order relay and HTTP figures then run on it. Set it to
another URL to use that server, or to nothing (`PORTAL_BENCH_DATABASE_URL= make bench`) for
SQLite only. Every other figure runs on SQLite.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.common import bench_app, median_ms
from tests.helpers.launch import launch_token

VARIABLE = "PORTAL_BENCH_DATABASE_URL"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def answers(url: str) -> bool:
    """Whether the database server at `url` accepts a connection within two seconds."""
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def choose_database() -> str:
    """Default PORTAL_BENCH_DATABASE_URL to the local PostgreSQL server; say what is used."""
    url = os.environ.get(VARIABLE)
    origin = "as set"
    if url is None:
        if not answers(LOCAL_POSTGRES):
            return f"{VARIABLE} unset, no PostgreSQL at {LOCAL_POSTGRES}: every figure on SQLite"
        url = os.environ[VARIABLE] = LOCAL_POSTGRES
        origin = "unset, so the local server, which answers"
    if not url:
        return f"{VARIABLE} set empty: every figure on SQLite"
    shown = make_url(url).render_as_string(hide_password=True)
    return (
        f"{VARIABLE}={shown} ({origin}): bench_orders.py and bench_writes.py on PostgreSQL,"
        " bench_http.py on PostgreSQL then SQLite, every other figure on SQLite"
    )


def bench_overview() -> None:
    """The overview page through the whole stack, beside a bare health probe."""
    with tempfile.TemporaryDirectory() as folder:
        client = bench_app(f"sqlite:///{folder}/bench.db").test_client()
        client.get("/launch", query_string={"token": launch_token()})
        page = median_ms(lambda: client.get("/"), 50)
        probe = median_ms(lambda: client.get("/healthz"), 50)
        print(
            f"overview page: {page:.2f} ms median (bare /healthz, same run: {probe:.2f} ms)"
            " (SQLite)"
        )


if __name__ == "__main__":
    print(choose_database())
    bench_overview()
    for extra in sorted(Path(__file__).parent.glob("bench_*.py")):
        print(f"--- {extra.name}")
        namespace: dict[str, object] = {"__name__": "__main__", "__file__": str(extra)}
        exec(compile(extra.read_text(), str(extra), "exec"), namespace)  # noqa: S102  # our own scripts
