"""One `merchant.status_changed` event: its body, its signed POST, and what its answer means.

The body is written once, when the event is first sent, and every redelivery sends the
same bytes with a fresh signature: the receiver deduplicates on `id`. Any 2xx answer is a
delivery; anything else (another status, a refused connection, a time-out) is tried again
later, since the event may be needed whatever the receiver's trouble was.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from portal.pos_status.signature import HEADER, sign

EVENT_TYPE = "merchant.status_changed"
# Kept of a refusal: enough to recognise it on the support page, never a whole page.
MAX_DETAIL = 200


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_body(
    *, event_id: str, merchant_ref: str, occurred_at: datetime, summary: dict[str, Any]
) -> str:
    """The event's JSON body; its summary is the summary API's, changed at the event's time."""
    return json.dumps(
        {
            "id": event_id,
            "type": EVENT_TYPE,
            "merchant": merchant_ref,
            "occurred_at": _iso(occurred_at),
            "summary": {**summary, "changed_at": _iso(occurred_at)},
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


@dataclass(frozen=True)
class Answer:
    """What came of one POST of an event."""

    delivered: bool
    status_code: int | None = None
    detail: str | None = None
    duration_ms: int = 0


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def post_event(
    http: httpx.Client,
    *,
    url: str,
    secrets: list[str],
    event_id: str,
    body: str,
    timeout: float,
    clock: Any = time.time,
) -> Answer:
    """POST one event, signed now; never raises for the receiver's trouble."""
    raw = body.encode()
    headers = {
        "Content-Type": "application/json",
        HEADER: sign(secrets, int(clock()), raw),
        "Portal-Event-Id": event_id,
    }
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        answer = http.post(url, content=raw, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return Answer(False, detail=f"no answer within {timeout:g} s", duration_ms=elapsed())
    except httpx.HTTPError as error:
        return Answer(
            False, detail=_clip(f"{type(error).__name__}: {error}"), duration_ms=elapsed()
        )
    if answer.is_success:
        return Answer(True, status_code=answer.status_code, duration_ms=elapsed())
    return Answer(
        False,
        status_code=answer.status_code,
        detail=f"HTTP {answer.status_code}",
        duration_ms=elapsed(),
    )


def backoff(attempts: int, *, base: float, cap: float, jitter: float) -> float:
    """Seconds before the next try: doubling from `base`, at most `cap`, jittered upwards."""
    ceiling = min(cap, base * 2.0 ** max(0, attempts - 1))
    return float(ceiling / 2 + jitter * ceiling / 2)
