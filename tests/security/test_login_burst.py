"""SEC-34: the staff sign-in limit holds under a parallel burst on several gunicorn workers."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis

from tests.security.server import gunicorn, portal_command, portal_environ

REDIS_URL = "redis://127.0.0.1:6379/13"
BURST = 24
LIMIT = 5


def _storage() -> redis.Redis:
    try:
        store = redis.Redis.from_url(REDIS_URL)
        store.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return store


def _signed_out_client(url: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/support/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return client, found.group(1)


def test_parallel_burst_checks_at_most_five_passwords(tmp_path: Path) -> None:
    """24 simultaneous sign-ins for one e-mail: at most 5 reach the password; then all refused."""
    _storage().flushdb()
    environ = portal_environ(f"sqlite:///{tmp_path / 'portal.db'}", REDIS_URL=REDIS_URL)
    portal_command(environ, "init-db")
    printed = portal_command(environ, "create-staff", "--generate", "agent@pos.example")
    password = printed.rsplit(": ", 1)[1].strip()

    with gunicorn(environ, tmp_path / "gunicorn.log", workers=4) as server:
        clients = [_signed_out_client(server.url) for _ in range(BURST)]
        start = threading.Barrier(BURST)

        def attempt(pair: tuple[httpx.Client, str]) -> int:
            client, token = pair
            start.wait()
            form = {
                "email": "agent@pos.example",
                "password": "wrong password!",
                "csrf_token": token,
            }
            return client.post("/support/login", data=form).status_code

        with ThreadPoolExecutor(BURST) as pool:
            statuses = list(pool.map(attempt, clients))
        checked = [s for s in statuses if s != 429]
        assert 0 < len(checked) <= LIMIT, statuses
        assert set(checked) == {422}

        client, token = clients[0]
        right = {"email": "agent@pos.example", "password": password, "csrf_token": token}
        assert client.post("/support/login", data=right).status_code == 429
        assert client.get("/support/").status_code == 302  # still signed out
        for client, _token in clients:
            client.close()
