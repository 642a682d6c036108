"""The CSV export of every reward SKU token with its classification, safe to open in Excel."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator

from portal.rewards.checks import RewardCheck

HEADER = (
    "reward id",
    "reward name",
    "status",
    "token",
    "classification",
    "suggestion",
    "product refs",
    "product names",
    "shape",
    "paid options",
)
# A byte-order mark makes Excel read the file as UTF-8, so "Éclair" is not shown as "Ã‰clair".
BOM = "\ufeff"
# Spreadsheets run a cell starting with one of these as a formula (OWASP "CSV injection");
# tab and carriage return can smuggle one past a naive check.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Several products in one cell: a separator that product names rarely hold.
_JOIN = " | "


def safe_cell(value: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula.

    The first character is compared in its compatibility form, so that the full-width
    and small forms (＝ ＋ － ＠, ﹦ …), which spreadsheets also accept, are caught.
    """
    first = unicodedata.normalize("NFKC", value[:1])
    return "'" + value if first.startswith(_FORMULA_STARTS) else value


def token_rows(checks: Iterable[RewardCheck]) -> Iterator[tuple[str, ...]]:
    """One row per SKU token; a reward without any SKU still gets one row."""
    for check in checks:
        head = (check.public_id, check.name, check.status.value)
        # Per reward, repeated on each of its rows so that a filtered sheet keeps them.
        tail = (check.shape.value, "yes" if check.paid_options_caution else "no")
        if not check.tokens:
            yield (*head, "", "", "", "", "", *tail)
        for result in check.tokens:
            yield (
                *head,
                result.token,
                result.kind.value,
                result.suggestion or "",
                _JOIN.join(p.ref for p in result.products),
                _JOIN.join(p.name for p in result.products),
                *tail,
            )


def to_csv(checks: Iterable[RewardCheck]) -> str:
    """The whole export: BOM, header row, then every token, each cell quoted as needed."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in token_rows(checks):
        writer.writerow([safe_cell(cell) for cell in row])
    return buffer.getvalue()
