"""The Connection page: connect, reconnect and disconnect Pongo."""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, current_app, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.access import current_merchant, merchant_required, never_while_viewing_as
from portal.config import Settings
from portal.connect import services
from portal.connect.forms import ConfirmForm
from portal.connect.oauth import pongo_oauth
from portal.extensions import limiter
from portal.pongo import PongoClient, PongoError
from portal.pongo.connection import forget_connection, get_connection, save_connection
from portal.pongo.merchant import pongo_settings
from portal.security_log import security_event

bp = Blueprint("connect", __name__, url_prefix="/connect")
logger = logging.getLogger(__name__)

OAUTH_MERCHANT_KEY = "oauth_merchant_id"


@bp.get("/")
@merchant_required
def index() -> str:
    """Show the connection state and the one-click actions."""
    merchant = current_merchant()
    return render_template(
        "connect/index.html",
        merchant=merchant,
        connection=get_connection(merchant),
        form=ConfirmForm(),
    )


@bp.post("/start")
@merchant_required
@never_while_viewing_as
@limiter.limit("20 per minute")
def start() -> Response:
    """Send the merchant to Pongo's consent form (state and PKCE kept in this session)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for(".index"))
    settings: Settings = current_app.extensions["portal.settings"]
    session[OAUTH_MERCHANT_KEY] = current_merchant().id
    response: Response = pongo_oauth().authorize_redirect(redirect_uri=settings.pongo_redirect_uri)
    return response


def _failure(reason: str, message: str, status: int) -> tuple[str, int]:
    security_event("oauth_callback", "failure", reason=reason, merchant=current_merchant().ref)
    return render_template("connect/failed.html", message=message), status


@bp.get("/callback")
@merchant_required
@never_while_viewing_as
@limiter.limit("20 per minute")
def callback() -> Response | tuple[str, int]:
    """Finish the OAuth dance: check state, exchange the code, identify the account, store."""
    merchant = current_merchant()
    settings: Settings = current_app.extensions["portal.settings"]
    if session.pop(OAUTH_MERCHANT_KEY, None) != merchant.id:
        return _failure(
            "no_pending_connection",
            _("This connection attempt is no longer valid. Please start again."),
            400,
        )
    try:
        token = pongo_oauth().authorize_access_token(grant_type=settings.pongo_token_grant_type)
    except AuthlibBaseError as exc:
        error = getattr(exc, "error", "oauth_error")
        if error == "access_denied":
            return _failure(
                "access_denied",
                _("You declined the connection on Pongo. Nothing was changed."),
                400,
            )
        if error == "mismatching_state":
            return _failure(
                "mismatching_state",
                _("This connection attempt is no longer valid. Please start again."),
                400,
            )
        return _failure(
            str(error), _("Pongo did not accept the connection. Please try again."), 400
        )
    except (requests.RequestException, ValueError, KeyError):
        logger.warning("Pongo token endpoint failed", exc_info=False)
        return _failure(
            "token_endpoint",
            _("Pongo is not answering right now. Please try again in a few minutes."),
            502,
        )
    try:
        tokens = services.token_set_from_authlib(token)
        with PongoClient(pongo_settings(), access_token=lambda: tokens.access_token) as pongo:
            account = pongo.me()
            user = g.get("user") or {}
            save_connection(
                merchant, tokens=tokens, account=account, actor=str(user.get("email", ""))
            )
            synced = services.first_sync(merchant, pongo)
    except (PongoError, KeyError, ValueError) as exc:
        message = getattr(exc, "user_message", "")
        return _failure("identity", _(message) if message else _("Pongo did not answer."), 502)
    security_event("oauth_callback", "success", merchant=merchant.ref)
    flash(_("Pongo is connected to the account %(name)s.", name=account.name), "success")
    if not synced:
        flash(
            _("Your stores and rewards could not be fetched yet: refresh them in a moment."),
            "warning",
        )
    return redirect(url_for(".index"))


@bp.post("/disconnect")
@merchant_required
@never_while_viewing_as
def disconnect() -> Response:
    """Forget the merchant's Pongo tokens (after the confirmation on the page)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        forget_connection(current_merchant())
        flash(_("Pongo is disconnected. Orders will not be relayed until you reconnect."), "info")
    return redirect(url_for(".index"))
