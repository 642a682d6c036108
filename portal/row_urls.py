"""Addresses of a list's rows, built once per page: only the row's own value changes per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, url_for
from werkzeug.routing.converters import UnicodeConverter

# Stands for the row's value while the address is built; split out again at once.
_MARK = "ROWVALUE"


def row_url(endpoint: str, field: str = "public_id") -> Callable[[str], str]:
    """`url_for(endpoint, **{field: value})` for every row: the address built once, the value
    quoted by the URL map's own converter, as `url_for` would quote it."""
    values: dict[str, Any] = {field: _MARK}
    before, after = url_for(endpoint, **values).split(_MARK)
    quote = UnicodeConverter(current_app.url_map).to_url
    return lambda value: before + quote(value) + after
