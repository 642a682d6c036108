"""Markup the Products page repeats by the thousand, written in one pass of Python.

A Jinja loop pays for a context lookup, an escape and an output write per value; the
"Sold at" filter lists every location of the merchant, a thousand at the largest, on
every view. The markup is the template's, byte for byte, and every value is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

# Escaping leaves it as it is, and no name or ref sent by a POS is expected to hold it.
_SEPARATOR = "\x00"


def escaped(values: Sequence[str]) -> list[str]:
    """Each value escaped for HTML, in one call of the escaper rather than one per value."""
    joined = str(escape(_SEPARATOR.join(values))).split(_SEPARATOR)
    if len(joined) == len(values):
        return joined
    # A value held the separator: escape them one by one.
    return [str(escape(value)) for value in values]


def location_options(locations: Sequence[tuple[str, str]], selected: str | None) -> Markup:
    """The "Sold at" filter's options, one per (ref, name), the filtered location selected."""
    refs = [ref for ref, _ in locations]
    names = [name for _, name in locations]
    options = "".join(
        [
            f'<option value="{value}" {"selected" if ref == selected else ""}>{name}</option>'
            for ref, value, name in zip(refs, escaped(refs), escaped(names), strict=True)
        ]
    )
    return Markup(options)  # noqa: S704  # every ref and name in it was escaped above
