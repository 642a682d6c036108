"""`Portal-Signature`: HMAC-SHA256 over "<t>.<body>", checked against a tolerance."""

from __future__ import annotations

import hashlib
import hmac
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.pos_status.signature import InvalidSignature, parse, sign, verify

SECRET = "whsec_test_0123456789"
BODY = b'{"id":"evt_1","type":"merchant.status_changed"}'
T = 1_765_000_000


def test_the_header_is_the_documented_hmac_of_time_and_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign([SECRET], T, BODY) == f"t={T},v1={expected}"


def test_a_signature_within_the_tolerance_is_accepted_either_way() -> None:
    header = sign([SECRET], T, BODY)
    assert verify(SECRET, header, BODY, now=T + 300, tolerance=300) == T
    assert verify(SECRET, header, BODY, now=T - 300, tolerance=300) == T


@pytest.mark.parametrize("offset", [301, -301, 86_400])
def test_a_signature_outside_the_tolerance_is_refused_as_a_replay(offset: int) -> None:
    header = sign([SECRET], T, BODY)
    with pytest.raises(InvalidSignature, match="tolerance"):
        verify(SECRET, header, BODY, now=T + offset, tolerance=300)


def test_another_secret_or_a_changed_body_or_time_is_refused() -> None:
    header = sign([SECRET], T, BODY)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify("another-secret", header, BODY, now=T)
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(SECRET, header, BODY + b" ", now=T)
    moved = header.replace(f"t={T}", f"t={T + 1}")
    with pytest.raises(InvalidSignature, match="does not match"):
        verify(SECRET, moved, BODY, now=T)


def test_while_a_secret_is_replaced_either_secret_verifies() -> None:
    header = sign(["new-secret", "old-secret"], T, BODY)
    assert header.count("v1=") == 2
    assert verify("old-secret", header, BODY, now=T) == T
    assert verify("new-secret", header, BODY, now=T) == T


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("", "malformed"),
        ("v1=abc", "no timestamp"),
        (f"t={T}", "no v1"),
        ("t=soon,v1=abc", "malformed timestamp"),
        (f"t={T},t={T},v1=abc", "malformed timestamp"),
    ],
)
def test_a_malformed_header_is_refused_with_its_reason(header: str, reason: str) -> None:
    with pytest.raises(InvalidSignature, match=reason):
        verify(SECRET, header, BODY, now=T)


@given(st.binary(max_size=2000), st.text(min_size=1, max_size=40), st.integers(0, 2**40))
def test_what_is_signed_verifies_and_any_other_body_does_not(
    body: bytes, secret: str, timestamp: int
) -> None:
    header = sign([secret], timestamp, body)
    assert verify(secret, header, body, now=timestamp) == timestamp
    with pytest.raises(InvalidSignature):
        verify(secret, header, body + b"x", now=timestamp)


def readme_block(language: str, containing: str) -> str:
    """The README's code block in `language` that holds `containing`."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    blocks = re.findall(rf"```{language}\n(.*?)```", readme, re.S)
    found = [block for block in blocks if containing in block]
    assert len(found) == 1, containing
    return found[0]


def test_the_readmes_python_verification_accepts_what_the_portal_signs() -> None:
    namespace: dict[str, Any] = {}
    exec(readme_block("python", "def verify"), namespace)  # noqa: S102  # the README's own code
    verify_readme = namespace["verify"]
    now = int(time.time())
    header = sign([SECRET, "old-secret"], now, BODY)
    assert verify_readme(SECRET, header, BODY)
    assert verify_readme("old-secret", header, BODY)
    assert not verify_readme("another-secret", header, BODY)
    assert not verify_readme(SECRET, header, BODY + b" ")
    assert not verify_readme(SECRET, sign([SECRET], now - 301, BODY), BODY)
    assert not verify_readme(SECRET, "v1=abc", BODY)


def test_the_readmes_shell_recipe_gives_the_v1_value(tmp_path: Path) -> None:
    recipe = readme_block("sh", "PORTAL_POS_WEBHOOK_SECRET").strip()
    (tmp_path / "body.json").write_bytes(BODY)
    shell = subprocess.run(
        ["sh", "-c", recipe],
        cwd=tmp_path,
        env={"T": str(T), "PORTAL_POS_WEBHOOK_SECRET": SECRET, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert shell.split()[-1] == parse(sign([SECRET], T, BODY))[1][0]
