"""When to send an order again and when to give up: a pure function of the claim and outcome.

Giving up: a send whose answer was lost (a time-out or a 5xx, or a worker that died
mid-send) may have reached Pongo, so the row remembers it (`answer_lost`). An order is
never failed on the answer of such a send alone: when its attempts are used up, or when
Pongo answers a 4xx to an order whose earlier answer was lost, one confirming send
follows the usual backoff. Pongo answers 202 "already processed" for an order it has,
so the confirming send marks it delivered; only if that send fails too is the order
failed, its reason saying that an earlier answer was lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.config import RelaySettings
from portal.models.orders import RelayStatus
from portal.orders.outcomes import Claim, Kind, Outcome, clip


@dataclass(frozen=True)
class Decision:
    """What becomes of the row after one send.

    `status` None keeps it pending; `wait` is the seconds before it is due again (None:
    unchanged); `counted` says whether the send is logged as an attempt; `recorded` is what
    that log says.
    """

    recorded: str
    status: RelayStatus | None = None
    wait: float | None = None
    counted: bool = True
    last_error: str | None = None
    answer_lost: bool = False
    confirming: bool = False


def backoff(attempts: int, settings: RelaySettings, jitter: float) -> float:
    """Seconds before the next try: exponential, capped, spread over its upper half by `jitter`."""
    ceiling = min(
        settings.backoff_cap_seconds, settings.backoff_seconds * 2.0 ** max(0, attempts - 1)
    )
    return float(ceiling / 2 + jitter * ceiling / 2)


def decide(claim: Claim, outcome: Outcome, settings: RelaySettings, jitter: float) -> Decision:
    """The row's fate after `outcome`; `jitter` in [0, 1] places the backoff in its range."""
    attempts = claim.attempts + 1
    lost = claim.answer_lost or outcome.answer_lost
    kind = outcome.kind
    if kind is Kind.DELIVERED:
        return Decision(RelayStatus.DELIVERED, status=RelayStatus.DELIVERED)
    if kind is Kind.PAUSED:
        return Decision(RelayStatus.PAUSED, status=RelayStatus.PAUSED, last_error=outcome.detail)
    if kind is Kind.DEFERRED:
        return Decision(Kind.DEFERRED, wait=max(0.0, outcome.retry_in), counted=False)
    gives_up = kind is Kind.FAILED or attempts >= max(1, settings.max_attempts)
    if gives_up and lost and not claim.confirming:
        # Pongo may have the order: one confirming send before giving up.
        return Decision(
            Kind.RETRY,
            wait=backoff(attempts, settings, jitter),
            last_error=clip(
                f"{outcome.detail} — an earlier answer was lost;"
                " one confirming send before giving up"
            ),
            answer_lost=True,
            confirming=True,
        )
    if kind is Kind.FAILED:
        reason = outcome.detail or "Pongo rejected the order"
        if lost:
            reason += (
                " — an earlier send's answer was lost: check at Pongo whether it has"
                " this order before sending it again"
            )
        return Decision(
            RelayStatus.FAILED, status=RelayStatus.FAILED, last_error=clip(reason), answer_lost=lost
        )
    if gives_up:
        return Decision(
            RelayStatus.FAILED,
            status=RelayStatus.FAILED,
            last_error=clip(f"Gave up after {attempts} attempts: {outcome.detail}"),
            answer_lost=lost,
        )
    return Decision(
        Kind.RETRY,
        wait=backoff(attempts, settings, jitter),
        last_error=outcome.detail,
        answer_lost=lost,
    )
