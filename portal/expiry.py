"""After the idle limit: the page that says so, with the way back to the POS admin panel.

The last launch's return URL is kept in a signed cookie of its own, apart from the session,
so that it outlives the session it came with.
"""

from __future__ import annotations

from flask import current_app, render_template, request, session
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from portal import config
from portal.urls import under_origin

SALT = "portal.return-url"


def _cookie_name() -> str:
    secure = str(current_app.config["SESSION_COOKIE_NAME"]).startswith("__Host-")
    return "__Host-portal_return" if secure else "portal_return"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def remember_return(response: Response, return_url: str | None) -> None:
    """Keep the launch's return URL in its own signed cookie (a launch without one keeps it)."""
    if not return_url:
        return
    name = _cookie_name()
    response.set_cookie(
        name,
        _serializer().dumps(return_url),
        max_age=current_app.config["SESSION_ABSOLUTE_HOURS"] * 3600 * 30,
        httponly=True,
        secure=name.startswith("__Host-"),
        samesite="Lax",
        path="/",
    )


def remembered_return() -> str | None:
    """The last launch's return URL from its cookie, if signed here and still on the POS."""
    value = request.cookies.get(_cookie_name())
    if not value or len(value) > 4000:
        return None
    try:
        url = _serializer().loads(value)
    except BadSignature:
        return None
    return under_origin(url, config.current().pos_admin_origin)


def session_expired() -> bool:
    """Whether the browser holds a session cookie whose session is over (idle or too old)."""
    cookie = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    return bool(cookie) and not session.get("merchant_id") and not session.get("staff_id")


def expired_page() -> tuple[str, int]:
    """The page after the idle limit; a form sent then says plainly it was not saved."""
    page = render_template(
        "errors/expired.html",
        return_url=remembered_return(),
        not_saved=request.method not in ("GET", "HEAD"),
        minutes=current_app.config["SESSION_IDLE_MINUTES"],
    )
    return page, 401
