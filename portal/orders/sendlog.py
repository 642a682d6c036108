"""The metrics and one JSON log line of each send (never a token nor customer data)."""

from __future__ import annotations

import json
import logging

from portal import metrics
from portal.orders.outcomes import Claim, Kind, Outcome

# One JSON line per send.
send_log = logging.getLogger("portal.relay.sends")


def report(claim: Claim, outcome: Outcome, recorded: str, started: float, worker: str) -> None:
    """Count the send by what was recorded, and log it unless nothing was sent."""
    metrics.RELAY_SENDS.labels(outcome=recorded).inc()
    if outcome.kind is Kind.DEFERRED:
        return
    send_log.info(
        json.dumps(
            {
                "event": "relay.send",
                "started_at": round(started, 3),
                "order_ref": claim.order_ref,
                "relay_id": claim.relay_id,
                "merchant": claim.merchant_ref,
                "outcome": recorded,
                "status_code": outcome.status_code,
                "duration_ms": outcome.duration_ms,
                "attempt": claim.attempts + 1,
                "worker": worker,
            },
            ensure_ascii=False,
        )
    )
