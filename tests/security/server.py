"""The portal served by gunicorn with several workers, for tests over real HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.ports import free_port, wait_until_answering
from tests.helpers.settings import TEST_SETTINGS

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def portal_environ(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a portal process on the given database, with the test secrets."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "PONGO_"))}
    environ.update(
        {
            "PORTAL_ENV": "test",
            "PORTAL_SECRET_KEY": TEST_SETTINGS["secret_key"],
            "PORTAL_LAUNCH_SECRET": TEST_SETTINGS["launch_secret"],
            "PORTAL_ENCRYPTION_KEYS": TEST_SETTINGS["encryption_keys"],
            "PONGO_CLIENT_SECRET": TEST_SETTINGS["pongo_client_secret"],
            "DATABASE_URL": database_url,
            "REDIS_URL": "",
        }
    )
    environ.update(extra)
    return environ


def portal_command(environ: dict[str, str], *args: str) -> str:
    """Run `portal <args>` and return what it printed."""
    done = subprocess.run(
        [str(BIN / "portal"), *args],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@dataclass(frozen=True)
class Server:
    """A running gunicorn."""

    url: str
    log: Path


@contextmanager
def gunicorn(environ: dict[str, str], log: Path, *, workers: int = 4) -> Iterator[Server]:
    """Serve `wsgi:app` on a free loopback port until the block ends."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "wsgi:app",
            ],
            env=environ,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_answering(f"{url}/healthz", process, 60, probe_timeout=2):
            raise RuntimeError(f"gunicorn did not start: {log.read_text()}")
        yield Server(url=url, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
