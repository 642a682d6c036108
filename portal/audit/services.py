"""Recording audit events; every feature writes through `record`."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context, session

from portal.extensions import db
from portal.models.audit import AuditEvent
from portal.models.merchant import Merchant

MAX_TEXT = 2000


def _column_length(name: str) -> int:
    length = getattr(AuditEvent.__table__.c[name].type, "length", None)
    return int(length or MAX_TEXT)


def _clean(value: str | None, column: str = "reason") -> str | None:
    """Neutralise control characters in untrusted text (CR/LF could forge log lines).

    Cut to the column's length after escaping, since escaping makes the text longer.
    """
    if value is None:
        return None
    escaped = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value)
    return escaped[: min(_column_length(column), MAX_TEXT)]


def current_actor() -> tuple[str, str, str | None]:
    """(actor, actor kind, impersonator) for the current request."""
    if not has_request_context():
        return "system", "system", None
    staff = session.get("staff_email")
    user = session.get("user") or {}
    if session.get("merchant_id") and staff:
        # A support agent viewing as the merchant: the agent acts, the merchant is the subject.
        return str(user.get("email") or staff), "support", str(staff)
    if staff:
        return str(staff), "staff", None
    if user.get("email"):
        return str(user["email"]), "merchant_user", None
    if g.get("api_key_name"):
        return str(g.api_key_name), "pos", None
    return "anonymous", "anonymous", None


def _event_values(
    action: str, merchant_id: int | None, details: dict[str, Any] | None, reason: str | None
) -> dict[str, Any]:
    """The columns of an audit event for the current actor and request."""
    actor, kind, impersonator = current_actor()
    return {
        "merchant_id": merchant_id,
        "actor": _clean(actor, "actor") or "",
        "actor_kind": kind,
        "impersonator": _clean(impersonator, "impersonator"),
        "action": action,
        "details": details or {},
        "reason": _clean(reason),
        "request_id": g.get("request_id") if has_request_context() else None,
    }


def record(
    action: str,
    *,
    merchant: Merchant | None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the request)."""
    merchant_id = merchant.id if merchant is not None else None
    event = AuditEvent(**_event_values(action, merchant_id, details, reason))
    db.session.add(event)
    return event


def record_now(
    action: str,
    *,
    merchant_id: int | None,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Record an event in its own transaction, for refusals whose request rolls back."""
    values = _event_values(action, merchant_id, details, reason)
    with db.engine.begin() as connection:
        connection.execute(db.insert(AuditEvent).values(**values))
