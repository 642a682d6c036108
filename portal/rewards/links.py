"""Addresses of the Rewards rows, built once per page: only the reward's id changes per row."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, url_for
from werkzeug.routing.converters import UnicodeConverter

_MARK = "PUBLICID"


def row_url(endpoint: str) -> Callable[[str], str]:
    """`url_for(endpoint, public_id=...)` for every row: the address built once, the id quoted
    by the URL map's own converter, as `url_for` would quote it."""
    before, after = url_for(endpoint, public_id=_MARK).split(_MARK)
    quote = UnicodeConverter(current_app.url_map).to_url
    return lambda public_id: before + quote(public_id) + after
