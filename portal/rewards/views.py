"""The Rewards page: each Pongo reward's SKUs checked against the POS catalogue."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from portal.access import current_merchant, get_or_404, merchant_required
from portal.audit.actor import actor_from_request
from portal.models.rewards import PongoReward
from portal.pongo.connection import NotConnected
from portal.pongo.errors import PongoError
from portal.pongo.merchant import pongo_client_for
from portal.rewards import export, hints, reviews, services
from portal.rewards.checks import RewardStatus
from portal.rewards.forms import REASON_LABELS, ReviewForm
from portal.untrusted import report_unreadable

bp = Blueprint("rewards", __name__, url_prefix="/rewards")


def url_if_exists(endpoint: str, **values: Any) -> str | None:
    """A link to another page of the portal, or None while that page does not exist yet."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.context_processor
def rewards_helpers() -> dict[str, Any]:
    """Helpers of the Rewards templates: optional links and the review reasons' labels."""
    return {
        "url_if_exists": url_if_exists,
        "reason_labels": REASON_LABELS,
        "diff_pieces": hints.diff_pieces,
        "names_related_any": hints.names_related_any,
    }


def _listing_args() -> dict[str, Any]:
    """The filter, search and tab the merchant was on, kept across a refresh and its redirect."""
    source = request.form if request.method == "POST" else request.args
    args: dict[str, Any] = {}
    if services.parse_filter(source.get("status")):
        args["status"] = source.get("status")
    if source.get("q", "").strip():
        args["q"] = source.get("q", "").strip()[: services.MAX_QUERY]
    if source.get("view") == "locations":
        args["view"] = "locations"
    return args


@bp.get("")
@merchant_required
def index() -> str:
    """List the rewards with their SKUs' classification, filtered and searched."""
    args = _listing_args()
    listing = services.rewards_page(
        merchant=current_merchant(),
        status=args.get("status"),
        query=args.get("q", ""),
        view=args.get("view", "rewards"),
        page=request.args.get("page", 1, type=int) or 1,
        where_page=request.args.get("where_page", 1, type=int) or 1,
    )
    return render_template("rewards/index.html", listing=listing)


@bp.get("/export.csv")
@merchant_required
def export_csv() -> Response:
    """Download every reward's SKU tokens with their classification."""
    reviewed = services.pos_rewards(current_merchant())
    response = Response(export.to_csv(reviewed), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    # A fixed file name: the merchant's reference is not trusted inside a header.
    response.headers["Content-Disposition"] = 'attachment; filename="pongo-rewards.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/refresh")
@merchant_required
def refresh() -> Response:
    """Fetch the merchant's rewards from Pongo again."""
    merchant = current_merchant()
    back = url_for("rewards.index", **_listing_args())
    try:
        with pongo_client_for(merchant) as client:
            count = services.refresh_rewards(
                merchant=merchant, client=client, actor=actor_from_request()
            )
            report_unreadable("rewards", client.unreadable)
    except NotConnected:
        flash(_("Connect your Pongo account first."), "error")
        return redirect(back)
    except PongoError as error:
        flash(
            _("Your rewards were not refreshed: %(reason)s", reason=_(error.user_message)),
            "error",
        )
        return redirect(back)
    flash(
        ngettext("%(num)d Pongo reward fetched.", "%(num)d Pongo rewards fetched.", count),
        "success",
    )
    return redirect(back)


@bp.post("/<public_id>/review")
@merchant_required
def review(public_id: str) -> Response:
    """Mark a flagged reward as reviewed for its current SKUs, with a reason."""
    merchant = current_merchant()
    get_or_404(PongoReward, merchant, public_id=public_id)
    back = url_for("rewards.index", **_listing_args(), _anchor=f"row-{public_id}")
    form = ReviewForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(back)
    try:
        entry = services.review_as_is(
            merchant=merchant,
            public_id=public_id,
            reason=reviews.ReviewReason(form.reason.data),
            note=form.note.data,
            actor=actor_from_request(),
        )
    except services.RewardNotFound:
        abort(404)
    name = entry.review.name
    if entry.review.status is RewardStatus.READY:
        flash(_("“%(name)s” is ready: it needs no review.", name=name), "info")
    else:
        flash(_("“%(name)s” is marked as reviewed.", name=name), "success")
    return redirect(back)


@bp.post("/<public_id>/unreview")
@merchant_required
def unreview(public_id: str) -> Response:
    """Withdraw the review of a reward: it needs the merchant's attention again."""
    merchant = current_merchant()
    name = get_or_404(PongoReward, merchant, public_id=public_id).name
    back = url_for("rewards.index", **_listing_args(), _anchor=f"row-{public_id}")
    if reviews.unmark_reviewed(
        merchant=merchant, public_id=public_id, name=name, actor=actor_from_request()
    ):
        flash(_("The review of “%(name)s” was withdrawn.", name=name), "success")
    return redirect(back)
