"""The Rewards page: each Pongo reward's SKUs checked against the POS catalogue."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
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
from portal.audit.actions import name_detail_values
from portal.audit.actor import actor_from_request
from portal.models.rewards import PongoReward
from portal.pongo_refresh import refresh_from_pongo
from portal.rewards import entries, export, markup, operations, pages, reviews
from portal.rewards.checks import RewardStatus
from portal.rewards.forms import REASON_LABELS, ReviewForm, UnreviewForm

bp = Blueprint("rewards", __name__, url_prefix="/rewards")
# The access log says why a reward was reviewed in words, not by the reason's code.
bp.record_once(
    lambda _: name_detail_values("reason", {r.value: label for r, label in REASON_LABELS.items()})
)


@bp.context_processor
def rewards_rows() -> dict[str, Any]:
    """The rows of the Rewards table, written in Python: the template lays out the rest."""
    return {"reward_rows": markup.reward_rows}


def _asked() -> pages.RewardsQuery:
    """The filter, search and tab the merchant is on, kept across a POST and its redirect."""
    return pages.RewardsQuery.parse(request.form if request.method == "POST" else request.args)


@bp.get("")
@merchant_required
def index() -> str:
    """List the rewards with their SKUs' check, filtered and searched."""
    listing = pages.rewards_page(
        merchant=current_merchant(),
        asked=_asked(),
        page=request.args.get("page", 1, type=int) or 1,
        where_page=request.args.get("where_page", 1, type=int) or 1,
    )
    return render_template("rewards/index.html", listing=listing)


@bp.get("/export.csv")
@merchant_required
def export_csv() -> Response:
    """Download every reward's SKU tokens with their check."""
    checks = entries.pos_rewards(current_merchant())
    response = Response(export.to_csv(checks), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    # A fixed file name: the merchant's reference is not trusted inside a header.
    response.headers["Content-Disposition"] = 'attachment; filename="pongo-rewards.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/refresh")
@merchant_required
def refresh() -> Response:
    """Fetch the merchant's rewards from Pongo again."""
    back = url_for("rewards.index", **_asked().args())
    refresh_from_pongo(
        operations.refresh_rewards,
        "rewards",
        done=_fetched_message,
        failed=lambda reason: _("Your rewards were not refreshed: %(reason)s", reason=reason),
    )
    return redirect(back)


def _fetched_message(fetched: operations.RewardsFetched) -> str:
    """What a refresh brought, in the merchant's words: how many, and what changed."""
    count = ngettext(
        "%(num)d Pongo reward fetched.", "%(num)d Pongo rewards fetched.", fetched.count
    )
    if not fetched.compared:
        return str(count)
    if not (fetched.added or fetched.changed or fetched.removed):
        return " ".join((str(count), _("Nothing changed since the last fetch.")))
    parts = [
        ngettext("%(num)d new", "%(num)d new", fetched.added),
        ngettext("%(num)d changed", "%(num)d changed", fetched.changed),
        ngettext("%(num)d removed", "%(num)d removed", fetched.removed),
    ]
    counts = (fetched.added, fetched.changed, fetched.removed)
    changes = ", ".join(str(part) for part, n in zip(parts, counts, strict=True) if n)
    return " ".join((str(count), _("Since the last fetch: %(changes)s.", changes=changes)))


@bp.post("/<public_id>/review")
@merchant_required
def review(public_id: str) -> Response:
    """Mark a flagged reward as reviewed for its current SKUs, with a reason."""
    merchant = current_merchant()
    get_or_404(PongoReward, merchant, public_id=public_id)
    back = url_for("rewards.index", **_asked().args(), _anchor=f"row-{public_id}")
    form = ReviewForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(back)
    try:
        entry = operations.review_as_is(
            merchant=merchant,
            public_id=public_id,
            reason=reviews.ReviewReason(form.reason.data),
            note=form.note.data,
            actor=actor_from_request(),
            drawn=form.version.data or "",
        )
    except operations.RewardNotFound:
        abort(404)
    except reviews.ReviewChanged:
        flash(_changed_elsewhere(), "error")
        return redirect(back)
    name = entry.check.name
    if entry.check.status is RewardStatus.READY:
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
    back = url_for("rewards.index", **_asked().args(), _anchor=f"row-{public_id}")
    form = UnreviewForm()
    if not form.validate_on_submit():
        return redirect(back)
    try:
        withdrawn = reviews.unmark_reviewed(
            merchant=merchant,
            public_id=public_id,
            name=name,
            actor=actor_from_request(),
            drawn=form.version.data or "",
        )
    except reviews.ReviewChanged:
        flash(_changed_elsewhere(), "error")
        return redirect(back)
    if withdrawn:
        flash(_("The review of “%(name)s” was withdrawn.", name=name), "success")
    return redirect(back)


def _changed_elsewhere() -> str:
    """What the merchant reads when a review changed in another tab or by someone else."""
    return str(
        _(
            "This review was changed elsewhere since the page was opened: your change was not "
            "saved. The row shows the review as it is now."
        )
    )
