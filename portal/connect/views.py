"""The Connection page: connect, reconnect and disconnect Pongo."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from portal import config
from portal.access import current_merchant, merchant_required, never_while_viewing_as
from portal.audit.actor import actor_from_request
from portal.connect import oauth, services
from portal.connect.banners import waiting_orders
from portal.connect.forms import ConfirmForm
from portal.connect.scopes import permission_words
from portal.extensions import limiter
from portal.pongo.connection import forget_connection, request_connection
from portal.security_log import security_event
from portal.sync.services import mail_enabled

bp = Blueprint("connect", __name__, url_prefix="/connect")

P = ParamSpec("P")
R = TypeVar("R")


def _connecting(view: Callable[P, R]) -> Callable[P, R]:
    """A step of connecting Pongo: the merchant's own (never support's), at most 20 a minute."""
    return merchant_required(never_while_viewing_as(limiter.limit("20 per minute")(view)))


@bp.get("/")
@merchant_required
def index() -> str:
    """Show the connection state and the one-click actions."""
    merchant = current_merchant()
    connection = request_connection(merchant)
    return render_template(
        "connect/index.html",
        merchant=merchant,
        connection=connection,
        permissions=permission_words(connection.scopes if connection else None),
        form=ConfirmForm(),
        mail_enabled=mail_enabled(merchant),
    )


@bp.post("/start")
@_connecting
def start() -> Response | tuple[str, int]:
    """Send the merchant to Pongo's consent form (state and PKCE kept in this session)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for(".index"))
    if not services.consent_form_answers():
        return render_template("connect/failed.html", message=_(services.NOT_ANSWERING)), 503
    return oauth.start_authorization(current_merchant())


@bp.get("/callback")
@_connecting
def callback() -> Response | tuple[str, int]:
    """Complete the connection Pongo's consent form sent the merchant back for."""
    merchant = current_merchant()
    outcome = services.complete_connection(
        merchant,
        callback=oauth.take_callback(merchant, request.args),
        actor=actor_from_request(),
    )
    if not outcome.connected:
        security_event("oauth_callback", "failure", reason=outcome.reason, merchant=merchant.ref)
        return render_template("connect/failed.html", message=_(outcome.message)), outcome.status
    security_event("oauth_callback", "success", merchant=merchant.ref)
    flash(_("Pongo is connected to the account %(name)s.", name=outcome.account_name), "success")
    if not outcome.synced:
        flash(
            _("Your stores and rewards could not be fetched yet: refresh them in a moment."),
            "warning",
        )
    waiting = waiting_orders(merchant)
    if waiting:
        # Orders paused for the connection go out on the relay's next round: say so, and
        # show them rather than the next setup step.
        flash(
            ngettext(
                "%(num)d waiting order is on its way to Pongo: it earns its points now.",
                "%(num)d waiting orders are on their way to Pongo: they earn their points now.",
                waiting,
            ),
            "success",
        )
        return redirect(url_for("orders.index"))
    return redirect(url_for(".index"))


@bp.post("/disconnect")
@merchant_required
@never_while_viewing_as
def disconnect() -> Response:
    """Forget the merchant's Pongo tokens (after the confirmation on the page)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        forget_connection(current_merchant(), actor=actor_from_request())
        days = config.current().orders.paused_days
        flash(
            _(
                "Pongo is disconnected. New orders wait, paused, until you reconnect, "
                "for up to %(days)d days; nothing is lost meanwhile.",
                days=days,
            ),
            "info",
        )
    return redirect(url_for(".index"))
