"""Every text the portal shows has a French translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "N_": None,
}
METHODS = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]


def source_messages() -> set[str]:
    """The message ids used in code and templates."""
    found: set[str] = set()
    for *_, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map={}
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_french_translation() -> None:
    with (ROOT / "portal/translations/fr/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="fr")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id
        and m.string
        and "fuzzy" not in m.flags
        and (isinstance(m.string, str) or all(m.string))
    }
    messages = source_messages()
    assert len(messages) > 20
    missing = sorted(messages - translated)
    assert missing == [], "untranslated (run `make messages`, then translate): " + repr(missing)
