"""Text folding: the one way the portal compares text without case or accents."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Text without case or accents, as searches and comparisons see it: "Éclair" -> "eclair"."""
    if text.isascii():  # most names and SKUs: nothing to decompose, and casefold is lower
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
