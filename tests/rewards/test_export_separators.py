"""CSV cells read the same by a spreadsheet splitting on `,` (English) or `;` (French Excel)."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from portal.spreadsheet import csv_line, safe_cell
from tests.helpers.rewards import Fetch, reward

FORMULA_SIGNS = ("=", "+", "-", "@")


def pieces(raw: str, separator: str) -> list[str]:
    """Every cell a spreadsheet splitting on `separator` sees in the file."""
    rows = csv.reader(io.StringIO(raw.removeprefix("\ufeff"), newline=""), delimiter=separator)
    return [cell for row in rows for cell in row]


def test_a_semicolon_hidden_formula_is_quoted_and_neutralised(
    merchant_client: FlaskClient, fetch: Fetch
) -> None:
    """`Promo;=1+1;` stays one quoted cell, and its `=1+1` piece cannot run."""
    fetch(
        reward("rew_p", "Promo;=1+1;", "BAK-001"),
        reward("rew_q", "Offre, -2+3 ; @cmd", "BAK-001"),
    )
    answer = merchant_client.get("/rewards/export.csv")
    assert answer.status_code == 200
    raw = answer.get_data(as_text=True)
    assert '"Promo;\'=1+1;"' in raw
    for separator in (",", ";"):
        cells = pieces(raw, separator)
        assert not [c for c in cells if c.strip().startswith(FORMULA_SIGNS)], separator
    by_comma = list(csv.reader(io.StringIO(raw.removeprefix("\ufeff"), newline="")))
    names = {row[0]: row[1] for row in by_comma[1:]}
    assert names == {"rew_p": "Promo;'=1+1;", "rew_q": "Offre,' -2+3 ;' @cmd"}


def test_every_separated_piece_is_guarded() -> None:
    assert safe_cell("Promo;=1+1;") == "Promo;'=1+1;"
    assert safe_cell("a,+1") == "a,'+1"
    assert safe_cell("a; -1") == "a;' -1"
    assert safe_cell("a,＝1") == "a,'＝1"
    assert safe_cell("a\n=1") == "a\n'=1"
    assert safe_cell('a;"=1') == "a;'\"=1"
    assert safe_cell("a=b;c-d,e@f") == "a=b;c-d,e@f"


@given(st.text(alphabet=st.sampled_from(list('ab =+-@,;"\t\r\n＝')), max_size=30))
def test_no_piece_of_any_cell_starts_a_formula(text: str) -> None:
    """Whatever the text, no piece split on `,` or `;` starts with a formula sign."""
    line = csv_line([text, "x"])
    for separator in (",", ";"):
        for cell in pieces(line, separator):
            significant = cell.lstrip(' \t\r\n"')
            assert not significant.startswith((*FORMULA_SIGNS, "＝")), (text, cell)
