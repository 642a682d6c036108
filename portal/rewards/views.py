"""The Rewards page: each Pongo reward's SKUs checked against the POS catalogue."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.access import current_merchant, merchant_required
from portal.pongo.connection import NotConnected
from portal.pongo.errors import PongoError
from portal.pongo.merchant import pongo_client_for
from portal.rewards import export, services

bp = Blueprint("rewards", __name__, url_prefix="/rewards")


def _listing_args() -> dict[str, Any]:
    """The filter, search and tab the merchant was on, kept across a refresh and its redirect."""
    source = request.form if request.method == "POST" else request.args
    args: dict[str, Any] = {}
    if services.parse_status(source.get("status")):
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
    reviews = services.pos_rewards(current_merchant())
    response = Response(export.to_csv(reviews), mimetype="text/csv")
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
            count = services.refresh_rewards(merchant=merchant, client=client)
    except NotConnected:
        flash(_("Connect your Pongo account first."), "error")
        return redirect(back)
    except PongoError as error:
        flash(
            _("Your rewards were not refreshed: %(reason)s", reason=_(error.user_message)),
            "error",
        )
        return redirect(back)
    flash(_("%(count)d Pongo reward(s) fetched.", count=count), "success")
    return redirect(back)
