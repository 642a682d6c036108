"""Catalogue search text: what a product's name and SKU become so that a plain LIKE finds them.

Each product stores one normalised column, maintained when the POS pushes its catalogue:
a leading space, then the words of the name, then the words of the SKU and the SKU with
its punctuation dropped, each folded (no case, no accents) and separated by single spaces.
A search word matches a product when some stored word starts with it, so the SQL is
``search_text LIKE '% word%'`` for each word of the query, on SQLite and PostgreSQL alike:

    "Éclair au café", "BAK-012"  ->  " eclair au cafe bak 012 bak012"
    "caf"      finds it (prefix of a word)
    "bak-012"  finds it (the words "bak" and "012")
    "BAK012"   finds it (the SKU without punctuation)
    "clair"    does not (not the start of a word)

The stored text starts with the name's words, so ordering by it is an accent- and
case-insensitive order by name.
"""

from __future__ import annotations

import re

from portal.folding import fold
from portal.listing import escape_like

MAX_QUERY = 100
MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The folded words of a text; punctuation and spaces separate words."""
    return _WORD.findall(fold(text))


def search_text(name: str, sku: str) -> str:
    """The stored search column of a product, from its name and SKU."""
    sku_words = words(sku)
    parts = [*words(name), *sku_words]
    if len(sku_words) > 1:
        parts.append("".join(sku_words))
    return " " + " ".join(parts)


def query_words(raw_query: str) -> list[str]:
    """The distinct words a search asks for, at most a few, longest query text ignored."""
    found: list[str] = []
    for word in words(raw_query[:MAX_QUERY]):
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def word_prefix_pattern(word: str) -> str:
    """The LIKE pattern that finds a stored word starting with `word`."""
    return f"% {escape_like(word)}%"
