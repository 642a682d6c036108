"""'View as merchant': the session state of a support agent's audited view, and its verbs.

The session holds the agent's own keys (`staff_id`, `staff_email`, `staff_role`) all along;
while viewing it also holds `merchant_id`, `user` and `view_as`. Every change of state
starts a fresh session (new id), and every step is audited with both identities.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import session

from portal.audit.actor import Actor, support_agent
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.merchant import Merchant
from portal.models.staff import Staff
from portal.sessions import rotate_session

VIEW_MINUTES = 30
READ, WRITE = "read", "write"
# Keys that survive every rotation of a staff session.
STAFF_KEYS = (
    "staff_id",
    "staff_email",
    "staff_role",
    "locale",
    "factor_at",
    "signed_in_at",
)


def now() -> datetime:
    """The clock the expiry check reads (tests move it forward)."""
    return utcnow()


@dataclass(frozen=True)
class View:
    """The `view_as` session entry, parsed."""

    view_id: str
    merchant_id: int
    reason: str
    mode: str
    started_at: datetime
    expires_at: datetime

    def expired(self, at: datetime) -> bool:
        """True once the view's time is up."""
        return at >= self.expires_at

    def as_session(self) -> dict[str, Any]:
        """The JSON-friendly form kept in the session."""
        return {
            "view_id": self.view_id,
            "merchant_id": self.merchant_id,
            "reason": self.reason,
            "mode": self.mode,
            "started_at": self.started_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
        }


def current_view() -> View | None:
    """The view this session is in, or None (a malformed entry counts as an expired view)."""
    raw = session.get("view_as")
    if not raw:
        return None
    try:
        return View(
            view_id=str(raw["view_id"]),
            merchant_id=int(raw["merchant_id"]),
            reason=str(raw["reason"]),
            mode=WRITE if raw["mode"] == WRITE else READ,
            started_at=datetime.fromisoformat(raw["started_at"]),
            expires_at=datetime.fromisoformat(raw["expires_at"]),
        )
    except (KeyError, TypeError, ValueError):
        started = now() - timedelta(minutes=VIEW_MINUTES)
        return View("invalid", int(session.get("merchant_id") or 0), "", READ, started, started)


def _staff_keys() -> dict[str, Any]:
    return {key: session[key] for key in STAFF_KEYS if key in session}


def _details(view: View, **extra: Any) -> dict[str, Any]:
    return {
        "view_id": view.view_id,
        "mode": view.mode,
        "started_at": view.started_at.isoformat(),
        "expires_at": view.expires_at.isoformat(),
        **extra,
    }


def start_view(*, staff: Staff, merchant: Merchant, reason: str) -> View:
    """Open the merchant's portal to the agent, read-only, for 30 minutes; audited."""
    if current_view() is not None:
        end_view(actor=support_agent(staff.email), outcome="replaced")
    started = now()
    view = View(
        view_id=secrets.token_hex(8),
        merchant_id=merchant.id,
        reason=reason,
        mode=READ,
        started_at=started,
        expires_at=started + timedelta(minutes=VIEW_MINUTES),
    )
    rotate_session(
        **_staff_keys(),
        merchant_id=merchant.id,
        user={"email": staff.email, "name": staff.email},
        view_as=view.as_session(),
    )
    record(
        "support.view.start",
        actor=support_agent(staff.email),
        merchant=merchant,
        details=_details(view),
        reason=reason,
    )
    return view


def switch_to_write(*, view: View, reason: str, actor: Actor) -> View:
    """Let a support admin make changes for the rest of the view (a fresh session); audited."""
    elevated = View(
        view.view_id, view.merchant_id, view.reason, WRITE, view.started_at, view.expires_at
    )
    data = dict(session)
    data.pop("csrf_token", None)
    data["view_as"] = elevated.as_session()
    rotate_session(**data)
    record(
        "support.view.write",
        actor=actor,
        merchant=db.session.get(Merchant, view.merchant_id),
        details=_details(elevated),
        reason=reason,
    )
    return elevated


def end_view(*, actor: Actor, outcome: str = "ended") -> View | None:
    """Go back to the plain staff session (a fresh one); audited. None when no view was open."""
    view = current_view()
    if view is None:
        return None
    action = "support.view.expired" if outcome == "expired" else "support.view.end"
    record(
        action,
        actor=actor,
        merchant=db.session.get(Merchant, view.merchant_id),
        details=_details(view, ended_at=now().isoformat(), outcome=outcome),
    )
    rotate_session(**_staff_keys())
    return view
