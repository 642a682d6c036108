"""Reading the whole database as text: `pg_dump` of the test's schema, or SQLite's dump."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from tests.helpers.databases import POSTGRES_URL


def schema_of(url: URL) -> str:
    """The private schema a test's PostgreSQL URL puts first on the search path."""
    option = url.query["options"]
    return str(option if isinstance(option, str) else option[0]).split("search_path=", 1)[1]


def _pg_args(url: URL) -> list[str]:
    return [
        "-h",
        url.host or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]


def pg_dump(url: URL, *extra: str) -> bytes:
    """pg_dump of the URL's schema (plain SQL unless `extra` says otherwise)."""
    command = ["pg_dump", *_pg_args(url), "-n", schema_of(url), *extra, str(url.database)]
    return subprocess.run(command, check=True, capture_output=True).stdout


def dump_database(app: Flask) -> str:
    """Everything the app's database holds, as SQL text."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database)) as connection:
            return "\n".join(connection.iterdump())
    return pg_dump(url).decode()


@contextmanager
def restored_copy(app: Flask, backup: Path) -> Iterator[str]:
    """A fresh database restored from `backup` (made by `take_backup`); yields its URL."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        target = backup.with_name(f"restored-{uuid.uuid4().hex[:6]}.db")
        with sqlite3.connect(str(backup)) as source, sqlite3.connect(str(target)) as copy:
            source.backup(copy)
        yield f"sqlite:///{target}"
        return
    name = f"r_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        subprocess.run(
            ["pg_restore", *_pg_args(url), "--no-owner", "-d", name, str(backup)],
            check=True,
            capture_output=True,
        )
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        from tests.helpers.apps import dispose_apps

        dispose_apps()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def take_backup(app: Flask, folder: Path) -> Path:
    """A backup of the app's database: pg_dump's custom format, or SQLite's online backup."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    target = folder / f"backup-{uuid.uuid4().hex[:6]}"
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database)) as source, sqlite3.connect(str(target)) as copy:
            source.backup(copy)
        return target
    target.write_bytes(pg_dump(url, "-Fc"))
    return target
