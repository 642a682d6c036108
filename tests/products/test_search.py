"""Catalogue search: the normalised search text and the queries over it, on real databases."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from portal.listing import escape_like
from portal.products.search import (
    query_words,
    search_text,
    word_prefix_pattern,
)
from tests.products.conftest import row_refs


def like(text: str, pattern: str) -> bool:
    """SQL LIKE with ESCAPE '\\', case-sensitive, as the search column is already folded."""
    regex, chars = "", iter(pattern)
    for char in chars:
        if char == "\\":
            regex += re.escape(next(chars))
        elif char == "%":
            regex += ".*"
        elif char == "_":
            regex += "."
        else:
            regex += re.escape(char)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def finds(name: str, sku: str, query: str) -> bool:
    """Whether a query finds a product the way the page's SQL does."""
    text = search_text(name, sku)
    return all(like(text, word_prefix_pattern(word)) for word in query_words(query))


def test_search_text_folds_case_and_accents_and_splits_the_sku() -> None:
    assert search_text("Éclair au CAFÉ", "BAK-012") == " eclair au cafe bak 012 bak012"
    assert search_text("Crème brûlée", "DES01") == " creme brulee des01"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("eclair", True),
        ("ÉCLAIR", True),
        ("écl", True),
        ("caf", True),
        ("au café", True),
        ("clair", False),  # inside a word, not at its start
        ("bak-012", True),
        ("BAK012", True),
        ("bak 01", True),
        ("012", True),
        ("bak-013", False),
        ("éclair thé", False),  # every word must match
    ],
)
def test_queries_match_word_prefixes(query: str, found: bool) -> None:
    assert finds("Éclair au café", "BAK-012", query) is found


def test_like_wildcards_in_a_query_match_themselves() -> None:
    assert escape_like("100%_a\\b") == "100\\%\\_a\\\\b"
    assert like("100%", escape_like("100%"))
    assert not like("1000", escape_like("100%"))
    # Punctuation never reaches the pattern: "%" alone asks for nothing.
    assert query_words("% _ ,") == []


@given(st.text(min_size=1, max_size=30), st.text(max_size=12), st.data())
def test_every_word_prefix_of_the_name_finds_the_product(
    name: str, sku: str, data: st.DataObject
) -> None:
    names = query_words(name)
    if not names:
        return
    word = data.draw(st.sampled_from(names))
    prefix = word[: data.draw(st.integers(min_value=1, max_value=len(word)))]
    assert finds(name, sku, prefix.upper())


def search(client: FlaskClient, query: str, **filters: str) -> list[str]:
    """The refs the Products page lists for a query."""
    response = client.get("/products", query_string={"q": query, **filters})
    assert response.status_code == 200
    return row_refs(response.get_data(as_text=True))


def test_search_by_name_is_accent_and_case_insensitive(merchant_client: FlaskClient) -> None:
    assert search(merchant_client, "ECLAIR") == ["BAK-012", "BAK-012-XL"]
    assert search(merchant_client, "éclair GÉANT") == ["BAK-012-XL"]
    assert search(merchant_client, "formule") == ["MENU-02", "MENU-03"]
    assert search(merchant_client, "pain au") == ["BAK-002", "BAK-003"]
    assert search(merchant_client, "cap") == ["CAF-004"]
    assert search(merchant_client, "lair") == []


def test_search_by_sku_with_or_without_its_punctuation(merchant_client: FlaskClient) -> None:
    assert search(merchant_client, "BAK-012") == ["BAK-012", "BAK-012-XL"]
    assert search(merchant_client, "bak012") == ["BAK-012", "BAK-012-XL"]
    assert search(merchant_client, "menu-0") == ["MENU-02", "MENU-03"]
    # "caf" starts a word of the SKU CAF-004 and of the name "Éclair au café".
    assert search(merchant_client, "caf") == ["CAF-004", "BAK-012", "BAK-012-XL"]


def test_wildcards_and_odd_text_are_searched_literally(merchant_client: FlaskClient) -> None:
    assert search(merchant_client, "100%") == []
    assert search(merchant_client, "b_k") == []
    assert len(search(merchant_client, "%")) == 8  # no word: the whole active catalogue
    assert search(merchant_client, "x" * 500) == []
