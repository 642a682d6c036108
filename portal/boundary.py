"""The request boundary: request ids, and one commit per request decided by the outcome."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

from portal.extensions import db

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def init_app(app: Flask) -> None:
    """Attach the request-id and commit hooks."""
    app.before_request(assign_request_id)
    app.after_request(finish_transaction)


def assign_request_id() -> None:
    """Use the proxy's X-Request-ID when it is well formed, else a new one."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def finish_transaction(response: Response) -> Response:
    """Commit what the request changed when it succeeded; roll it all back otherwise."""
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response
