"""A staff sign-in in two steps: the password opens a pending sign-in, the second factor ends it.

While pending, the session holds only `signin_staff_id` and `signin_started_at`: no staff
page accepts it. The completed session holds the staff keys and `factor_at`, the time of
the last second-factor check, which switching a view to write mode wants recent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import session

from portal.audit.actor import Actor
from portal.audit.services import record
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.staff import Staff
from portal.security_log import security_event
from portal.sessions import begin_session

# The password step is good for this long; then the sign-in starts again.
PENDING_MINUTES = 10
# Switching a view to write mode asks for the factor again when the last check is older.
RECHECK_MINUTES = 15


def _time(key: str) -> datetime | None:
    try:
        return datetime.fromisoformat(str(session[key]))
    except (KeyError, TypeError, ValueError):
        return None


def start(staff: Staff) -> None:
    """The password was right: a fresh session that waits for the second factor."""
    begin_session(
        signin_staff_id=staff.id,
        signin_started_at=utcnow().isoformat(),
        **({"locale": session["locale"]} if session.get("locale") else {}),
    )


def pending_staff() -> Staff | None:
    """The active staff member whose password step this session holds, if still fresh."""
    started = _time("signin_started_at")
    if started is None or utcnow() - started > timedelta(minutes=PENDING_MINUTES):
        return None
    staff = db.session.get(Staff, session.get("signin_staff_id"))
    return staff if staff is not None and staff.active else None


def staff_actor(staff: Staff) -> Actor:
    """The staff member as the actor of a sign-in event."""
    return Actor(staff.email, "staff")


def complete(staff: Staff, *, action: str, details: dict[str, Any] | None = None) -> None:
    """The second factor was right: the signed-in staff session (a fresh one); audited."""
    now = utcnow()
    staff.last_login_at = now
    begin_session(
        staff_id=staff.id,
        staff_email=staff.email,
        staff_role=staff.role,
        factor_at=now.isoformat(),
        signed_in_at=now.isoformat(),
        **({"locale": session["locale"]} if session.get("locale") else {}),
    )
    record(action, actor=staff_actor(staff), merchant=None, details=details)
    security_event("staff_login", "success", staff_id=staff.id)


# Pages that ask for a fresh check, and where the check sends the staff member back.
RECHECKED_PAGES = frozenset({"support.switch_to_write", "support.manage_factor"})


def ask_recheck(endpoint: str) -> None:
    """Remember which page asked for a fresh check (one of RECHECKED_PAGES)."""
    session["recheck_for"] = endpoint if endpoint in RECHECKED_PAGES else "support.switch_to_write"


def note_recheck(staff: Staff) -> str:
    """The second factor was checked again just now; audited. The page to go back to."""
    session["factor_at"] = utcnow().isoformat()
    back = str(session.pop("recheck_for", ""))
    record("staff.factor.recheck", actor=staff_actor(staff), merchant=None)
    return back if back in RECHECKED_PAGES else "support.switch_to_write"


def factor_is_recent() -> bool:
    """True when this session checked the second factor in the last 15 minutes."""
    checked = _time("factor_at")
    return checked is not None and utcnow() - checked <= timedelta(minutes=RECHECK_MINUTES)


def session_is_current(staff: Staff) -> bool:
    """False for a session signed in without a second factor, or before the factor was reset."""
    signed_in = _time("signed_in_at")
    if signed_in is None:
        return False
    return staff.factor_reset_at is None or signed_in > staff.factor_reset_at
