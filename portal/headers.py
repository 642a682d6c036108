"""Security headers on every response."""

from __future__ import annotations

import functools

from flask import Response, request

from portal import config

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self' {pongo}",
    ]
)


@functools.cache
def content_security_policy(pongo: str) -> str:
    """The policy for pages whose forms may post to Pongo at `pongo`."""
    return CSP.format(pongo=pongo)


def secure_headers(response: Response) -> Response:
    """After every request: the security headers, and no caching of what carries data."""
    policy = content_security_policy(config.current().pongo.base_url)
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "static":
        # Pages and API answers carry a merchant's data: no browser or proxy may keep them.
        response.headers["Cache-Control"] = "no-store"
    return response
