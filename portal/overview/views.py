"""The overview: onboarding checklist and health at a glance."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template, request, url_for

from portal.access import current_merchant, merchant_required
from portal.orders.services import pongo_outage
from portal.overview.services import SetupGuide, next_step_guide, overview_for
from portal.sync.services import changes_since_last_visit

bp = Blueprint("overview", __name__)

# Pages that offer the setup's next action once their own step is done, with that step.
# The guide is handed to them here, so that their packages need not import the overview.
NEXT_STEP_PAGES = {
    "connect.index": "connect",
    "locations.index": "locations",
    "rewards.index": "rewards",
}


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
    """The setup guide's links, and the guide itself on the pages that offer a next action."""
    helpers: dict[str, Any] = {"step_url": step_url}
    here = NEXT_STEP_PAGES.get(request.endpoint or "")
    # An error page rendered for one of these endpoints may have no merchant to guide.
    merchant = g.get("merchant")
    if here and merchant is not None and not g.get("error_page"):
        helpers |= {"guide": next_step_guide(merchant, here), "here": here}
    return helpers


@bp.get("/")
@merchant_required
def index() -> str:
    """Show the checklist and the merchant's health."""
    merchant = current_merchant()
    return render_template(
        "overview/index.html",
        merchant=merchant,
        overview=overview_for(merchant),
        changes=changes_since_last_visit(merchant),
        outage=pongo_outage(merchant),
    )
