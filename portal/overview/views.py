"""The overview: onboarding checklist and health at a glance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, session, url_for

from portal.access import current_merchant, merchant_required
from portal.drift.services import changes_since_last_visit
from portal.overview.services import SetupGuide, overview_for

bp = Blueprint("overview", __name__)


def step_url(guide: SetupGuide, step: str) -> str:
    """The page of a setup step, opened on the first row the step still needs."""
    if step == "locations":
        first = guide.locations.first_orphaned or guide.locations.first_unlinked
        if first:
            return url_for("locations.index", focus=first.ref, _anchor=f"row-{first.ref}")
        return url_for("locations.index")
    if step == "rewards":
        first_reward = guide.rewards.first_to_review
        return url_for("rewards.index", _anchor=f"row-{first_reward}" if first_reward else None)
    return url_for("connect.index")


@bp.app_context_processor
def guide_helpers() -> dict[str, Any]:
    """The setup guide's links, for the overview and the "Next" action of other pages."""
    return {"step_url": step_url}


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
    )
