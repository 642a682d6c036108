"""The circuit breaker on its own, with a hand-driven clock."""

from __future__ import annotations

import pytest

from portal.orders.breaker import BreakerState, CircuitBreaker, CircuitOpen
from portal.pongo import Unavailable, ValidationFailed


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def down() -> None:
    raise Unavailable("create_order: Pongo answered HTTP 503", status_code=503)


def is_down(error: Exception) -> bool:
    return isinstance(error, Unavailable)


def breaker(clock: Clock, failures: int = 5) -> CircuitBreaker:
    return CircuitBreaker(failure_threshold=failures, reset_timeout=30, clock=clock)


def fail(b: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(Unavailable):
            b.call(down, is_failure=is_down)


def opened() -> tuple[Clock, CircuitBreaker]:
    """A breaker opened by five failures at time 0, and its clock."""
    clock = Clock()
    b = breaker(clock)
    fail(b, 5)
    return clock, b


def test_opens_after_n_consecutive_failures() -> None:
    """SEC-31: opens after n consecutive failures."""
    b = breaker(Clock())
    fail(b, 4)
    assert b.state is BreakerState.CLOSED
    fail(b, 1)
    assert b.state is BreakerState.OPEN


def test_open_breaker_fails_fast_without_calling() -> None:
    """SEC-31: open breaker fails fast without calling."""
    _, b = opened()
    calls: list[int] = []
    with pytest.raises(CircuitOpen) as refused:
        b.call(lambda: calls.append(1), is_failure=is_down)
    assert calls == []
    assert refused.value.retry_in == pytest.approx(30)


def test_a_success_resets_the_count() -> None:
    """SEC-31: a success resets the count."""
    b = breaker(Clock())
    fail(b, 4)
    b.call(lambda: None, is_failure=is_down)
    fail(b, 4)
    assert b.state is BreakerState.CLOSED


def test_a_refusal_by_pongo_proves_it_is_up() -> None:
    b = breaker(Clock(), failures=2)
    fail(b, 1)

    def refused() -> None:
        raise ValidationFailed("422", field_errors={})

    with pytest.raises(ValidationFailed):
        b.call(refused, is_failure=is_down)
    fail(b, 1)
    assert b.state is BreakerState.CLOSED


def test_half_opens_after_the_reset_timeout_with_one_trial() -> None:
    """SEC-31: half opens after the reset timeout with one trial."""
    clock, b = opened()
    clock.now = 30.0
    assert b.state is BreakerState.HALF_OPEN
    b.before_call()  # the trial
    with pytest.raises(CircuitOpen):
        b.before_call()  # a second caller meanwhile is refused
    b.succeeded()
    assert b.state is BreakerState.CLOSED


def test_failed_trial_opens_again_for_a_full_timeout() -> None:
    """SEC-31: failed trial opens again for a full timeout."""
    clock, b = opened()
    clock.now = 31.0
    fail(b, 1)
    assert b.state is BreakerState.OPEN
    clock.now = 60.0
    assert b.state is BreakerState.OPEN
    clock.now = 61.0
    assert b.state is BreakerState.HALF_OPEN


def test_trial_refused_locally_frees_the_slot() -> None:
    clock, b = opened()
    clock.now = 30.0
    b.before_call()
    b.released()
    b.before_call()
    assert b.state is BreakerState.HALF_OPEN
