"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

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


def init_app(app: Flask) -> None:
    """Add the headers after every request."""
    pongo = config.of(app).pongo.base_url
    policy = CSP.format(pongo=pongo)

    @app.after_request
    def secure_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint != "static":
            # Pages and API answers carry a merchant's data: no browser or proxy may keep them.
            response.headers["Cache-Control"] = "no-store"
        return response
