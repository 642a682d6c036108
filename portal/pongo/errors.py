"""One family of errors for everything that can go wrong talking to Pongo.

`str(error)` is for logs and developers; `error.user_message` is plain English a
merchant can read. User messages are wrapped in `N_` so the translation catalogue
picks them up; pages show them through gettext. Neither ever contains a token.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


def N_(message: str) -> str:  # noqa: N802 - Babel's default marker for deferred translation
    """Mark a message for translation without translating it yet."""
    return message


class PongoError(Exception):
    """Pongo could not do what was asked."""

    user_message: ClassVar[str] = N_("Something went wrong while talking to Pongo.")

    def __init__(self, detail: str, *, status_code: int | None = None) -> None:
        super().__init__(detail)
        self.status_code = status_code
        # Pongo's answer as it came (clipped), for the technical details an order shows.
        self.answer: str | None = None


class NeedsReconnection(PongoError):
    """Pongo no longer accepts the merchant's token (401)."""

    user_message = N_("Your Pongo connection has expired. Please reconnect Pongo.")


class GrantRejected(NeedsReconnection):
    """The token endpoint refused the code or refresh token (invalid_grant)."""

    user_message = N_("Pongo refused the connection. Please reconnect Pongo.")


class ClientRejected(PongoError):
    """The token endpoint refused the portal's own client credentials (invalid_client)."""

    user_message = N_("The portal's access to Pongo is misconfigured. Please contact support.")


class MissingScope(PongoError):
    """The token lacks a permission the call needs (403)."""

    user_message = N_(
        "Pongo did not grant the portal this permission. Please reconnect Pongo "
        "and approve every permission asked."
    )


class NotFound(PongoError):
    """Pongo does not know the requested item or path (404)."""

    user_message = N_("Pongo could not find what was asked for.")


class ValidationFailed(PongoError):
    """Pongo rejected the data sent (422)."""

    user_message = N_("Pongo rejected the data that was sent.")

    def __init__(
        self,
        detail: str,
        *,
        field_errors: dict[str, list[str]],
        status_code: int | None = 422,
    ) -> None:
        super().__init__(detail, status_code=status_code)
        self.field_errors = field_errors


class Rejected(PongoError):
    """Pongo refused the request for another client-side reason (other 4xx)."""

    user_message = N_("Pongo refused the request.")


class Unavailable(PongoError):
    """Pongo did not answer in time or kept failing (timeouts, 429, 5xx)."""

    user_message = N_("The loyalty platform is unavailable at the moment. Please try again later.")


class TooSlow(Unavailable):
    """Pongo did not answer within the deadline of the call."""

    user_message = N_("Pongo is slow to answer, try again in a minute.")


class UnexpectedResponse(PongoError):
    """Pongo answered with something this client cannot read."""

    user_message = N_("Pongo sent an answer the portal does not understand.")


# The errors whose HTTP status says it all; see error_for_status for the rest.
_BY_STATUS: dict[int, type[PongoError]] = {401: NeedsReconnection, 403: MissingScope, 404: NotFound}


def error_for_status(status: int, detail: str, *, field_errors: dict[str, list[str]]) -> PongoError:
    """The error an HTTP error answer stands for; `field_errors` are a 422's."""
    if status in _BY_STATUS:
        return _BY_STATUS[status](detail, status_code=status)
    if status == 422:
        return ValidationFailed(detail, field_errors=field_errors, status_code=status)
    if status == 429 or status >= 500:
        return Unavailable(detail, status_code=status)
    if 400 <= status < 500:
        return Rejected(detail, status_code=status)
    return UnexpectedResponse(detail, status_code=status)


class Health(StrEnum):
    """What one call says about Pongo's health."""

    UP = "up"  # Pongo answered (a refusal included)
    DOWN = "down"  # Pongo did not answer in time, or kept failing
    UNKNOWN = "unknown"  # the call never reached Pongo


def health_of(error: Exception | None) -> Health:
    """What a call that ended with `error` (None: it succeeded) says about Pongo's health."""
    if error is None:
        return Health.UP
    if isinstance(error, Unavailable):
        return Health.DOWN
    if isinstance(error, NeedsReconnection) and error.status_code is None:
        # Refused by the token step before any HTTP call.
        return Health.UNKNOWN
    return Health.UP if isinstance(error, PongoError) else Health.UNKNOWN
