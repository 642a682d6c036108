"""The overview: onboarding checklist and health at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template, session

from portal.access import current_merchant, merchant_required
from portal.drift.services import changes_since_last_visit
from portal.orders.services import pongo_outage
from portal.overview.services import overview_for

bp = Blueprint("overview", __name__)


@bp.get("/")
@merchant_required
def index() -> str:
    """Show the checklist and the merchant's health."""
    merchant = current_merchant()
    return render_template(
        "overview/index.html",
        merchant=merchant,
        overview=overview_for(merchant),
        changes=changes_since_last_visit(merchant, mark_shown=not session.get("view_as")),
        outage=pongo_outage(merchant),
    )
