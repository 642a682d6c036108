"""What one send of an order came to, and the one table from Pongo's errors to those outcomes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from portal.pongo import (
    MissingScope,
    NeedsReconnection,
    PongoError,
    Unavailable,
    UnexpectedResponse,
    ValidationFailed,
)
from portal.pongo.connection import NotConnected
from portal.pongo.merchant import OutdatedToken
from portal.pongo.models import OrderReceipt

MAX_ERROR = 2000


@dataclass(frozen=True)
class Claim:
    """An outbox row this worker has leased."""

    id: int
    relay_id: str
    merchant_id: int
    token: str
    attempts: int
    payload: dict[str, Any]
    order_ref: str = ""
    merchant_ref: str = ""
    answer_lost: bool = False
    confirming: bool = False


class Kind(StrEnum):
    """What came of one send."""

    DELIVERED = "delivered"
    RETRY = "retry"
    FAILED = "failed"
    PAUSED = "paused"
    # Nothing was sent (the breaker refused, or the connection was replaced meanwhile):
    # no attempt is counted.
    DEFERRED = "deferred"


@dataclass(frozen=True)
class Outcome:
    """The result of sending one claimed order."""

    kind: Kind
    detail: str | None = None
    status_code: int | None = None
    pongo_order_id: str | None = None
    answer: dict[str, Any] | None = None
    duration_ms: int | None = None
    retry_in: float = 0.0
    # Pongo may have taken the order although no answer said so.
    answer_lost: bool = False


def clip(text: str) -> str:
    """The text cut to what a row keeps."""
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


def rejection(error: Exception) -> str:
    """Pongo's refusal with its field errors, as the order's failure reason."""
    reason = f"Pongo rejected the order (HTTP {getattr(error, 'status_code', None)}): {error}"
    if isinstance(error, ValidationFailed) and error.field_errors:
        fields = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in error.field_errors.items()
        )
        reason += f" — {fields}"
    return clip(reason)


def pongo_answer(error: Exception) -> dict[str, Any]:
    """Pongo's refusal as kept on the order: HTTP status, raw answer and field errors."""
    return {
        "status_code": getattr(error, "status_code", None),
        "body": getattr(error, "answer", None),
        "field_errors": getattr(error, "field_errors", None) or {},
    }


@dataclass(frozen=True)
class Rule:
    """One row of the table: an error (and a condition on the claim) and what it means."""

    error: type[Exception]
    kind: Kind
    detail: Callable[[Exception], str]
    keeps_answer: bool = False
    # Pongo may have taken the order although the answer did not say so.
    answer_lost: bool = False
    when: Callable[[Exception, Claim], bool] = lambda error, claim: True


def _said(text: str) -> Callable[[Exception], str]:
    return lambda error: text


# The first row whose error and condition match decides. Pongo's health is not here:
# the merchant's client records it for every call (see MerchantPongo).
RULES: tuple[Rule, ...] = (
    # A 401 or 403 to a token of a connection the merchant has since replaced: sent again
    # at once with the new one, nothing paused.
    Rule(OutdatedToken, Kind.DEFERRED, _said("reconnected meanwhile")),
    # Sending again cannot succeed until the merchant reconnects (and grants the
    # permission): the merchant's orders wait for the reconnection.
    Rule(
        MissingScope,
        Kind.PAUSED,
        _said("Pongo did not grant the order.create permission; reconnect Pongo."),
    ),
    Rule(NotConnected, Kind.PAUSED, _said("The merchant is not connected to Pongo.")),
    Rule(
        NeedsReconnection,
        Kind.PAUSED,
        _said("Pongo no longer accepts the merchant's connection; reconnect Pongo."),
    ),
    Rule(Unavailable, Kind.RETRY, str, keeps_answer=True, answer_lost=True),
    # Pongo answered, so it is up; the order may or may not have been taken, and sending
    # it again is safe.
    Rule(UnexpectedResponse, Kind.RETRY, str, answer_lost=True),
    # Pongo is still busy with the earlier send of this order.
    Rule(
        PongoError,
        Kind.RETRY,
        rejection,
        keeps_answer=True,
        when=lambda error, claim: claim.answer_lost and getattr(error, "status_code", 0) == 409,
    ),
    # A 4xx about this order (422, 400, 404...): sending it again would get the same
    # answer. It fails (after a confirming send if Pongo may have it).
    Rule(PongoError, Kind.FAILED, rejection, keeps_answer=True),
    # One bad row must not stop the worker.
    Rule(
        Exception,
        Kind.RETRY,
        lambda error: f"internal error: {type(error).__name__}",
        answer_lost=True,
    ),
)


def outcome_of(error: Exception, claim: Claim, duration_ms: int) -> Outcome:
    """What a send that raised `error` came to, by the first matching row of RULES."""
    rule = next(r for r in RULES if isinstance(error, r.error) and r.when(error, claim))
    if rule.kind is Kind.DEFERRED:
        return Outcome(Kind.DEFERRED, detail=rule.detail(error))
    return Outcome(
        rule.kind,
        rule.detail(error),
        status_code=getattr(error, "status_code", None),
        answer=pongo_answer(error) if rule.keeps_answer else None,
        duration_ms=duration_ms,
        answer_lost=rule.answer_lost,
    )


def delivered(receipt: OrderReceipt, duration_ms: int) -> Outcome:
    """A send Pongo took (its 202 "already processed" included)."""
    return Outcome(
        Kind.DELIVERED,
        detail="already processed" if receipt.already_processed else None,
        status_code=receipt.status_code,
        pongo_order_id=receipt.pongo_id,
        answer={
            "status_code": receipt.status_code,
            "id": receipt.pongo_id,
            "already_processed": receipt.already_processed,
        },
        duration_ms=duration_ms,
    )
