"""Counting sign-in attempts before the password is checked, atomically in the limiter's storage."""

from __future__ import annotations

from limits import RateLimitItem, parse

from portal.extensions import limiter

# Failed sign-ins allowed per e-mail and per address; a successful one is refunded.
LOGIN_LIMIT: RateLimitItem = parse("5/minute")


def _identities(*, email: str, address: str) -> list[tuple[str, ...]]:
    return [("staff-login", "email", email[:320]), ("staff-login", "addr", address)]


def take_attempt(*, email: str, address: str) -> bool:
    """Spend one attempt for this e-mail and this address; False when either is used up.

    Each count is an atomic increment-and-test in the limiter's storage (Redis when
    configured), so parallel requests on any number of workers cannot overshoot it.
    """
    strategy = limiter.limiter
    allowed = [
        strategy.hit(LOGIN_LIMIT, *identity)
        for identity in _identities(email=email, address=address)
    ]
    return all(allowed)


def refund_attempt(*, email: str, address: str) -> None:
    """Give back the attempt of a successful sign-in, so that signing in never locks anyone out."""
    strategy = limiter.limiter
    for identity in _identities(email=email, address=address):
        strategy.hit(LOGIN_LIMIT, *identity, cost=-1)
