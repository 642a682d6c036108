"""Error pages in the layout, JSON errors for the API, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.wrappers import Response

from portal.expiry import expired_page, session_expired
from portal.extensions import db
from portal.security_log import security_event

logger = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please try again.")),
    401: (_l("Sign-in needed"), _l("Open the portal again from your POS admin panel.")),
    403: (_l("Not allowed"), _l("You do not have access to this page or action.")),
    404: (_l("Page not found"), _l("This page does not exist or is not yours to see.")),
    405: (_l("Not allowed"), _l("This action is not available here.")),
    413: (_l("Too large"), _l("What you sent is larger than the portal accepts.")),
    422: (_l("Check your input"), _l("Some of what you sent is not valid.")),
    429: (_l("Too many attempts"), _l("Please wait a minute before trying again.")),
    500: (_l("Something went wrong"), _l("The error was recorded. Please try again later.")),
}


def wants_json() -> bool:
    """API callers get JSON errors; people get pages."""
    return request.path.startswith("/api/")


def render_error(status: int, message: str | None = None) -> tuple[str | Response, int]:
    """An error answer in the form the caller expects, from a clean transaction."""
    # The layout's banners query the database: after a failed statement the session's
    # transaction refuses every query until it is rolled back, and the error page would fail.
    db.session.rollback()
    title, default = MESSAGES.get(status, MESSAGES[500])
    text = message or str(default)
    if wants_json():
        return jsonify({"error": str(title), "message": text}), status
    # An error page offers no next setup step: the page's own data may be what failed.
    g.error_page = True
    return render_template("errors/error.html", status=status, title=title, message=text), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str | Response, int]:
        security_event("csrf", "failure", path=request.path)
        if session_expired():
            return expired_page()
        return render_error(400, str(_l("The form expired. Please reload the page and retry.")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str | Response, int] | Response:
        status = error.code or 500
        if status == 429:
            security_event("rate_limit", "failure", path=request.path)
        if status < 400:  # routing redirects are exceptions too
            return error.get_response()
        if status == 401 and not wants_json() and session_expired():
            return expired_page()
        return render_error(status, getattr(error, "portal_message", None))

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str | Response, int]:
        logger.exception("Unhandled error on %s", request.path)
        return render_error(InternalServerError.code)
