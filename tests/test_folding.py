"""Text folding: one function for every search and comparison without case or accents."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from portal.folding import fold


def test_fold_drops_case_and_accents() -> None:
    assert fold("Éclair au CAFÉ") == "eclair au cafe"
    assert fold("Straße") == "strasse"
    assert fold("BAK-001") == "bak-001"


@given(st.text())
def test_ascii_shortcut_folds_as_the_full_decomposition_does(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text)
    full = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    assert fold(text) == full
