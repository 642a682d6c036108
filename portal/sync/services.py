"""Drift watch as the pages use it: launches noted, changes listed, e-mails turned on or off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Select, bindparam, or_, select, update

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.drift import DriftChange, SyncState
from portal.models.merchant import Merchant
from portal.sync.sentences import ChangeLine, describe

# The overview lists at most this many changes, newest first.
MAX_LISTED = 20


def sync_state(merchant: Merchant) -> SyncState | None:
    """The merchant's sync schedule and mail settings, or None before any launch or sync."""
    return db.session.get(SyncState, merchant.id)


def _state_for(merchant: Merchant) -> SyncState:
    state = sync_state(merchant)
    if state is None:
        state = SyncState(merchant_id=merchant.id, next_sync_at=utcnow(), mail_enabled=True)
        db.session.add(state)
    return state


def note_launch(
    merchant: Merchant, *, email: str, locale: str | None, return_url: str | None
) -> None:
    """Remember the admin user's address, language and POS admin URL, and start a new visit."""
    state = _state_for(merchant)
    # A visit starts at a launch; pages never write, so "since the last visit" means since
    # the previous launch began.
    state.changes_since = state.last_launch_at
    state.last_launch_at = utcnow()
    state.launch_email = email[:320]
    state.launch_locale = locale
    state.launch_return_url = return_url[:2000] if return_url else None
    db.session.flush()


def _unread_statement() -> Select[DriftChange]:
    """The unread changes since the merchant's last visit began, newest first, at most MAX_LISTED.

    The visit's start is read in the same statement: none yet (no launch, or a first one)
    lists every unread change.
    """
    merchant_id = bindparam("merchant_id", type_=Integer)
    since = (
        select(SyncState.changes_since)
        .where(SyncState.merchant_id == merchant_id)
        .scalar_subquery()
    )
    return (
        select(DriftChange)
        .where(
            DriftChange.merchant_id == merchant_id,
            DriftChange.read_at.is_(None),
            or_(since.is_(None), DriftChange.at > since),
        )
        .order_by(DriftChange.at.desc(), DriftChange.id.desc())
        .limit(MAX_LISTED)
    )


# Built once: every overview view asks it.
_UNREAD = _unread_statement()


def changes_since_last_visit(merchant: Merchant) -> list[ChangeLine]:
    """Changes recorded since the merchant's last visit began, newest first."""
    rows = db.session.scalars(_UNREAD, {"merchant_id": merchant.id})
    return [describe(row) for row in rows]


def mark_read(merchant: Merchant, *, actor: Actor) -> int:
    """Mark every unread change of the merchant as read, for all its users; flushes and audits."""
    marked = db.session.execute(
        update(DriftChange)
        .where(DriftChange.merchant_id == merchant.id, DriftChange.read_at.is_(None))
        .values(read_at=utcnow())
    )
    count = int(marked.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult of an UPDATE
    if count:
        record("drift.read", actor=actor, merchant=merchant, details={"count": count})
    return count


def last_checked(merchant: Merchant) -> datetime | None:
    """When the sync workers last checked the merchant at Pongo."""
    state = sync_state(merchant)
    return state.last_sync_at if state else None


def set_mail_enabled(merchant: Merchant, *, enabled: bool, actor: Actor) -> bool:
    """Turn the change e-mails on or off; flushes and audits. False when nothing changed."""
    state = _state_for(merchant)
    if state.mail_enabled == enabled:
        return False
    state.mail_enabled = enabled
    db.session.flush()
    record(
        "drift.emails",
        actor=actor,
        merchant=merchant,
        details={"old": "on" if not enabled else "off", "new": "on" if enabled else "off"},
    )
    return True


def mail_enabled(merchant: Merchant) -> bool:
    """Whether the merchant gets the e-mails about changes at Pongo (on unless turned off)."""
    state = sync_state(merchant)
    return state.mail_enabled if state else True
