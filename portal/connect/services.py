"""Completing a Pongo connection: exchange the code, identify the account, store, first sync."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from portal.audit.actor import Actor
from portal.connect.oauth import Callback
from portal.locations.operations import refresh_stores
from portal.models.merchant import Merchant
from portal.pongo import (
    ClientRejected,
    GrantRejected,
    PongoClient,
    PongoError,
    Rejected,
    endpoints,
    exchange_code,
)
from portal.pongo.connection import save_connection
from portal.pongo.errors import N_
from portal.pongo.merchant import pongo_settings
from portal.pongo.transport import Transport
from portal.rewards.operations import refresh_rewards

logger = logging.getLogger(__name__)

STALE_ATTEMPT = N_("This connection attempt is no longer valid. Please start again.")
NOT_ACCEPTED = N_("Pongo did not accept the connection. Please try again.")
NOT_ANSWERING = N_(
    "Pongo is not answering right now, so it cannot be connected. Your orders are queued, "
    "nothing is lost. Please try again in a few minutes."
)


@dataclass(frozen=True)
class Outcome:
    """How a connection attempt ended: what to log, and what to tell the merchant."""

    reason: str
    # Untranslated; the page shows it through gettext. Empty when connected.
    message: str = ""
    status: int = 400
    account_name: str | None = None
    # False when the stores and rewards could not be fetched right after connecting.
    synced: bool = True

    @property
    def connected(self) -> bool:
        """True when the merchant's Pongo account is now connected."""
        return self.reason == "connected"


def consent_form_answers() -> bool:
    """Whether Pongo's consent form answers now (else the merchant would see Pongo's raw error)."""
    settings = pongo_settings()
    transport = Transport(settings, http=None, sleep=time.sleep, clock=time.monotonic)
    try:
        reply = transport.send(
            "GET",
            settings.url(endpoints.OAUTH_FORM.path),
            what=endpoints.OAUTH_FORM.name,
            idempotent=True,
            headers=lambda: {"Accept": "text/html"},
        )
    except PongoError:
        logger.warning("Pongo's consent form is not answering")
        return False
    finally:
        transport.close()
    # Without the attempt's parameters the form may refuse (4xx): it answered all the same.
    return reply.status_code < 500 and reply.status_code != 429


def complete_connection(merchant: Merchant, *, callback: Callback, actor: Actor) -> Outcome:
    """Finish the OAuth dance for the merchant: exchange the code, identify, store, sync."""
    if not callback.started_here:
        return Outcome("no_pending_connection", STALE_ATTEMPT)
    if callback.error == "access_denied":
        return Outcome(
            "access_denied", N_("You declined the connection on Pongo. Nothing was changed.")
        )
    if callback.error:
        return Outcome(callback.error, NOT_ACCEPTED)
    if not callback.state_known:
        return Outcome("mismatching_state", STALE_ATTEMPT)
    if not callback.code:
        return Outcome("missing_code", NOT_ACCEPTED)
    settings = pongo_settings()
    try:
        tokens = exchange_code(settings, callback.code, callback.code_verifier)
    except GrantRejected:
        return Outcome("invalid_grant", NOT_ACCEPTED)
    except ClientRejected:
        return Outcome("invalid_client", NOT_ACCEPTED)
    except Rejected:
        return Outcome("token_rejected", NOT_ACCEPTED)
    except PongoError:
        logger.warning("Pongo token endpoint failed")
        return Outcome("token_endpoint", NOT_ANSWERING, 502)
    try:
        with PongoClient(settings, access_token=lambda: tokens.access_token) as pongo:
            account = pongo.me()
            save_connection(merchant, tokens=tokens, account=account, actor=actor)
            synced = first_sync(merchant, pongo, actor)
    except PongoError as exc:
        return Outcome("identity", exc.user_message, 502)
    return Outcome("connected", status=302, account_name=account.name, synced=synced)


def first_sync(merchant: Merchant, client: PongoClient, actor: Actor) -> bool:
    """Fetch the merchant's stores and rewards; False when Pongo failed (the pages can retry)."""
    try:
        refresh_stores(merchant=merchant, client=client, actor=actor)
        refresh_rewards(merchant=merchant, client=client, actor=actor)
    except PongoError as error:
        logger.warning("First sync after connecting failed: %s", type(error).__name__)
        return False
    return True
