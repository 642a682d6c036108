"""What the Rewards page shows beside a "did you mean": the characters that differ, their names.

Pure functions, no Flask. A SKU typed in Pongo and the catalogue SKU it most likely means
are compared character by character (difflib's longest matching blocks), so the page can
mark exactly what to change. Characters people confuse on screen (letter O and digit zero,
letter l, capital I and digit one) are named, so that "BAK-0O1" cannot be read as "BAK-001".

A suggestion found by SKU alone may point at an unrelated product ("Baguette" typed
"BAK-0O1", closest SKU BAK-001 is a Croissant): `names_related` tells whether the reward's
name and the product's name share a word, so the page warns before the merchant copies it.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from portal.folding import fold

__all__ = [
    "Glyph",
    "NearMissHint",
    "Piece",
    "diff_pieces",
    "glyph_of",
    "name_words",
    "names_related",
    "names_related_any",
    "near_miss_hint",
]


class Glyph(enum.Enum):
    """A character that looks like another one; the page names it in words."""

    LETTER_O = "letter_o"
    DIGIT_ZERO = "digit_zero"
    LETTER_L = "letter_l"
    LETTER_I = "letter_i"
    DIGIT_ONE = "digit_one"
    SPACE = "space"


_GLYPHS = {
    "O": Glyph.LETTER_O,
    "o": Glyph.LETTER_O,
    "0": Glyph.DIGIT_ZERO,
    "l": Glyph.LETTER_L,
    "I": Glyph.LETTER_I,
    "1": Glyph.DIGIT_ONE,
    " ": Glyph.SPACE,
}


def glyph_of(char: str) -> Glyph | None:
    """Name a character that could be mistaken for another one, or None."""
    return _GLYPHS.get(char)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of characters of one SKU, marked when it differs from the other SKU."""

    text: str
    changed: bool

    @property
    def chars(self) -> list[tuple[str, Glyph | None]]:
        """Each character with its name when it is a confusable one."""
        return [(char, glyph_of(char)) for char in self.text]


def diff_pieces(typed: str, meant: str) -> tuple[list[Piece], list[Piece]]:
    """Split both SKUs into runs, marking the characters that differ between them."""
    matcher = SequenceMatcher(None, typed, meant, autojunk=False)
    left: list[Piece] = []
    right: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            left.append(Piece(typed[i1:i2], changed))
        if j2 > j1:
            right.append(Piece(meant[j1:j2], changed))
    return _merged(left), _merged(right)


def _merged(pieces: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in pieces:
        if merged and merged[-1].changed == piece.changed:
            merged[-1] = Piece(merged[-1].text + piece.text, piece.changed)
        else:
            merged.append(piece)
    return merged


# Words that say nothing about the product: articles, and what a reward usually adds.
_FILLER = frozenset(
    {
        "and", "the", "with", "for", "free", "offer", "offered", "gift", "part", "piece",
        "aux", "avec", "des", "les", "pour", "une", "offert", "offerte", "offerts",
        "gratuit", "gratuite", "cadeau", "choix", "sur", "place",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{3,}")
# Words this long that start alike are taken as one ("chocolat" ~ "chocolate").
_STEM = 5


def name_words(name: str) -> set[str]:
    """The meaningful words of a product or reward name: folded, three letters or more."""
    return {word for word in _WORD.findall(fold(name)) if word not in _FILLER}


def names_related(reward_name: str, product_name: str) -> bool:
    """Tell whether two names share a word (or its first letters); True when either has none."""
    left, right = name_words(reward_name), name_words(product_name)
    if not left or not right:
        # Nothing to compare ("x6", "Menu 2"): no warning rather than a false alarm.
        return True
    if left & right:
        return True
    stems = {word[:_STEM] for word in left if len(word) >= _STEM}
    return any(word[:_STEM] in stems for word in right if len(word) >= _STEM)


def names_related_any(reward_name: str, product_names: Iterable[str]) -> bool:
    """Tell whether the reward's name is related to at least one of the products' names."""
    return any(names_related(reward_name, name) for name in product_names)


@dataclass(frozen=True, slots=True)
class NearMissHint:
    """What the page shows beside a "did you mean": the characters that differ, and a warning."""

    typed: tuple[Piece, ...]
    meant: tuple[Piece, ...]
    # The suggested products' names share no word with the reward's: warn before copying.
    unrelated: bool


def near_miss_hint(
    reward_name: str, typed: str, meant: str, product_names: Sequence[str]
) -> NearMissHint:
    """The differences between a typed SKU and the one it likely means, and whether to warn."""
    return _near_miss_hint(reward_name, typed, meant, tuple(product_names))


# About as many near misses as the largest merchants' rewards hold, a few of them at once.
_KEPT_HINTS = 4096


@functools.lru_cache(maxsize=_KEPT_HINTS)
def _near_miss_hint(
    reward_name: str, typed: str, meant: str, product_names: tuple[str, ...]
) -> NearMissHint:
    """`near_miss_hint`, kept for the next views: it depends on nothing but its text.

    Comparing two SKUs character by character costs about 15 µs; a Rewards page shows a
    near miss or more on each of its rows, on every view.
    """
    typed_pieces, meant_pieces = diff_pieces(typed, meant)
    unrelated = bool(product_names) and not names_related_any(reward_name, product_names)
    return NearMissHint(tuple(typed_pieces), tuple(meant_pieces), unrelated)
