"""The overview: onboarding checklist and health at a glance."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.access import current_merchant, merchant_required

bp = Blueprint("overview", __name__)


@bp.get("/")
@merchant_required
def index() -> str:
    """Show the checklist and the merchant's health."""
    return render_template("overview/index.html", merchant=current_merchant())
