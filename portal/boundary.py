"""The request boundary: body size, request ids, and one commit per request by its outcome.

portal/lifecycle.py installs each of these at its place in a request.
"""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask, Response, abort, g, request
from werkzeug.wsgi import ClosingIterator

from portal.extensions import db

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_TOO_LARGE = "portal.body_too_large"
_CHUNK = 64 * 1024
# Bodies up to this size stay in memory while they are measured; larger ones go to a file.
_IN_MEMORY = 1024 * 1024


class BodyLimit:
    """Measure bodies sent without a Content-Length (chunked) against the size limit.

    Werkzeug enforces the limit on a declared Content-Length, but a chunked body is only
    cut at the limit, so a truncated body could still be processed. Here the whole body is
    read, up to one byte past the limit, before the application sees it: a body over the
    limit is refused with 413, a smaller one is handed on with its length declared.
    """

    def __init__(self, wsgi_app: WSGIApplication, flask_app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.flask_app = flask_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Buffer a chunked body, or mark it as too large, then call the application."""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        limit = self.flask_app.config.get("MAX_CONTENT_LENGTH")
        if chunked and limit is not None and not environ.get("CONTENT_LENGTH"):
            body = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115  # closed below
            size = _copy(environ["wsgi.input"], body, limit + 1)
            body.seek(0)
            if size > limit:
                environ[_TOO_LARGE] = True
                body.truncate(0)
                size = 0
            environ["wsgi.input"] = body
            environ["CONTENT_LENGTH"] = str(size)
            try:
                answer = self.wsgi_app(environ, start_response)
            except BaseException:
                body.close()
                raise
            return ClosingIterator(answer, body.close)
        return self.wsgi_app(environ, start_response)


def _copy(source: object, target: tempfile.SpooledTemporaryFile[bytes], most: int) -> int:
    """Copy at most `most` bytes; the number copied."""
    read = getattr(source, "read")  # noqa: B009  # a WSGI input stream
    copied = 0
    while copied < most:
        chunk = read(min(_CHUNK, most - copied))
        if not chunk:
            break
        target.write(chunk)
        copied += len(chunk)
    return copied


def refuse_oversized_body() -> None:
    """Answer 413 for a chunked body that went over the limit."""
    if request.environ.get(_TOO_LARGE):
        abort(413)


def assign_request_id() -> None:
    """Use the proxy's X-Request-ID when it is well formed, else a new one."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def finish_transaction(response: Response) -> Response:
    """Commit what the request changed when it succeeded; roll it all back otherwise."""
    if not db.session.registry.has() or not db.session().in_transaction():
        pass  # the request read nothing through the session: nothing to end
    elif response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response
