"""CSV text that a spreadsheet opens safely, whether it splits lines on `,` or on `;`.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (OWASP "CSV
injection"). The file is comma-separated, but French Excel splits on `;`, and a reader
that does not expect the separator ignores the quotes around a cell, so any `;`, `,`,
tab or line break inside a cell can start a new one. Two rules hold against both
readers: every piece of a cell that such a character starts (and the cell itself) is
prefixed with an apostrophe when it would begin a formula, and every cell holding a
separator, a quote or a line break is quoted.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

# A byte-order mark makes Excel read the file as UTF-8, so "Éclair" is not shown as "Ã‰clair".
BOM = "\ufeff"
# Tab and carriage return can smuggle a formula past a naive check, so they count too.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What can start a new cell in some reader of the file; kept in the split result.
_PIECES = re.compile(r"([,;\t\r\n])")
# Skipped before the first significant character: spreadsheets trim them on import.
_LEADING = ' \t\r\n"'
_NEEDS_QUOTES = frozenset(',;"\t\r\n')


def _runs(piece: str) -> bool:
    """True when a spreadsheet would run this piece as a formula.

    The first significant character is compared in its compatibility form, so that the
    full-width and small forms (＝ ＋ － ＠, ﹦ …), which spreadsheets also accept, count.
    """
    significant = piece.lstrip(_LEADING) or piece
    return unicodedata.normalize("NFKC", significant[:1]).startswith(_FORMULA_STARTS)


def safe_cell(value: str) -> str:
    """Prefix an apostrophe to each piece of the text a spreadsheet would run as a formula."""
    parts = _PIECES.split(value)
    # Even indexes are the pieces, odd ones the separators between them.
    return "".join(
        "'" + part if i % 2 == 0 and _runs(part) else part for i, part in enumerate(parts)
    )


def _quoted(cell: str) -> str:
    if _NEEDS_QUOTES.isdisjoint(cell):
        return cell
    return '"' + cell.replace('"', '""') + '"'


def csv_line(cells: Sequence[str]) -> str:
    """One comma-separated line, each cell guarded and quoted as needed."""
    return ",".join(_quoted(safe_cell(cell)) for cell in cells) + "\r\n"


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The whole file: BOM, the header line, then one line per row."""
    buffer = io.StringIO()
    buffer.write(BOM)
    buffer.write(csv_line(header))
    for row in rows:
        buffer.write(csv_line(row))
    return buffer.getvalue()
