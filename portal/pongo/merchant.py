"""Pongo for one merchant: its settings, a fresh access token, and a client that keeps its state."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import timedelta
from typing import NamedTuple, TypeVar

import httpx
from flask import g, has_request_context
from sqlalchemy import select, update

from portal import config, crypto
from portal.closing import ClosedOnExit
from portal.config import Settings
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.merchant import Merchant
from portal.pongo.client import PongoClient
from portal.pongo.connection import (
    NotConnected,
    get_connection,
    mark_needs_reconnection,
    note_success,
    note_unavailable,
)
from portal.pongo.errors import (
    N_,
    Health,
    MissingScope,
    NeedsReconnection,
    PongoError,
    Unavailable,
    health_of,
)
from portal.pongo.models import FetchedReward, FetchedStore, OrderReceipt, PongoAccount
from portal.pongo.settings import PongoSettings
from portal.pongo.tokens import refresh_access_token
from portal.security_log import security_event

T = TypeVar("T")

# Refresh this long before expiry so that a call never starts with a token about to lapse.
REFRESH_MARGIN = timedelta(seconds=120)


def pongo_settings(
    settings: Settings | None = None,
    *,
    read_timeout: float | None = None,
    deadline: float | None = None,
) -> PongoSettings:
    """The portal's Pongo settings as this caller uses them.

    During a page request a person waits: every call of the page shares one short budget.
    A worker may give its own read timeout and deadline.
    """
    pongo = (settings or config.current()).pongo
    if has_request_context():
        seconds = pongo.interactive_deadline_s
        pongo = replace(pongo, deadline=seconds, budget_until=_page_budget(seconds))
    return replace(
        pongo,
        read_timeout=pongo.read_timeout if read_timeout is None else read_timeout,
        deadline=pongo.deadline if deadline is None else deadline,
    )


def _page_budget(seconds: float) -> float:
    """When the Pongo calls of this page request must have ended (set by the first call)."""
    until: float = g.setdefault("pongo_budget_until", time.monotonic() + seconds)
    return until


class IssuedToken(NamedTuple):
    """An access token with the connection generation it was read from."""

    value: str
    generation: int


class OutdatedToken(NeedsReconnection):
    """Pongo rejected a token of an earlier connection; the merchant has reconnected since."""

    user_message = N_("Pongo was reconnected meanwhile. Please try again.")


def access_token_for(merchant_id: int) -> str:
    """A valid access token for the merchant, refreshed first when it is about to expire."""
    return issue_token(merchant_id).value


def issue_token(merchant_id: int) -> IssuedToken:
    """A valid access token and its connection generation, refreshed when about to expire."""
    row = db.session.execute(
        select(
            PongoConnection.status,
            PongoConnection.access_token_encrypted,
            PongoConnection.expires_at,
            PongoConnection.generation,
        ).where(PongoConnection.merchant_id == merchant_id)
    ).first()
    if row is not None and row.status == ConnectionStatus.NEEDS_RECONNECTION:
        raise NeedsReconnection("connection needs reconnection")
    if row is None or row.status != ConnectionStatus.CONNECTED or not row.access_token_encrypted:
        raise NotConnected
    if row.expires_at is not None and row.expires_at - utcnow() < REFRESH_MARGIN:
        return _refresh(merchant_id, force=False)
    return IssuedToken(
        _decrypt_or_flag(merchant_id, row.access_token_encrypted, row.generation), row.generation
    )


def _decrypt_or_flag(merchant_id: int, ciphertext: str, generation: int) -> str:
    try:
        return crypto.decrypt(ciphertext)
    except crypto.InvalidToken as exc:
        # A tampered row or a key removed too early: the merchant must reconnect.
        mark_needs_reconnection(merchant_id, "stored token unreadable", generation=generation)
        raise NeedsReconnection("stored token unreadable") from exc


def refresh_serialised(merchant_id: int, *, force: bool = False) -> str:
    """Refresh the merchant's tokens, one refresh at a time across threads, processes and hosts.

    The no-op UPDATE takes the row lock on PostgreSQL (the database write lock on SQLite), so a
    second caller waits, then re-reads and finds the token the first one saved.
    """
    return _refresh(merchant_id, force=force).value


def _refresh(merchant_id: int, *, force: bool) -> IssuedToken:
    problem: str | None = None
    token: str | None = None
    with db.engine.begin() as connection:
        where = PongoConnection.merchant_id == merchant_id
        connection.execute(
            update(PongoConnection).where(where).values(refreshed_at=PongoConnection.refreshed_at)
        )
        row = connection.execute(
            select(
                PongoConnection.status,
                PongoConnection.access_token_encrypted,
                PongoConnection.refresh_token_encrypted,
                PongoConnection.expires_at,
                PongoConnection.generation,
            ).where(where)
        ).first()
        if (
            row is None
            or row.status != ConnectionStatus.CONNECTED
            or not row.access_token_encrypted
        ):
            raise NotConnected
        generation: int = row.generation
        fresh = row.expires_at is None or row.expires_at - utcnow() >= REFRESH_MARGIN
        if fresh and not force:
            token = row.access_token_encrypted
        elif not row.refresh_token_encrypted:
            problem = "token expired and Pongo gave no refresh token"
        else:
            try:
                tokens = refresh_access_token(
                    pongo_settings(), crypto.decrypt(row.refresh_token_encrypted)
                )
            except Unavailable:
                raise  # Pongo down or slow: the caller tries again later
            except PongoError as refused:
                # Pongo documents no refresh grant: any refusal, whatever its status and
                # body, means only the merchant can restore access, by reconnecting.
                problem = refusal_problem(refused)
            except crypto.InvalidToken:
                problem = "stored token unreadable"
            else:
                token = crypto.encrypt(tokens.access_token)
                connection.execute(
                    update(PongoConnection)
                    .where(where)
                    .values(
                        access_token_encrypted=token,
                        refresh_token_encrypted=crypto.encrypt(tokens.refresh_token)
                        if tokens.refresh_token
                        else row.refresh_token_encrypted,
                        expires_at=tokens.expires_at,
                        refreshed_at=utcnow(),
                    )
                )
                security_event("pongo_token_refresh", "success", merchant_id=merchant_id)
    if problem is not None:
        mark_needs_reconnection(merchant_id, problem, generation=generation)
        raise NeedsReconnection(problem)
    assert token is not None
    return IssuedToken(_decrypt_or_flag(merchant_id, token, generation), generation)


def refusal_problem(error: PongoError) -> str:
    """The connection problem noted when Pongo refuses a refresh: status only, never the body."""
    status = f"HTTP {error.status_code}" if error.status_code else "an unreadable answer"
    return f"Pongo refused the token refresh ({status})"


class MerchantPongo(ClosedOnExit):
    """Pongo as one merchant sees it: its tokens, and its connection state kept up to date."""

    def __init__(
        self,
        merchant_id: int,
        settings: PongoSettings | None = None,
        *,
        read_token: Callable[[], IssuedToken] | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_health: Callable[[Health], None] | None = None,
    ) -> None:
        self.merchant_id = merchant_id
        # Told what each call says about Pongo's health (a circuit breaker, say).
        self.on_health = on_health
        self._read_token = read_token or (lambda: issue_token(merchant_id))
        # The connection generation of the last token read: a 401 flags only that one.
        self.generation: int | None = None
        self.client = PongoClient(
            settings or pongo_settings(),
            access_token=self._token,
            http=http,
            sleep=sleep,
        )

    def _token(self) -> str:
        issued = self._read_token()
        self.generation = issued.generation
        return issued.value

    def _call(self, action: Callable[[PongoClient], T], *, scope: str | None = None) -> T:
        """Run one call; flag the connection on a refused token, or on a missing `scope`."""
        self.generation = None
        try:
            result = action(self.client)
        except Exception as exc:
            self._record_health(health_of(exc))
            refused = isinstance(exc, NeedsReconnection) or (
                scope is not None and isinstance(exc, MissingScope)
            )
            # Without a token read, the refusal came from the token step, which flags itself.
            if refused and self.generation is not None:
                problem = exc.__class__.__name__ if scope is None else f"{scope} not granted"
                if not mark_needs_reconnection(
                    self.merchant_id, problem, generation=self.generation
                ):
                    # A newer connection is in place: the call can go again with its token.
                    status = getattr(exc, "status_code", None)
                    raise OutdatedToken(str(exc), status_code=status) from exc
            raise
        self._record_health(Health.UP, succeeded=True)
        return result

    def _record_health(self, health: Health, *, succeeded: bool = False) -> None:
        """Keep the connection's health up to date and tell the observer."""
        if succeeded:
            note_success(self.merchant_id)
        elif health is Health.DOWN:
            note_unavailable(self.merchant_id)
        if self.on_health is not None:
            self.on_health(health)

    @property
    def unreadable(self) -> list[str]:
        """Why items of the lists fetched so far were skipped."""
        return self.client.unreadable

    def me(self) -> PongoAccount:
        """The Pongo account behind the token."""
        return self._call(lambda c: c.me())

    def stores(self) -> list[FetchedStore]:
        """Every store of the merchant's Pongo account."""
        return self._call(lambda c: c.stores())

    def rewards(self) -> list[FetchedReward]:
        """Every reward of the merchant's Pongo account."""
        return self._call(lambda c: c.rewards())

    def create_order(self, payload: Mapping[str, object], *, idempotency_key: str) -> OrderReceipt:
        """Send one order."""
        return self._call(
            lambda c: c.create_order(payload, idempotency_key=idempotency_key),
            scope="order.create",
        )

    def update_order_status(self, pongo_id: str, status: str) -> None:
        """Send one status change of an order Pongo already has.

        A token without order.update (a connection made before the portal asked for it)
        does not flag the connection: orders keep going, the change waits for a reconnection.
        """
        self._call(lambda c: c.update_order_status(pongo_id, status))

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.client.close()


def pongo_client_for(merchant: Merchant) -> MerchantPongo:
    """The Pongo client for a merchant; raises NotConnected when it has no usable connection."""
    connection = get_connection(merchant)
    if connection is None or not connection.usable:
        raise NotConnected
    return MerchantPongo(merchant.id)
