"""Reading the portal's pages as a browser would."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of the current session, read from a rendered page."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def text_of(html: str) -> str:
    """Visible text with tags dropped and whitespace collapsed, to assert on sentences."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())
