"""The one place that polices a support agent's "view as merchant".

Run in front of every view by portal/lifecycle.py, before the access policies, it:
ends views whose 30 minutes are up; refuses every write to the merchant's portal in read
mode, and the Pongo connection and secret endpoints in any mode; audits each page viewed
and each action; and puts the support banner on every page.
"""

from __future__ import annotations

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.access import (
    API,
    MERCHANT,
    RefusedWhileViewing,
    forbidden_while_viewing,
    policy_of,
)
from portal.audit.actor import Actor, actor_from_request
from portal.audit.services import record, record_now
from portal.extensions import db
from portal.models.merchant import Merchant
from portal.security_log import security_event
from portal.support import viewas

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Non-GET endpoints a support agent may call while viewing as a merchant, in read mode too:
# they only change the support session itself. Every other write is refused in read mode;
# tests/support/test_guard.py fails when a new write route appears that is not classified.
PERMITTED_WHILE_VIEWING = frozenset(
    {
        "support.end_view",
        "support.switch_to_write",
        "support.start_view",
        "support.logout",
        "entry.logout",
        "i18n.switch_language",
    }
)

LOGOUTS = frozenset({"support.logout", "entry.logout"})


def guard_view_as() -> Response | None:
    """Before each request of a session viewing as a merchant: expire, refuse, audit, banner."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return None
    view = viewas.current_view()
    if view is None:
        return None
    actor = actor_from_request()
    if view.expired(viewas.now()):
        if endpoint in LOGOUTS:  # signing out ends the view anyway; let the sign-out happen
            viewas.end_view(actor=actor, outcome="expired")
            return None
        return expire(view, actor)
    policy = policy_of(endpoint)
    if policy == API:  # the POS API authenticates by key, never by this session
        return None
    g.setdefault("banners", []).append(banner(view))
    if forbidden_while_viewing(endpoint):
        refuse(
            view,
            endpoint,
            _("Support view: this action is never allowed while viewing as a merchant."),
            actor,
        )
    if request.method not in SAFE_METHODS and endpoint not in PERMITTED_WHILE_VIEWING:
        if not _may_write(view, endpoint):
            refuse(view, endpoint, _("Read-only support view: this action is not allowed."), actor)
        details = {**_request_details(endpoint), "view_id": view.view_id}
        record("support.action", actor=actor, merchant=_merchant(view), details=details)
    elif policy == MERCHANT and request.method == "GET":
        details = {"path": request.path, "view_id": view.view_id}
        record("support.page_view", actor=actor, merchant=_merchant(view), details=details)
    return None


def _may_write(view: viewas.View, endpoint: str) -> bool:
    """The guard's rule for a write while viewing: never-allowed endpoints, else the mode."""
    if forbidden_while_viewing(endpoint):
        return False
    if endpoint in PERMITTED_WHILE_VIEWING:
        return True
    return view.mode == viewas.WRITE and policy_of(endpoint) == MERCHANT


def can_write(endpoint: str) -> bool:
    """Whether a form posting to `endpoint` would pass the guard (templates disable it if not)."""
    view = viewas.current_view()
    return view is None or view.expired(viewas.now()) or _may_write(view, endpoint)


def _merchant(view: viewas.View) -> Merchant | None:
    return db.session.get(Merchant, view.merchant_id)


def _request_details(endpoint: str) -> dict[str, str]:
    return {"endpoint": endpoint, "method": request.method, "path": request.path}


def refuse(view: viewas.View, endpoint: str, message: str, actor: Actor) -> None:
    """Answer 403 with a clear page; the refusal is audited outside the rolled-back request."""
    details = {**_request_details(endpoint), "mode": view.mode, "view_id": view.view_id}
    record_now("support.action.refused", actor=actor, merchant_id=view.merchant_id, details=details)
    security_event("authz", "denied", reason="support view", mode=view.mode, endpoint=endpoint)
    raise RefusedWhileViewing(message)


def expire(view: viewas.View, actor: Actor) -> Response:
    """The view's time is up: back to the plain staff session and the console."""
    merchant = _merchant(view)
    viewas.end_view(actor=actor, outcome="expired")
    name = merchant.name if merchant else "?"
    flash(_("Your view of %(merchant)s ended after 30 minutes.", merchant=name), "info")
    return redirect(url_for("support.index"))


def banner(view: viewas.View) -> dict[str, str]:
    """Who is viewing, as which merchant, until when, and the buttons to end or elevate."""
    merchant = _merchant(view)
    values = {
        "staff": session.get("staff_email", "?"),
        "merchant": merchant.name if merchant else "?",
        "until": format_time(view.expires_at, "short"),
    }
    if view.mode == viewas.WRITE:
        text = _(
            "Support view: %(staff)s is acting as %(merchant)s, changes allowed, until %(until)s.",
            **values,
        )
    else:
        text = _(
            "Support view: %(staff)s is viewing as %(merchant)s, read-only, until %(until)s.",
            **values,
        )
    entry = {
        "kind": "support",
        "icon": "✎" if view.mode == viewas.WRITE else "◉",
        "text": text,
        "form_url": url_for("support.end_view"),
        "form_label": _("End"),
        "mode": view.mode,
    }
    if view.mode == viewas.READ and session.get("staff_role") == "support-admin":
        entry["action_url"] = url_for("support.switch_to_write")
        entry["action_label"] = _("Switch to write mode")
    return entry


def init_app(app: Flask) -> None:
    """Offer `can_write` to templates; portal/lifecycle.py runs the guard before access."""
    app.add_template_global(can_write)
