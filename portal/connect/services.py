"""The merchant's Pongo connection: storing tokens, refreshing them, and calling Pongo with them."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from flask import current_app, g, has_request_context
from sqlalchemy import select, update

from portal import crypto
from portal.audit.services import record
from portal.config import Settings
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.merchant import Merchant
from portal.pongo import (
    GrantRejected,
    NeedsReconnection,
    OrderReceipt,
    PongoAccount,
    PongoClient,
    PongoReward,
    PongoSettings,
    PongoStore,
    TokenSet,
    refresh_access_token,
)
from portal.pongo.tokens import expiry
from portal.security_log import security_event

T = TypeVar("T")

# Refresh this long before expiry so that a call never starts with a token about to lapse.
REFRESH_MARGIN = timedelta(seconds=120)


class NotConnected(Exception):
    """The merchant has no usable Pongo connection."""


def pongo_settings(settings: Settings | None = None) -> PongoSettings:
    """The Pongo client settings derived from the portal's."""
    s: Settings = settings or current_app.extensions["portal.settings"]
    interactive = has_request_context()
    return PongoSettings(
        base_url=s.pongo_base_url,
        client_id=s.pongo_client_id,
        client_secret=s.pongo_client_secret,
        redirect_uri=s.pongo_redirect_uri,
        scopes=tuple(x.strip() for x in s.pongo_scopes.split(",") if x.strip()),
        token_path=s.pongo_token_path,
        token_grant_type=s.pongo_token_grant_type,
        # During a page request a person waits: every call shares one short budget.
        deadline=s.pongo_interactive_deadline_s if interactive else PongoSettings.deadline,
        budget_until=_page_budget(s) if interactive else None,
    )


def _page_budget(s: Settings) -> float:
    """When the Pongo calls of this page request must have ended (set by the first call)."""
    until: float = g.setdefault(
        "pongo_budget_until", time.monotonic() + s.pongo_interactive_deadline_s
    )
    return until


def get_connection(merchant: Merchant) -> PongoConnection | None:
    """The merchant's connection row, read fresh from the database."""
    return db.session.scalar(
        select(PongoConnection)
        .where(PongoConnection.merchant_id == merchant.id)
        .execution_options(populate_existing=True)
    )


def token_set_from_authlib(token: Mapping[str, Any]) -> TokenSet:
    """A TokenSet from the dict Authlib returns."""
    expires_at = token.get("expires_at")
    scope = token.get("scope") or ""
    return TokenSet(
        access_token=str(token["access_token"]),
        refresh_token=str(token["refresh_token"]) if token.get("refresh_token") else None,
        expires_at=expiry(utcnow(), expires_at=expires_at),
        scopes=tuple(s for s in str(scope).replace(" ", ",").split(",") if s),
    )


def connect(
    merchant: Merchant, *, tokens: TokenSet, account: PongoAccount, actor: str
) -> PongoConnection:
    """Store a fresh connection (encrypted tokens and the Pongo identity); flushes and audits."""
    connection = get_connection(merchant)
    before = connection.status if connection else None
    if connection is None:
        connection = PongoConnection(merchant_id=merchant.id)
        db.session.add(connection)
    now = utcnow()
    connection.status = ConnectionStatus.CONNECTED
    connection.access_token_encrypted = crypto.encrypt(tokens.access_token)
    connection.refresh_token_encrypted = (
        crypto.encrypt(tokens.refresh_token) if tokens.refresh_token else None
    )
    connection.expires_at = tokens.expires_at
    connection.scopes = ",".join(tokens.scopes or account.scopes)
    connection.account_id = account.id
    connection.account_name = account.name
    connection.account_email = account.email
    connection.connected_by = actor
    connection.connected_at = now
    connection.last_success_at = now
    connection.problem = None
    connection.problem_at = None
    db.session.flush()
    record(
        "pongo.connect",
        merchant=merchant,
        details={"old": before, "new": "connected", "account": account.name},
    )
    return connection


def disconnect(merchant: Merchant) -> None:
    """Forget the merchant's tokens and mark it disconnected; flushes and audits."""
    connection = get_connection(merchant)
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        return
    old = connection.status
    connection.status = ConnectionStatus.DISCONNECTED
    connection.access_token_encrypted = None
    connection.refresh_token_encrypted = None
    connection.expires_at = None
    db.session.flush()
    record("pongo.disconnect", merchant=merchant, details={"old": old, "new": "disconnected"})


def mark_needs_reconnection(merchant_id: int, problem: str) -> None:
    """Flag the connection in its own transaction, so the flag survives a failing request."""
    with db.engine.begin() as connection:
        changed = connection.execute(
            update(PongoConnection)
            .where(
                PongoConnection.merchant_id == merchant_id,
                PongoConnection.status == ConnectionStatus.CONNECTED,
            )
            .values(
                status=ConnectionStatus.NEEDS_RECONNECTION, problem=problem, problem_at=utcnow()
            )
        ).rowcount
    if changed:
        security_event("pongo_token", "failure", merchant_id=merchant_id, reason=problem)


# The page shows the last successful call to the minute: writing it on every call would
# add a commit to each relayed order.
LAST_SUCCESS_PRECISION = timedelta(seconds=30)


def note_success(merchant_id: int) -> None:
    """Remember when Pongo last answered for this merchant (at most every 30 seconds)."""
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(
            update(PongoConnection)
            .where(
                PongoConnection.merchant_id == merchant_id,
                (PongoConnection.last_success_at.is_(None))
                | (PongoConnection.last_success_at < now - LAST_SUCCESS_PRECISION),
            )
            .values(last_success_at=now)
        )


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

    def stores(self) -> list[PongoStore]:
        """Every store of the merchant's Pongo account."""
        return self._call(lambda c: c.stores())

    def rewards(self) -> list[PongoReward]:
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


def rotate_encryption_keys() -> int:
    """Re-encrypt every stored token under the newest key; returns the rows changed (flushes)."""
    ring = crypto.keyring()
    rows = db.session.scalars(select(PongoConnection)).all()
    for row in rows:
        if row.access_token_encrypted:
            row.access_token_encrypted = crypto.rotate(row.access_token_encrypted, ring)
        if row.refresh_token_encrypted:
            row.refresh_token_encrypted = crypto.rotate(row.refresh_token_encrypted, ring)
    db.session.flush()
    return len(rows)
