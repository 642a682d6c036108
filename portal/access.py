"""Access policies: every endpoint is public, merchant-only, staff-only or API-key-only.

An endpoint without a policy is refused, so a new route cannot be reachable by accident.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from portal.extensions import db
from portal.models.merchant import Merchant
from portal.models.staff import Staff
from portal.pongo.connection import read_merchant
from portal.security_log import security_event
from portal.sessions import end_session
from portal.support import signin

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")

PUBLIC, MERCHANT, STAFF, API = "public", "merchant", "staff", "api"
_ATTR = "_access_policy"


def _mark(policy: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        setattr(view, _ATTR, policy)
        return view

    return decorate


public = _mark(PUBLIC)
merchant_required = _mark(MERCHANT)
staff_required = _mark(STAFF)
api_key_required = _mark(API)


def blueprint_policy(bp: Blueprint, policy: str) -> None:
    """Give every endpoint of a blueprint the same policy unless a view says otherwise."""
    bp.access_policy = policy  # type: ignore[attr-defined]


def policy_of(endpoint: str | None) -> str | None:
    """The access policy of an endpoint, or None when it has none."""
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    marked = getattr(view, _ATTR, None)
    if marked:
        return str(marked)
    blueprint = current_app.blueprints.get(endpoint.rpartition(".")[0])
    return getattr(blueprint, "access_policy", None)


def enforce_access() -> None:
    """Before each request: apply the endpoint's policy, refuse endpoints without one."""
    if request.endpoint is None:  # 404 and 405 are answered by routing
        return
    policy = policy_of(request.endpoint)
    if policy is None:
        security_event("authz", "denied", reason="endpoint without policy", path=request.path)
        abort(403)
    if policy == MERCHANT:
        if session.get("staff_id"):
            # A staff session reaches merchant pages only through an active "view as merchant".
            if not session.get("view_as") or not session.get("merchant_id"):
                security_event("authz", "denied", reason="staff without view-as", path=request.path)
                abort(403)
            load_staff()
        load_merchant()
    elif policy == STAFF:
        if not session.get("staff_id"):
            refuse_staff_page()
        load_staff()


def refuse_staff_page() -> None:
    """A request for a staff page without a staff session: 403 for merchants, else sign in."""
    if session.get("merchant_id"):
        security_event("authz", "denied", reason="merchant on staff page", path=request.path)
        abort(403)
    if request.method == "GET":
        abort(redirect(url_for("support.login")))
    abort(401)


def load_staff() -> Staff:
    """The staff member of this session; a deactivated account loses its session at once."""
    staff_id = session.get("staff_id")
    staff = db.session.get(Staff, staff_id) if staff_id else None
    if staff is None or not staff.active:
        security_event("authz", "denied", reason="staff account inactive", path=request.path)
        end_session()
        abort(401)
    if not signin.session_is_current(staff):
        security_event("authz", "denied", reason="staff session without factor", path=request.path)
        end_session()
        abort(redirect(url_for("support.login")) if request.method == "GET" else 401)
    g.staff = staff
    return staff


def current_staff() -> Staff:
    """The support agent making this request (staff pages and views as a merchant)."""
    staff: Staff = g.staff
    return staff


def load_merchant() -> Merchant:
    """The merchant of this session, or 401 when there is none."""
    merchant_id = session.get("merchant_id")
    merchant: Merchant | None = None
    if merchant_id and request.method == "GET":
        # A page: its connection is read with it. A change reads the connection afresh.
        merchant = read_merchant(merchant_id)
    elif merchant_id:
        merchant = db.session.get(Merchant, merchant_id)
    if merchant is None:
        abort(401)
    g.merchant = merchant
    g.user = session.get("user", {})
    return merchant


def current_merchant() -> Merchant:
    """The merchant whose portal this request shows."""
    merchant: Merchant = g.merchant
    return merchant


def get_or_404(model: type[M], merchant: Merchant, **by: str) -> M:
    """The merchant's row of this model matching ``by`` (e.g. ``ref=``), or 404.

    The one loader for a merchant's data: another merchant's row is not found either.
    """
    row = db.session.scalar(select(model).filter_by(merchant_id=merchant.id, **by))
    if row is None:
        abort(404)
    return row


# Endpoints a support agent may never reach while viewing as a merchant, in any mode: they
# connect, reconnect or disconnect Pongo or show secrets. Listed here so that they stay blocked
# even where a view forgets @never_while_viewing_as.
FORBIDDEN_WHILE_VIEWING = frozenset({"connect.start", "connect.callback", "connect.disconnect"})
_NEVER_WHILE_VIEWING = "_never_while_viewing_as"


class RefusedWhileViewing(Forbidden):
    """A request a support agent may not make while viewing as a merchant."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.portal_message = message


def never_while_viewing_as(view: F) -> F:
    """Mark a view (Pongo connection, secrets) as refused while support views as a merchant.

    The support guard refuses marked endpoints before the view runs; the wrapper refuses
    again at call time in case the view is reached some other way.
    """

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if session.get("view_as"):
            raise RefusedWhileViewing(
                _("Support view: this action is never allowed while viewing as a merchant.")
            )
        return view(*args, **kwargs)

    setattr(guarded, _NEVER_WHILE_VIEWING, True)
    return guarded  # type: ignore[return-value]  # functools.wraps keeps the signature


def forbidden_while_viewing(endpoint: str) -> bool:
    """True for endpoints refused to support agents viewing as a merchant, whatever the mode."""
    if endpoint in FORBIDDEN_WHILE_VIEWING:
        return True
    return bool(getattr(current_app.view_functions.get(endpoint), _NEVER_WHILE_VIEWING, False))
