"""The operator's verbs on a database that was never migrated: one line, not a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.untrusted.conftest import GUNICORN, ROOT, portal_environ

PORTAL = GUNICORN.parent / "portal"


@pytest.mark.parametrize(
    "verb",
    [
        ["launch-url", "M1", "--name", "Lumière"],
        ["create-api-key", "pos-backend"],
        ["create-staff", "ops@example.com", "--role", "support", "--generate"],
    ],
)
def test_a_verb_on_an_empty_database_says_to_migrate(
    database_url: str, tmp_path: Path, verb: list[str]
) -> None:
    done = subprocess.run(
        [str(PORTAL), *verb],
        cwd=ROOT,
        env=portal_environ(database_url, "http://127.0.0.1:9", "http://127.0.0.1:5000"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "Error: The database has no tables yet: run `portal db upgrade`"
    ], done.stderr
