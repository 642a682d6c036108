"""Pongo for one merchant: its settings, a fresh access token, and a client that keeps its state."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TypeVar

import httpx
from flask import g, has_request_context
from sqlalchemy import select, update

from portal import config, crypto
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
)
from portal.pongo.errors import GrantRejected, NeedsReconnection
from portal.pongo.models import FetchedReward, FetchedStore, OrderReceipt, PongoAccount
from portal.pongo.settings import PongoSettings, parse_scopes
from portal.pongo.tokens import refresh_access_token
from portal.security_log import security_event

T = TypeVar("T")

# Refresh this long before expiry so that a call never starts with a token about to lapse.
REFRESH_MARGIN = timedelta(seconds=120)


def pongo_settings(settings: Settings | None = None) -> PongoSettings:
    """The Pongo client settings derived from the portal's."""
    access = (settings or config.current()).pongo
    interactive = has_request_context()
    return PongoSettings(
        base_url=access.base_url,
        client_id=access.client_id,
        client_secret=access.client_secret,
        redirect_uri=access.redirect_uri,
        scopes=parse_scopes(access.scopes),
        token_path=access.token_path,
        token_grant_type=access.token_grant_type,
        # During a page request a person waits: every call shares one short budget.
        deadline=access.interactive_deadline_s if interactive else PongoSettings.deadline,
        budget_until=_page_budget(access.interactive_deadline_s) if interactive else None,
    )


def _page_budget(seconds: float) -> float:
    """When the Pongo calls of this page request must have ended (set by the first call)."""
    until: float = g.setdefault("pongo_budget_until", time.monotonic() + seconds)
    return until


def access_token_for(merchant_id: int) -> str:
    """A valid access token for the merchant, refreshed first when it is about to expire."""
    row = db.session.execute(
        select(
            PongoConnection.status,
            PongoConnection.access_token_encrypted,
            PongoConnection.expires_at,
        ).where(PongoConnection.merchant_id == merchant_id)
    ).first()
    if row is not None and row.status == ConnectionStatus.NEEDS_RECONNECTION:
        raise NeedsReconnection("connection needs reconnection")
    if row is None or row.status != ConnectionStatus.CONNECTED or not row.access_token_encrypted:
        raise NotConnected
    if row.expires_at is not None and row.expires_at - utcnow() < REFRESH_MARGIN:
        return refresh_serialised(merchant_id)
    return _decrypt_or_flag(merchant_id, row.access_token_encrypted)


def _decrypt_or_flag(merchant_id: int, ciphertext: str) -> str:
    try:
        return crypto.decrypt(ciphertext)
    except crypto.InvalidToken as exc:
        # A tampered row or a key removed too early: the merchant must reconnect.
        mark_needs_reconnection(merchant_id, "stored token unreadable")
        raise NeedsReconnection("stored token unreadable") from exc


def refresh_serialised(merchant_id: int, *, force: bool = False) -> str:
    """Refresh the merchant's tokens, one refresh at a time across threads, processes and hosts.

    The no-op UPDATE takes the row lock on PostgreSQL (the database write lock on SQLite), so a
    second caller waits, then re-reads and finds the token the first one saved.
    """
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
            ).where(where)
        ).first()
        if (
            row is None
            or row.status != ConnectionStatus.CONNECTED
            or not row.access_token_encrypted
        ):
            raise NotConnected
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
            except GrantRejected:
                problem = "refresh token rejected (invalid_grant)"
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
        mark_needs_reconnection(merchant_id, problem)
        raise NeedsReconnection(problem)
    assert token is not None
    return _decrypt_or_flag(merchant_id, token)


class MerchantPongo:
    """Pongo as one merchant sees it: its tokens, and its connection state kept up to date."""

    def __init__(
        self,
        merchant_id: int,
        settings: PongoSettings | None = None,
        *,
        access_token: Callable[[], str] | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.merchant_id = merchant_id
        self.client = PongoClient(
            settings or pongo_settings(),
            access_token=access_token or (lambda: access_token_for(merchant_id)),
            http=http,
            sleep=sleep,
        )

    def _call(self, action: Callable[[PongoClient], T]) -> T:
        try:
            result = action(self.client)
        except NeedsReconnection as exc:
            mark_needs_reconnection(self.merchant_id, exc.__class__.__name__)
            raise
        note_success(self.merchant_id)
        return result

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
        return self._call(lambda c: c.create_order(payload, idempotency_key=idempotency_key))

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self.client.close()

    def __enter__(self) -> MerchantPongo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def pongo_client_for(merchant: Merchant) -> MerchantPongo:
    """The Pongo client for a merchant; raises NotConnected when it has no usable connection."""
    connection = get_connection(merchant)
    if connection is None or not connection.usable:
        raise NotConnected
    return MerchantPongo(merchant.id)
