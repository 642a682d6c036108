"""The request lifecycle, in one place: every step a request of the portal goes through, in order.

Around the application (WSGI): the proxy's forwarded headers are trusted for as many hops as
configured, then a chunked body is measured against the size limit.
Flask then opens the server-side session, before any step below.
Before the view, in this order:
  1. the timer starts, so that whatever answers (a refusal too) is timed;
  2. the request gets its id, so that every log line carries it (a CSRF failure too);
  3. an oversized body is refused, before anything reads a form;
  4. the CSRF token of a form is checked (Flask-WTF);
  5. rate limits are applied (Flask-Limiter);
  6. control characters in the path, query or form are refused, before any policy reads them;
  7. a support agent's view as a merchant is policed: an expired view ends before access;
  8. the endpoint's access policy is applied.
After the view, in this order: the time is recorded, the security headers are set, the
transaction is committed or rolled back by the outcome (with the request id on the answer),
and Flask-Limiter adds its headers; Flask saves the session last of all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import access, boundary, config, headers, metrics, untrusted
from portal.extensions import csrf, limiter
from portal.sessions import DatabaseSessionInterface
from portal.support import guard

AFTER: tuple[Callable[[Response], Response], ...] = (
    metrics.observe_page,
    headers.secure_headers,
    boundary.finish_transaction,
)


def _before(app: Flask, *steps: Callable[[], Any]) -> None:
    for step in steps:
        app.before_request(step)


def finish_request(response: Response) -> Response:
    """After the view: each step of AFTER in turn."""
    for step in AFTER:
        response = step(response)
    return response


def init_app(app: Flask) -> None:
    """Install every step of a request, in the order a request meets them."""
    app.wsgi_app = boundary.BodyLimit(app.wsgi_app, app)  # type: ignore[method-assign]
    hops = config.of(app).proxy_hops
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.session_interface = DatabaseSessionInterface()
    _before(app, metrics.start_timer, boundary.assign_request_id, boundary.refuse_oversized_body)
    # These two install their own before-request check, here in the order; Flask-Limiter's
    # after-request headers, installed now, run after the portal's (Flask runs the
    # after-request hooks last installed first).
    csrf.init_app(app)
    limiter.init_app(app)
    _before(app, untrusted.refuse_control_characters, guard.guard_view_as, access.enforce_access)
    app.after_request(finish_request)
