"""The merchant's access log page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from portal.access import current_merchant, merchant_required
from portal.audit.log import access_log as load_access_log
from portal.listing import parse_page

bp = Blueprint("audit", __name__)


@bp.get("/access-log")
@merchant_required
def access_log() -> str:
    """Who opened and changed the merchant's portal, support access highlighted."""
    lines, pagination = load_access_log(
        merchant=current_merchant(), page=parse_page(request.args.get("page"))
    )
    return render_template("audit/access_log.html", lines=lines, pagination=pagination)
