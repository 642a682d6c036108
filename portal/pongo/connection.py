"""The merchant's stored Pongo connection: its encrypted tokens, its identity and its state."""

from __future__ import annotations

from datetime import timedelta

from flask import g
from sqlalchemy import select, update

from portal import crypto
from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.connection import ConnectionStatus, PongoConnection
from portal.models.merchant import Merchant
from portal.pongo.models import PongoAccount
from portal.pongo.tokens import TokenSet
from portal.security_log import security_event

# The page shows the last successful call to the minute: writing it on every call would
# add a commit to each relayed order.
LAST_SUCCESS_PRECISION = timedelta(seconds=30)


class NotConnected(Exception):
    """The merchant has no usable Pongo connection."""


def get_connection(merchant: Merchant) -> PongoConnection | None:
    """The merchant's connection row, read fresh from the database."""
    return db.session.scalar(
        select(PongoConnection)
        .where(PongoConnection.merchant_id == merchant.id)
        .execution_options(populate_existing=True)
    )


def request_connection(merchant: Merchant) -> PongoConnection | None:
    """The merchant's connection as this request first read it: pages and banners share one read.

    For showing only; a change to the connection reads it again through `get_connection`.
    """
    cached: dict[int, PongoConnection | None] = g.setdefault("pongo_connections", {})
    if merchant.id not in cached:
        cached[merchant.id] = get_connection(merchant)
    return cached[merchant.id]


def merchant_and_connection(merchant_id: int) -> Merchant | None:
    """A merchant read together with its connection, kept as this request's (one statement).

    Every merchant page shows the connection (its banner at least): read beside the merchant,
    it costs no statement of its own.
    """
    row = db.session.execute(
        select(Merchant, PongoConnection)
        .outerjoin(PongoConnection, PongoConnection.merchant_id == Merchant.id)
        .where(Merchant.id == merchant_id)
    ).first()
    if row is None:
        return None
    merchant, connection = row
    keep_merchant_and_connection(merchant, connection)
    return merchant


def keep_merchant_and_connection(merchant: Merchant, connection: PongoConnection | None) -> None:
    """Keep a merchant and its connection, read together, as this request's reads of them."""
    g.setdefault("pongo_connections", {})[merchant.id] = connection
    g.merchant_read = merchant


def read_merchant(merchant_id: int) -> Merchant | None:
    """The merchant as this request read it with its connection, else read now with it."""
    kept: Merchant | None = g.get("merchant_read")
    if kept is not None and kept.id == merchant_id:
        return kept
    return merchant_and_connection(merchant_id)


def save_connection(
    merchant: Merchant, *, tokens: TokenSet, account: PongoAccount, actor: Actor
) -> PongoConnection:
    """Store a fresh connection (encrypted tokens and the Pongo identity); flushes and audits."""
    connection = get_connection(merchant)
    before = connection.status if connection else None
    if connection is None:
        connection = PongoConnection(merchant_id=merchant.id)
        db.session.add(connection)
    now = utcnow()
    connection.status = ConnectionStatus.CONNECTED
    _replace_tokens(connection, tokens)
    connection.scopes = ",".join(tokens.scopes or account.scopes)
    connection.account_id = account.id
    connection.account_name = account.name
    connection.account_email = account.email
    connection.connected_by = actor.name
    connection.connected_at = now
    connection.last_success_at = now
    connection.problem = None
    connection.problem_at = None
    connection.unavailable_since = None
    db.session.flush()
    record(
        "pongo.connect",
        actor=actor,
        merchant=merchant,
        details={"old": before, "new": "connected", "account": account.name},
    )
    return connection


def forget_connection(merchant: Merchant, *, actor: Actor) -> None:
    """Forget the merchant's tokens and mark it disconnected; flushes and audits."""
    connection = get_connection(merchant)
    if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
        return
    old = connection.status
    connection.status = ConnectionStatus.DISCONNECTED
    _replace_tokens(connection, None)
    db.session.flush()
    record(
        "pongo.disconnect",
        actor=actor,
        merchant=merchant,
        details={"old": old, "new": "disconnected"},
    )


def _replace_tokens(connection: PongoConnection, tokens: TokenSet | None) -> None:
    """Keep a new grant's tokens (encrypted), or forget them: the connection's next generation."""
    connection.access_token_encrypted = crypto.encrypt(tokens.access_token) if tokens else None
    refresh = tokens.refresh_token if tokens else None
    connection.refresh_token_encrypted = crypto.encrypt(refresh) if refresh else None
    connection.expires_at = tokens.expires_at if tokens else None
    # Rejections of tokens read before this no longer concern the connection.
    connection.generation = (connection.generation or 0) + 1


def mark_needs_reconnection(
    merchant_id: int, problem: str, *, generation: int | None = None
) -> bool:
    """Flag the connection (own transaction); False when a newer connection is in place."""
    # `generation` is the connection generation the rejected token was read from: only
    # that generation is flagged, so that a late rejection of an earlier token leaves a
    # fresh connection alone. The flag has its own transaction to survive a failing request.
    where = [
        PongoConnection.merchant_id == merchant_id,
        PongoConnection.status == ConnectionStatus.CONNECTED,
    ]
    if generation is not None:
        where.append(PongoConnection.generation == generation)
    with db.engine.begin() as connection:
        changed = connection.execute(
            update(PongoConnection)
            .where(*where)
            .values(
                status=ConnectionStatus.NEEDS_RECONNECTION, problem=problem, problem_at=utcnow()
            )
        ).rowcount
        current = connection.execute(
            select(PongoConnection.status, PongoConnection.generation).where(
                PongoConnection.merchant_id == merchant_id
            )
        ).first()
    if changed:
        security_event("pongo_token", "failure", merchant_id=merchant_id, reason=problem)
        return True
    return current is None or current.status != ConnectionStatus.CONNECTED


def note_success(merchant_id: int) -> None:
    """Remember when Pongo last answered for this merchant (at most every 30 seconds)."""
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(
            update(PongoConnection)
            .where(
                PongoConnection.merchant_id == merchant_id,
                (PongoConnection.last_success_at.is_(None))
                | (PongoConnection.last_success_at < now - LAST_SUCCESS_PRECISION)
                | (PongoConnection.unavailable_since.is_not(None)),
            )
            .values(last_success_at=now, unavailable_since=None)
        )


def note_unavailable(merchant_id: int) -> None:
    """Remember since when Pongo has not been answering for this merchant (kept if set)."""
    with db.engine.begin() as connection:
        connection.execute(
            update(PongoConnection)
            .where(
                PongoConnection.merchant_id == merchant_id,
                PongoConnection.unavailable_since.is_(None),
            )
            .values(unavailable_since=utcnow())
        )


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
