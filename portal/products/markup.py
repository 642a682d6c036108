"""Markup the Products page repeats by the thousand, written in one pass of Python.

A Jinja loop pays for a context lookup, an escape and an output write per value; the
"Sold at" filter lists every location of the merchant, a thousand at the largest, on
every view. The markup is the template's, byte for byte, and every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape


def location_options(locations: Iterable[tuple[str, str]], selected: str | None) -> Markup:
    """The "Sold at" filter's options, one per (ref, name), the filtered location selected."""
    return Markup(
        "".join(
            f'<option value="{escape(ref)}" {"selected" if ref == selected else ""}>'
            f"{escape(name)}</option>"
            for ref, name in locations
        )
    )
