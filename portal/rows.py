"""What the lists written in one pass of Python share: their texts, values and addresses.

The long lists (Rewards, Locations, Products, Orders) write their rows in Python rather than
in a Jinja loop, which pays a context lookup, an escape and an output write per value. Each
row must read exactly as the template wrote it: texts translated as the template's `_()`
does, every value escaped, each row's address as `url_for` builds it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app, url_for
from markupsafe import Markup, escape
from werkzeug.routing.converters import UnicodeConverter

from portal.i18n import request_translations

# Escaping leaves it as it is, and no name or ref sent by a POS is expected to hold it.
_SEPARATOR = "\x00"
# Stands for the row's value while the address is built; split out again at once.
_MARK = "ROWVALUE"


def escaped(values: Sequence[str]) -> list[str]:
    """Each value escaped for HTML, in one call of the escaper rather than one per value."""
    joined = str(escape(_SEPARATOR.join(values))).split(_SEPARATOR)
    if len(joined) == len(values):
        return joined
    # A value held the separator: escape them one by one.
    return [str(escape(value)) for value in values]


class RowTexts:
    """The request's translations, giving texts as the template's `_()` and `ngettext()` do.

    Jinja's gettext marks the translation safe and always fills it in with `%`, which
    escapes each value. The catalogue is found once per page, and a text without values is
    looked up once per page however many rows show it.
    """

    __slots__ = ("_said", "_translations")

    def __init__(self) -> None:
        self._translations = request_translations()
        self._said: dict[str, Markup] = {}

    def gettext(self, text: str, **values: object) -> Markup:
        """`_(text, **values)` in a template: the translation marked safe, the values escaped."""
        if not values:
            said = self._said.get(text)
            if said is None:
                said = self._said[text] = self._translated(text) % {}
            return said
        return self._translated(text) % values

    def _translated(self, text: str) -> Markup:
        """The catalogue's translation of a text, as Jinja's gettext marks it."""
        # The catalogue's words are the portal's own text: Jinja's gettext marks them safe too.
        return Markup(self._translations.ugettext(text))  # noqa: S704

    def ngettext(self, singular: str, plural: str, num: int) -> Markup:
        """`ngettext(singular, plural, num)` in a template: the count's sentence, marked safe."""
        translated = self._translations.ungettext(singular, plural, num)
        return Markup(translated) % {"num": num}  # noqa: S704  # as `gettext` above


def row_url(endpoint: str, field: str = "public_id") -> Callable[[str], str]:
    """`url_for(endpoint, **{field: value})` for every row: the address built once, the value
    quoted by the URL map's own converter, as `url_for` would quote it."""
    values: dict[str, Any] = {field: _MARK}
    before, after = url_for(endpoint, **values).split(_MARK)
    quote = UnicodeConverter(current_app.url_map).to_url
    return lambda value: before + quote(value) + after
