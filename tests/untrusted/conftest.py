"""The portal under gunicorn, talking to the sandbox over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from flask import Flask

from portal.sandbox.server import RunningSandbox
from tests.helpers.api import new_key
from tests.helpers.apps import empty_database, make_app
from tests.helpers.connect import consent
from tests.helpers.databases import BACKENDS
from tests.helpers.launch import launch_token
from tests.helpers.ports import free_port, wait_until_answering
from tests.helpers.sandbox import DEMO_LOGIN
from tests.helpers.settings import TEST_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
# The promise under test: no request a person waits on holds a worker longer than this.
WAIT_LIMIT_S = 5.0


def portal_environ(database_url: str, sandbox_url: str, base_url: str) -> dict[str, str]:
    """The environment a deployed portal reads, from the test settings."""
    return {
        **os.environ,
        "PORTAL_ENV": "test",
        "DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": TEST_SETTINGS["secret_key"],
        "PORTAL_LAUNCH_SECRET": TEST_SETTINGS["launch_secret"],
        "PORTAL_LAUNCH_ISSUER": TEST_SETTINGS["launch_issuer"],
        "PORTAL_ENCRYPTION_KEYS": TEST_SETTINGS["encryption_keys"],
        "PONGO_CLIENT_SECRET": TEST_SETTINGS["pongo_client_secret"],
        "PORTAL_POS_ADMIN_ORIGIN": TEST_SETTINGS["pos_admin_origin"],
        "PORTAL_BASE_URL": base_url,
        "PONGO_BASE_URL": sandbox_url,
        # The code of this checkout, whichever checkout the virtualenv was installed from.
        "PYTHONPATH": str(ROOT),
        # Each test's visitor comes from its own address, so rate limits never mix tests up.
        "PORTAL_PROXY_HOPS": "1",
    }


@dataclass
class Served:
    """A running gunicorn portal, the app on the same database, and a key for its API."""

    url: str
    app: Flask
    api_key: str


@pytest.fixture(scope="module", params=BACKENDS)
def served_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per module and backend: starting gunicorn for each test would be slow."""
    with empty_database(request.param, tmp_path_factory.mktemp("served")) as url:
        yield url


@pytest.fixture(scope="module")
def served(
    served_database: str, sandbox: RunningSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The portal as deployed: gunicorn workers in their own process, tables created first."""
    database_url = served_database
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    app = make_app(database_url, pongo_base_url=sandbox.url)
    key = new_key(app)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            str(GUNICORN),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "60",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=portal_environ(database_url, sandbox.url, url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        if not wait_until_answering(f"{url}/healthz", process, 30):
            pytest.fail((tmp_path / "gunicorn.log").read_text())
        yield Served(url, app, key)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


class Visitor:
    """A person's browser on the served portal, over HTTP: cookies kept, answers timed, checked."""

    def __init__(self, base_url: str) -> None:
        address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
        self.http = httpx.Client(
            base_url=base_url, timeout=30, headers={"X-Forwarded-For": address}
        )
        self.slowest = 0.0

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request; fail on a server error or an answer slower than the limit."""
        started = time.monotonic()
        response = self.http.request(method, path, **kwargs)
        took = time.monotonic() - started
        self.slowest = max(self.slowest, took)
        assert took < WAIT_LIMIT_S, f"{method} {path} held a worker {took:.1f} s"
        return response

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def csrf(self, path: str) -> str:
        """The CSRF token of this session, from a rendered form."""
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def follow(self, response: httpx.Response) -> httpx.Response:
        """Follow one redirect on the portal, as a browser would."""
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        target = urlsplit(response.headers["Location"])
        return self.get(f"{target.path}?{target.query}" if target.query else target.path)

    def launch(self, **claims: Any) -> httpx.Response:
        """Enter the portal from the POS admin panel."""
        return self.get("/launch", params={"token": launch_token(**claims)})

    def connect(self, pongo: httpx.Client, merchant_ref: str = "M1") -> httpx.Response:
        """Launch and connect Pongo through the sandbox's OAuth form; the callback's answer."""
        assert self.launch(merchant_ref=merchant_ref).status_code == 302
        start = self.post("/connect/start", data={"csrf_token": self.csrf("/connect/")})
        assert start.status_code == 302, start.text[:500]
        back = urlsplit(consent(pongo, start.headers["Location"]))
        return self.get(f"{back.path}?{back.query}")

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def visitor(served: Served) -> Iterator[Visitor]:
    """A fresh person, with their own browser, on the served portal."""
    person = Visitor(served.url)
    yield person
    person.close()


def set_account_list(pongo: httpx.Client, field: str, items: list[Any]) -> None:
    """Replace the demo account's stores or rewards with whatever Pongo might send."""
    answer = pongo.put(
        f"/_sandbox/accounts/{DEMO_LOGIN}/{field}", json={field: items, "unchecked": True}
    )
    assert answer.status_code == 200, answer.text


def add_fault(pongo: httpx.Client, **fault: Any) -> None:
    """Script the sandbox's next answer on a path."""
    answer = pongo.post("/_sandbox/faults", json=fault)
    assert answer.status_code == 201, answer.text
