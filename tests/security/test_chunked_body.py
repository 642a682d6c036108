"""A body over the size limit is refused with 413 whatever its framing, chunked included."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.security.server import Server, gunicorn, portal_command, portal_environ

MB = 1024 * 1024


def _chunks(head: bytes, padding: int) -> Iterator[bytes]:
    yield head
    sent = 0
    while sent < padding:
        step = min(64 * 1024, padding - sent)
        yield b" " * step
        sent += step


def _put(server: Server, key: str, body: Iterator[bytes] | bytes, *, chunked: bool) -> int:
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    try:
        connection.request(
            "PUT", "/api/v1/merchants/M1", body=body, headers=headers, encode_chunked=chunked
        )
        return connection.getresponse().status
    finally:
        connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """Gunicorn with a 1 MB body limit, and an API key."""
    folder: Path = tmp_path_factory.mktemp("chunked")
    environ = portal_environ(f"sqlite:///{folder / 'portal.db'}", PORTAL_MAX_BODY_MB="1")
    portal_command(environ, "init-db")
    key = portal_command(environ, "create-api-key", "pos-backend").strip().splitlines()[0]
    with gunicorn(environ, folder / "gunicorn.log", workers=2) as running:
        yield running, key


HEAD = json.dumps({"name": "Boulangerie Lumière"}).encode()


def test_chunked_body_over_the_limit_is_refused(server: tuple[Server, str]) -> None:
    running, key = server
    assert _put(running, key, _chunks(HEAD, 2 * MB), chunked=True) == 413


def test_chunked_body_just_over_the_limit_is_refused(server: tuple[Server, str]) -> None:
    running, key = server
    assert _put(running, key, _chunks(HEAD, MB - len(HEAD) + 1), chunked=True) == 413


def test_chunked_body_within_the_limit_is_accepted(server: tuple[Server, str]) -> None:
    running, key = server
    assert _put(running, key, _chunks(HEAD, MB - len(HEAD)), chunked=True) in (200, 201)


def test_declared_length_over_the_limit_is_refused(server: tuple[Server, str]) -> None:
    running, key = server
    assert _put(running, key, HEAD + b" " * (2 * MB), chunked=False) == 413
