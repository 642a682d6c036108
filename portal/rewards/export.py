"""The CSV export of every reward SKU token with its classification, safe to open in Excel."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from portal.rewards.checks import RewardCheck
from portal.spreadsheet import csv_text

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
# Several products in one cell: a separator that product names rarely hold.
_JOIN = " | "


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
    """The whole export: BOM, header row, then every token, each cell guarded and quoted."""
    return csv_text(HEADER, token_rows(checks))
