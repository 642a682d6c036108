"""SKU text: a reward's list of SKUs split into tokens, and SKUs reduced to what people mean.

A Pongo reward's ``external_id`` is a comma-separated list of SKUs typed by the
merchant in Pongo's back office; it may hold other partners' SKUs too. This module
splits that list and reduces a SKU to its normalised key (no case, accents, spacing,
punctuation or leading zeros of a number: "BAK-0005" ~ "bak 5"), the key the catalogue
index compares. A SKU is only worth suggesting when it survives parsing unchanged (no
comma, no blank edges): pasted back into Pongo, it would be read as itself.
"""

from __future__ import annotations

import re

from portal.folding import fold

__all__ = [
    "MAX_SKU_LENGTH",
    "MAX_TOKENS",
    "near_key",
    "near_keys",
    "parse_external_id",
    "pasteable",
]

# The POS API refuses SKUs longer than this: a longer token cannot be one of this catalogue.
MAX_SKU_LENGTH = 128
# More SKUs than this on one reward is not a list a person typed (partners' codes included).
MAX_TOKENS = 1000

# Python's whitespace plus the invisible format characters that copy-paste from
# spreadsheets, PDFs and chat tools leaves around a code (soft hyphen, zero-width
# spaces and joiners, direction marks, word joiner, byte-order mark).
_EDGE_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
    "\xad\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)

# A zero that starts a run of digits and is followed by another digit. Written to start
# with the literal 0 (no digit before it, checked behind) so the engine skips ahead to
# zeros: five times faster than the lookbehind first over a whole catalogue.
_LEADING_ZERO = re.compile(r"0(?<![0-9]0)0*(?=[0-9])")
_DROP_ASCII_PUNCTUATION = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum())
)
# The same but for the line feed that separates the SKUs of a batch.
_DROP_ASCII_PUNCTUATION_BUT_LINES = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum() and c != 10)
)


def parse_external_id(raw_external_id: object) -> list[str]:
    """Split a reward's external_id into distinct, trimmed SKU tokens, in order."""
    if not isinstance(raw_external_id, str):
        return []
    seen: set[str] = set()
    tokens: list[str] = []
    # str.split and str.strip only ever look at the characters, so a str subclass
    # with odd methods cannot make this raise.
    for item in str.split(raw_external_id, ","):
        token = str.strip(item, _EDGE_CHARS)
        if token and token not in seen:
            seen.add(token)
            tokens.append(token)
    return tokens


def near_key(sku: str) -> str:
    """Reduce a SKU to what a person means by it: no case, accents, spacing or padding zeros."""
    if sku.isascii():
        text = sku.lower()
        if "0" in text:
            text = _LEADING_ZERO.sub("", text)
        return text.translate(_DROP_ASCII_PUNCTUATION)
    text = _LEADING_ZERO.sub("", fold(sku))
    return "".join(c for c in text if c.isalnum())


def near_keys(skus: list[str]) -> list[str]:
    """Reduce many SKUs as near_key does, the ASCII ones in one pass over them all."""
    # One lower(), one regex pass and one translate() over a whole catalogue cost a
    # fraction of 50,000 separate calls. A SKU holding a line feed or any non-ASCII
    # character is left out of the batch (an empty line keeps its place) and reduced alone.
    if not skus:
        return []
    text = "\n".join(skus)
    if text.isascii() and text.count("\n") == len(skus) - 1:
        return _near_keys_of_lines(text)
    alone = [i for i, sku in enumerate(skus) if not sku.isascii() or "\n" in sku]
    set_apart = set(alone)
    keys = _near_keys_of_lines(
        "\n".join("" if i in set_apart else sku for i, sku in enumerate(skus))
    )
    for i in alone:
        keys[i] = near_key(skus[i])
    return keys


def _near_keys_of_lines(text: str) -> list[str]:
    """near_key of each line of an ASCII text."""
    text = text.lower()
    if "0" in text:
        # A line feed is no digit, so each line is treated as a SKU of its own.
        text = _LEADING_ZERO.sub("", text)
    return text.translate(_DROP_ASCII_PUNCTUATION_BUT_LINES).split("\n")


def _survives_parsing(sku: str) -> bool:
    return bool(sku) and "," not in sku and str.strip(sku, _EDGE_CHARS) == sku


_DROP_EDGE_CHARS = str.maketrans("", "", _EDGE_CHARS)


def pasteable(skus: list[str]) -> list[str]:
    """The SKUs that survive parsing unchanged, all at once when none is blank or odd."""
    text = "\n".join(skus)
    # No comma and no edge character anywhere but the line feeds between SKUs: each
    # SKU survives. One odd SKU anywhere, and each is checked on its own.
    if (
        text.isascii()
        and "," not in text
        and "" not in skus
        and len(text.translate(_DROP_EDGE_CHARS)) == len(text) - len(skus) + 1
    ):
        return skus
    return [sku for sku in skus if _survives_parsing(sku)]
