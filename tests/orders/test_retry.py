"""The retry decision and the error table, as pure functions: properties over every input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.config import RelaySettings
from portal.models.orders import RelayStatus
from portal.orders.outcomes import Claim, Kind, Outcome, outcome_of
from portal.orders.retry import backoff, decide
from portal.pongo import (
    MissingScope,
    NeedsReconnection,
    Unavailable,
    UnexpectedResponse,
    ValidationFailed,
)
from portal.pongo.connection import NotConnected
from portal.pongo.errors import Health, health_of
from portal.pongo.merchant import OutdatedToken

claims = st.builds(
    Claim,
    id=st.integers(1, 10**6),
    relay_id=st.just("r"),
    merchant_id=st.just(1),
    token=st.just("t"),
    attempts=st.integers(0, 30),
    payload=st.just({}),
    answer_lost=st.booleans(),
    confirming=st.booleans(),
)
outcomes = st.builds(
    Outcome,
    kind=st.sampled_from(Kind),
    detail=st.text(max_size=30),
    retry_in=st.floats(-10, 100),
    answer_lost=st.booleans(),
)
settings = st.builds(
    RelaySettings,
    max_attempts=st.integers(1, 15),
    backoff_seconds=st.floats(0.1, 100),
    backoff_cap_seconds=st.floats(1, 5000),
)
jitters = st.floats(0, 1)


@given(claims, outcomes, settings, jitters)
def test_a_possibly_taken_order_is_never_failed_without_one_confirming_send(
    claim: Claim, outcome: Outcome, relay: RelaySettings, jitter: float
) -> None:
    decision = decide(claim, outcome, relay, jitter)
    lost = claim.answer_lost or outcome.answer_lost
    if decision.status is RelayStatus.FAILED and lost:
        assert claim.confirming
    if decision.confirming:
        assert lost
        assert not claim.confirming
        assert decision.status is None


@given(claims, outcomes, settings, jitters)
def test_what_each_kind_of_outcome_does_to_the_row(
    claim: Claim, outcome: Outcome, relay: RelaySettings, jitter: float
) -> None:
    decision = decide(claim, outcome, relay, jitter)
    if outcome.kind is Kind.DELIVERED:
        assert decision.status is RelayStatus.DELIVERED
        assert decision.wait is None
    elif outcome.kind is Kind.PAUSED:
        assert decision.status is RelayStatus.PAUSED
        assert decision.last_error == outcome.detail
    elif outcome.kind is Kind.DEFERRED:
        assert not decision.counted
        assert decision.status is None
        assert decision.wait == max(0.0, outcome.retry_in)
    else:
        # Nothing forgets that an answer was lost.
        assert decision.answer_lost == (claim.answer_lost or outcome.answer_lost)
        assert decision.counted
        assert decision.status in (None, RelayStatus.FAILED)
        assert (decision.status is None) == (decision.wait is not None)


@given(claims, settings, jitters)
def test_a_retry_waits_within_the_backoff_until_the_attempts_run_out(
    claim: Claim, relay: RelaySettings, jitter: float
) -> None:
    outcome = Outcome(Kind.RETRY, "down")
    decision = decide(claim, outcome, relay, jitter)
    if claim.attempts + 1 < relay.max_attempts:
        ceiling = min(
            relay.backoff_cap_seconds, relay.backoff_seconds * 2.0 ** max(0, claim.attempts)
        )
        assert decision.status is None
        assert decision.wait is not None
        assert ceiling / 2 <= decision.wait <= ceiling
    elif not claim.answer_lost or claim.confirming:
        assert decision.status is RelayStatus.FAILED
        assert decision.last_error == f"Gave up after {claim.attempts + 1} attempts: down"


@given(claims, settings, jitters)
def test_a_refusal_of_an_order_never_lost_fails_it_at_once(
    claim: Claim, relay: RelaySettings, jitter: float
) -> None:
    decision = decide(claim, Outcome(Kind.FAILED, "422"), relay, jitter)
    if not claim.answer_lost:
        assert decision.status is RelayStatus.FAILED
        assert decision.last_error == "422"


@given(st.integers(1, 40), st.integers(1, 40), settings, jitters)
def test_backoff_grows_and_stays_within_its_cap(
    first: int, second: int, relay: RelaySettings, jitter: float
) -> None:
    low, high = sorted((first, second))
    assert 0 < backoff(low, relay, jitter) <= backoff(high, relay, jitter)
    assert backoff(high, relay, jitter) <= relay.backoff_cap_seconds


CLAIM = Claim(1, "r", 1, "t", 0, {})
LOST = Claim(1, "r", 1, "t", 0, {}, answer_lost=True)


def refusal(status: int) -> ValidationFailed:
    return ValidationFailed(str(status), field_errors={}, status_code=status)


@pytest.mark.parametrize(
    ("error", "claim", "kind", "lost", "health"),
    [
        (OutdatedToken("old", status_code=401), CLAIM, Kind.DEFERRED, False, Health.UP),
        (MissingScope("403", status_code=403), CLAIM, Kind.PAUSED, False, Health.UP),
        (NotConnected(), CLAIM, Kind.PAUSED, False, Health.UNKNOWN),
        (NeedsReconnection("token step"), CLAIM, Kind.PAUSED, False, Health.UNKNOWN),
        (NeedsReconnection("401", status_code=401), CLAIM, Kind.PAUSED, False, Health.UP),
        (Unavailable("503", status_code=503), CLAIM, Kind.RETRY, True, Health.DOWN),
        (UnexpectedResponse("?", status_code=200), CLAIM, Kind.RETRY, True, Health.UP),
        (
            refusal(409),
            LOST,
            Kind.RETRY,
            False,
            Health.UP,
        ),
        (
            refusal(409),
            CLAIM,
            Kind.FAILED,
            False,
            Health.UP,
        ),
        (
            refusal(422),
            LOST,
            Kind.FAILED,
            False,
            Health.UP,
        ),
        (KeyError("bug"), CLAIM, Kind.RETRY, True, Health.UNKNOWN),
    ],
)
def test_each_error_has_one_outcome_and_one_health(
    error: Exception, claim: Claim, kind: Kind, lost: bool, health: Health
) -> None:
    outcome = outcome_of(error, claim, 12)
    assert (outcome.kind, outcome.answer_lost) == (kind, lost)
    assert health_of(error) is health
    if kind is Kind.FAILED:
        assert outcome.detail
        assert outcome.detail.startswith("Pongo rejected the order (HTTP ")
        assert outcome.answer is not None
        assert outcome.answer["status_code"] == outcome.status_code
