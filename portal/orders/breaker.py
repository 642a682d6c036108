"""A circuit breaker for Pongo as a whole: stop calling while it is down, probe it now and then.

Closed: calls go through; `failure_threshold` consecutive failures open it. Open: calls
fail fast with CircuitOpen, without any HTTP. After `reset_timeout` it half-opens: one
trial call goes through; its success closes the breaker, its failure opens it again.
The state lives in the worker process (each worker probes Pongo on its own).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from portal.pongo.errors import Health

T = TypeVar("T")


class BreakerState(StrEnum):
    """The three states of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """The breaker refused the call; `retry_in` seconds until it lets a trial through."""

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"Pongo looks unavailable; next trial in {retry_in:.1f} s")
        self.retry_in = retry_in


class CircuitBreaker:
    """Counts consecutive failures of one upstream and fails fast while it is down."""

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        """The state now (an open breaker past its timeout reads as half-open)."""
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.reset_timeout:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def before_call(self) -> None:
        """Let the call through, or raise CircuitOpen; in half-open, only one trial at a time."""
        with self._lock:
            state = self._state()
            if state is BreakerState.CLOSED:
                return
            assert self._opened_at is not None
            if state is BreakerState.OPEN:
                raise CircuitOpen(self._opened_at + self.reset_timeout - self._clock())
            if self._trial_running:
                raise CircuitOpen(self.reset_timeout)
            self._trial_running = True

    def succeeded(self) -> None:
        """The call worked (or failed for a reason that says nothing of Pongo's health)."""
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def failed(self) -> None:
        """The call failed because Pongo is unavailable."""
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.failure_threshold:
                self._opened_at = self._clock()
            self._trial_running = False

    def released(self) -> None:
        """The call never reached Pongo (refused locally): no verdict, the trial slot frees."""
        with self._lock:
            self._trial_running = False

    def observe(self, health: Health) -> None:
        """Take what one call showed of the upstream's health."""
        if health is Health.UP:
            self.succeeded()
        elif health is Health.DOWN:
            self.failed()
        else:
            self.released()

    def call(self, action: Callable[[], T], *, is_failure: Callable[[Exception], bool]) -> T:
        """Run `action` through the breaker; exceptions for which is_failure is true count."""
        self.before_call()
        try:
            result = action()
        except Exception as error:
            # Any other answer from Pongo (a 4xx, say) proves it is up.
            if is_failure(error):
                self.failed()
            else:
                self.succeeded()
            raise
        self.succeeded()
        return result
