"""Launch from the POS admin panel, sign out, and the demo POS admin panel."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal import config
from portal.access import merchant_required, public
from portal.entry import services
from portal.entry.demo import demo_launch_links
from portal.entry.tokens import LaunchFailure, LaunchRefused
from portal.expiry import remember_return
from portal.extensions import limiter
from portal.i18n import normalise_locale
from portal.security_log import security_event
from portal.sessions import end_session, extend_session
from portal.urls import under_origin

bp = Blueprint("entry", __name__)

# Pages a launch `target` may open; anything else opens the overview.
TARGETS = {
    "overview": "overview.index",
    "connection": "connect.index",
    "connect": "connect.index",
    "locations": "locations.index",
    "rewards": "rewards.index",
    "orders": "orders.index",
    "products": "products.index",
    "access_log": "audit.access_log",
}

STATUS = {
    LaunchFailure.MALFORMED: 400,
    LaunchFailure.MISSING_CLAIM: 400,
    LaunchFailure.REPLAYED: 403,
}


def failure_message(failure: LaunchFailure) -> str:
    """What the merchant reads when a launch link is refused."""
    if failure in (LaunchFailure.EXPIRED, LaunchFailure.NOT_YET_VALID):
        return str(_("This link has expired. Open the portal again from your POS admin panel."))
    if failure is LaunchFailure.REPLAYED:
        return str(
            _("This link was already used. Open the portal again from your POS admin panel.")
        )
    return str(_("This link is not valid. Open the portal again from your POS admin panel."))


@bp.get("/launch")
@public
@limiter.limit("30 per minute")
def launch() -> Response | tuple[str, int]:
    """Check the signed link-out, then open the portal in a fresh session."""
    settings = config.current()
    try:
        claims = services.check_launch(
            request.args.get("token"), secret=settings.launch.secret, issuer=settings.launch.issuer
        )
    except LaunchRefused as refused:
        # A refused link changes nothing: the browser's session, if any, stays as it was.
        security_event("launch", "failure", reason=refused.failure.value, detail=refused.detail)
        status = STATUS.get(refused.failure, 401)
        page = render_template(
            "entry/refused.html", message=failure_message(refused.failure), status=status
        )
        return page, status
    return_url = under_origin(claims.unsafe_return_url, settings.pos_admin_origin)
    merchant = services.enter(claims, return_url=return_url, locale=normalise_locale(claims.locale))
    security_event("launch", "success", merchant=merchant.ref)
    endpoint = TARGETS.get(claims.target or "overview", "overview.index")
    if endpoint not in current_app.view_functions:
        endpoint = "overview.index"
    anchor = f"row-{claims.target_ref}" if claims.target_ref else None
    if endpoint == "products.index" and claims.target_ref:
        # 50,000 products do not fit one page: the list opens on that product alone.
        response = redirect(url_for(endpoint, product=claims.target_ref, _anchor=anchor))
    else:
        response = redirect(url_for(endpoint, _anchor=anchor))
    remember_return(response, return_url)
    return response


@bp.post("/session/stay")
@merchant_required
def stay() -> tuple[str, int]:
    """Keep the session open: the warning's "Stay signed in" (the idle limit starts again)."""
    extend_session()
    return "", 204


@bp.post("/logout")
@public
def logout() -> str:
    """End this browser's session on the server."""
    return_url = session.get("return_url")
    end_session()
    return render_template("entry/signed_out.html", return_url=return_url)


@bp.get("/demo/pos-admin")
@public
def demo_pos_admin() -> Response:
    """A stand-in for the POS admin panel, with fresh launch links (demo mode only)."""
    if not config.current().demo:
        abort(404)
    response = make_response(
        render_template("entry/demo_pos_admin.html", merchants=demo_launch_links())
    )
    response.headers["Cache-Control"] = "no-store"
    return response
