"""Send one HTTP request to Pongo within a deadline, retrying only what is safe to retry.

Retries happen on connection failures, timeouts, 429 (honouring Retry-After) and
502/503/504, with exponential backoff and jitter, never past the overall deadline.
A request that may already have reached Pongo (a read timeout, a 5xx) is repeated
only when it is idempotent: a GET, or a POST carrying an Idempotency-Key.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from portal.pongo.errors import TooSlow, Unavailable, UnexpectedResponse, error_for_status
from portal.pongo.settings import PongoSettings

log = logging.getLogger("portal.pongo")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Errors raised before the request left this machine: always safe to try again.
_UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Errors after which Pongo may have acted on the request.
_MAYBE_SENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class Reply:
    """A fully read answer from Pongo."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    def json(self, what: str) -> Any:
        """The body as JSON, or UnexpectedResponse."""
        try:
            return json.loads(self.content)
        except ValueError:
            raise UnexpectedResponse(
                f"{what}: the answer is not JSON", status_code=self.status_code
            ) from None


class _DeadlineExceededError(Exception):
    """The answer was still arriving when the deadline passed."""


class Transport:
    """Deadline, timeouts and retries around one httpx client."""

    def __init__(
        self,
        settings: PongoSettings,
        *,
        http: httpx.Client | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self._own_http = http is None
        self.http = http if http is not None else httpx.Client(follow_redirects=False)
        self.sleep = sleep
        self.clock = clock
        self.jitter = jitter

    def close(self) -> None:
        """Close the HTTP connection pool if this transport opened it."""
        if self._own_http:
            self.http.close()

    def send(self, method: str, url: str, *, what: str, **kwargs: Any) -> Reply:
        """Send the request (see _send), timed and counted for the metrics by endpoint."""
        from portal import metrics  # the metrics module imports Flask; keep this one light

        started = time.perf_counter()
        try:
            reply = self._send(method, url, what=what, **kwargs)
        except Exception as error:
            metrics.observe_pongo(what, time.perf_counter() - started, error)
            raise
        metrics.observe_pongo(
            what, time.perf_counter() - started, None, status_code=reply.status_code
        )
        return reply

    def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        idempotent: bool,
        headers: Callable[[], Mapping[str, str]],
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send the request, retrying transient failures, and return the last answer."""
        settings = self.settings
        started = self.clock()
        deadline_at = started + settings.deadline
        if settings.budget_until is not None:
            deadline_at = min(deadline_at, settings.budget_until)
        attempt = 0
        last_status: int | None = None
        while True:
            remaining = deadline_at - self.clock()
            if remaining <= 0:
                raise TooSlow(f"{what}: no answer within the deadline")
            attempt += 1
            retry_after: float | None = None
            try:
                reply = self._attempt(
                    method,
                    url,
                    remaining=remaining,
                    deadline_at=deadline_at,
                    headers=headers(),
                    params=params,
                    json_body=json_body,
                    form=form,
                )
            except _DeadlineExceededError:
                log.warning("pongo %s: deadline reached while reading (attempt %d)", what, attempt)
                raise TooSlow(f"{what}: no answer within the deadline") from None
            except httpx.TransportError as exc:
                retryable = isinstance(exc, _UNSENT_ERRORS) or (
                    idempotent and isinstance(exc, _MAYBE_SENT_ERRORS)
                )
                log.warning("pongo %s: %s on attempt %d", what, type(exc).__name__, attempt)
                if not retryable or attempt > settings.max_retries:
                    slow = isinstance(exc, httpx.TimeoutException)
                    raise (TooSlow if slow else Unavailable)(
                        f"{what}: {type(exc).__name__} after {attempt} attempt(s)"
                    ) from None
            else:
                log.info("pongo %s: HTTP %d (attempt %d)", what, reply.status_code, attempt)
                if (
                    reply.status_code not in RETRY_STATUSES
                    or not idempotent
                    or attempt > settings.max_retries
                ):
                    return reply
                last_status = reply.status_code
                retry_after = _retry_after_seconds(reply.headers.get("Retry-After"))
            wait = retry_after if retry_after is not None else self._backoff(attempt)
            if self.clock() + wait >= deadline_at:
                if retry_after is not None:
                    raise Unavailable(
                        f"{what}: Pongo asked to wait {wait:.1f} s, past the deadline",
                        status_code=last_status,
                    )
                # Out of time after errors Pongo answered (5xx) is unavailability; after
                # timeouts and lost connections, slowness.
                error = Unavailable if last_status is not None else TooSlow
                raise error(
                    f"{what}: out of time after {attempt} attempt(s)", status_code=last_status
                )
            self.sleep(wait)

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_base * 2.0 ** (attempt - 1))
        return ceiling / 2 + self.jitter() * ceiling / 2

    def _attempt(
        self,
        method: str,
        url: str,
        *,
        remaining: float,
        deadline_at: float,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None,
        json_body: Any,
        form: Mapping[str, str] | None,
    ) -> Reply:
        s = self.settings
        timeout = httpx.Timeout(
            connect=min(s.connect_timeout, remaining),
            read=min(s.read_timeout, remaining),
            write=min(s.read_timeout, remaining),
            pool=min(s.connect_timeout, remaining),
        )
        with self.http.stream(
            method,
            url,
            headers=headers,
            params=params,
            json=json_body,
            data=form,
            timeout=timeout,
        ) as response:
            chunks = []
            # Reading chunk by chunk lets a slowly dripping answer hit the deadline.
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if self.clock() > deadline_at:
                    raise _DeadlineExceededError
            return Reply(response.status_code, response.headers, b"".join(chunks))


def _retry_after_seconds(value: str | None) -> float | None:
    """Read a Retry-After header given in seconds or as an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _pongo_message(reply: Reply) -> str:
    try:
        body = json.loads(reply.content)
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return str(message)[:200] if message else ""


# How much of an error answer is kept for the technical details.
ANSWER_KEPT = 4000


def raise_for_status(reply: Reply, what: str) -> None:
    """Turn an error answer into the matching PongoError."""
    status = reply.status_code
    if 200 <= status < 300:
        return
    detail = f"{what}: Pongo answered HTTP {status}"
    message = _pongo_message(reply)
    if message:
        detail += f" ({message})"
    error = error_for_status(status, detail, field_errors=_field_errors(reply))
    error.answer = reply.content[:ANSWER_KEPT].decode("utf-8", "replace")
    raise error


def _field_errors(reply: Reply) -> dict[str, list[str]]:
    try:
        body = json.loads(reply.content)
    except ValueError:
        return {}
    errors = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(errors, dict):
        return {}
    return {
        str(field): [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for field, messages in errors.items()
    }
