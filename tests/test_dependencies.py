"""Dependencies stay at or above the versions that fixed known advisories (SEC-36)."""

from __future__ import annotations

from importlib.metadata import version

import pytest


def as_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


@pytest.mark.parametrize(
    ("package", "minimum"),
    [
        (
            "authlib",
            "1.6.11",
        ),  # OAuth state CSRF advisories (GHSA-fg6f-75jq-6523, GHSA-jj8c-mmj3-mmgv)
        ("flask", "2.3.2"),  # missing Vary: Cookie (CVE-2023-30861)
        ("cryptography", "43.0.0"),
    ],
)
def test_dependency_is_at_a_fixed_version(package: str, minimum: str) -> None:
    assert as_tuple(version(package)) >= as_tuple(minimum)
