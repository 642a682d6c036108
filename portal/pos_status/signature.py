"""The `Portal-Signature` header of events: `t=<unix time>,v1=<hex HMAC-SHA256>`.

The MAC covers `"<t>.<raw body>"` with the shared secret, as Stripe's and Pongo's webhook
signatures do: the timestamp is signed with the body, so a receiver that refuses old
timestamps refuses a captured request played again later. A header may carry several `v1`
values (one per secret while a secret is being replaced); one match is enough.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Portal-Signature"
SCHEME = "v1"
# How far a signature's time may be from the receiver's clock, either way.
DEFAULT_TOLERANCE = 300


class InvalidSignature(ValueError):
    """The header is missing, malformed, too old, or signed with another secret or body."""


def mac(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>.<body>"` under `secret`."""
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secrets: list[str], timestamp: int, body: bytes) -> str:
    """The header value for `body` sent at `timestamp`, one `v1` per secret."""
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    return ",".join([f"t={timestamp}", *(f"{SCHEME}={mac(s, timestamp, body)}" for s in secrets)])


def parse(header: str) -> tuple[int, list[str]]:
    """The timestamp and the `v1` values of a header; InvalidSignature when malformed."""
    timestamp: int | None = None
    macs: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise InvalidSignature("malformed signature header")
        if key == "t":
            if timestamp is not None or not value.isdigit():
                raise InvalidSignature("malformed timestamp")
            timestamp = int(value)
        elif key == SCHEME:
            macs.append(value)
    if timestamp is None:
        raise InvalidSignature("no timestamp")
    if not macs:
        raise InvalidSignature(f"no {SCHEME} signature")
    return timestamp, macs


def verify(
    secret: str, header: str, body: bytes, *, now: float, tolerance: int = DEFAULT_TOLERANCE
) -> int:
    """Check a header against the raw body and the clock; returns its timestamp.

    Raises InvalidSignature when no `v1` value matches, or when the timestamp is more than
    `tolerance` seconds away from `now`.
    """
    timestamp, macs = parse(header)
    expected = mac(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, given) for given in macs):
        raise InvalidSignature("signature does not match")
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature("timestamp outside the tolerance")
    return timestamp
