"""Texts of the Rewards rows, read from the request's catalogue as the template's `_()` reads it.

The rows are written in Python (`markup.py`) with the msgids the template had. Jinja's
gettext marks the translation safe and always fills it in with `%`, which escapes each
value: `RowTexts` does the same, so a row reads exactly as the template wrote it, in the
merchant's language. The catalogue is found once per page, and a text without values is
looked up once per page however many rows show it.
"""

from __future__ import annotations

from markupsafe import Markup

from portal.i18n import request_translations


class RowTexts:
    """The request's translations, giving texts as the template's `_()` and `ngettext()` do."""

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
