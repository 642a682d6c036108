"""The "did you mean" details: which characters differ, their names, and unrelated suggestions."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.rewards.hints import (
    Glyph,
    Piece,
    diff_pieces,
    glyph_of,
    name_words,
    names_related,
    names_related_any,
)


def test_letter_o_typed_for_a_zero_is_the_only_change() -> None:
    typed, meant = diff_pieces("BAK-0O1", "BAK-001")
    assert typed == [Piece("BAK-0", False), Piece("O", True), Piece("1", False)]
    assert meant == [Piece("BAK-0", False), Piece("0", True), Piece("1", False)]
    assert typed[1].chars == [("O", Glyph.LETTER_O)]
    assert meant[1].chars == [("0", Glyph.DIGIT_ZERO)]


def test_case_and_spacing_differences_are_marked() -> None:
    typed, meant = diff_pieces("bak 001", "BAK-001")
    assert [p.text for p in typed if p.changed] == ["bak "]
    assert [p.text for p in meant if p.changed] == ["BAK-"]
    assert [p.text for p in meant if not p.changed] == ["001"]


def test_an_extra_character_appears_on_one_side_only() -> None:
    typed, meant = diff_pieces("BAK-0005", "BAK-005")
    assert "".join(p.text for p in typed if p.changed) == "0"
    assert all(not p.changed for p in meant)


@pytest.mark.parametrize(
    ("char", "glyph"),
    [
        ("O", Glyph.LETTER_O),
        ("0", Glyph.DIGIT_ZERO),
        ("l", Glyph.LETTER_L),
        ("I", Glyph.LETTER_I),
        ("1", Glyph.DIGIT_ONE),
        (" ", Glyph.SPACE),
        ("B", None),
        ("-", None),
    ],
)
def test_look_alike_characters_are_named(char: str, glyph: Glyph | None) -> None:
    assert glyph_of(char) is glyph


SKU = st.text(alphabet="AB01Ol -_", max_size=12)


@given(SKU, SKU)
def test_pieces_rebuild_both_skus_and_share_the_unchanged_parts(typed: str, meant: str) -> None:
    left, right = diff_pieces(typed, meant)
    assert "".join(p.text for p in left) == typed
    assert "".join(p.text for p in right) == meant
    # What is not marked is the same, in the same order, on both sides.
    same_left = "".join(p.text for p in left if not p.changed)
    same_right = "".join(p.text for p in right if not p.changed)
    assert same_left == same_right
    # Runs alternate: two neighbours never have the same mark.
    for pieces in (left, right):
        assert all(a.changed != b.changed for a, b in itertools.pairwise(pieces))
    if typed == meant:
        assert not any(p.changed for p in left + right)


@pytest.mark.parametrize(
    ("reward", "product", "related"),
    [
        ("Croissant offert", "Croissant", True),
        ("Éclair au café", "ECLAIR CAFE XL", True),
        ("Pain au chocolat offert", "Pains chocolat", True),
        ("Chocolat chaud", "Chocolate cake", True),
        ("Baguette tradition", "Croissant", False),
        ("Café offert", "Cappuccino", False),
        ("Tarte aux fraises (part)", "Pain aux raisins", False),
        # Nothing to compare: no warning rather than a false alarm.
        ("Macarons x6", "M6", True),
        ("", "Croissant", True),
    ],
)
def test_names_related_when_they_share_a_word(reward: str, product: str, related: bool) -> None:
    assert names_related(reward, product) is related


def test_filler_words_do_not_relate_names() -> None:
    assert name_words("Croissant offert aux amandes") == {"croissant", "amandes"}
    assert not names_related("Café offert", "Chocolat offert")
    assert names_related_any("Baguette tradition", ["Croissant", "Baguette"])
    assert not names_related_any("Baguette tradition", ["Croissant"])


@given(st.text(max_size=30), st.text(max_size=30))
def test_names_related_is_symmetric(a: str, b: str) -> None:
    assert names_related(a, b) is names_related(b, a)
