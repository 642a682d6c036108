"""Recording audit events; every feature writes through `record` with an explicit actor."""

from __future__ import annotations

from typing import Any, Required, TypedDict, Unpack

from flask import g, has_request_context

from portal.audit.actions import audit_action
from portal.audit.actor import Actor
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


class EventFields(TypedDict, total=False):
    """What an audit event says beside its action and merchant: who acted, details, a reason."""

    actor: Required[Actor]
    details: dict[str, Any] | None
    reason: str | None


def _event_values(
    action: str,
    merchant_id: int | None,
    *,
    actor: Actor,
    details: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """The columns of an audit event; refuses actions missing from the registry."""
    audit_action(action)
    return {
        "merchant_id": merchant_id,
        "actor": _clean(actor.name, "actor") or "",
        "actor_kind": actor.kind,
        "impersonator": _clean(actor.impersonator, "impersonator"),
        "action": action,
        "details": details or {},
        "reason": _clean(reason),
        "request_id": g.get("request_id") if has_request_context() else None,
    }


def record(action: str, *, merchant: Merchant | None, **event: Unpack[EventFields]) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the request)."""
    merchant_id = merchant.id if merchant is not None else None
    added = AuditEvent(**_event_values(action, merchant_id, **event))
    db.session.add(added)
    return added


def record_now(action: str, *, merchant_id: int | None, **event: Unpack[EventFields]) -> None:
    """Record an event in its own transaction, for refusals whose request rolls back."""
    values = _event_values(action, merchant_id, **event)
    with db.engine.begin() as connection:
        connection.execute(db.insert(AuditEvent).values(**values))
