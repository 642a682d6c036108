"""The CSV export of every reward SKU token with its classification, safe to open in Excel."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from portal.rewards.skus import RewardReview
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


def token_rows(reviews: Iterable[RewardReview]) -> Iterator[tuple[str, ...]]:
    """One row per SKU token; a reward without any SKU still gets one row."""
    for review in reviews:
        head = (review.public_id, review.name, review.status.value)
        # Per reward, repeated on each of its rows so that a filtered sheet keeps them.
        tail = (review.shape.value, "yes" if review.paid_options_caution else "no")
        if not review.tokens:
            yield (*head, "", "", "", "", "", *tail)
        for result in review.tokens:
            yield (
                *head,
                result.token,
                result.kind.value,
                result.suggestion or "",
                _JOIN.join(p.ref for p in result.products),
                _JOIN.join(p.name for p in result.products),
                *tail,
            )


def to_csv(reviews: Iterable[RewardReview]) -> str:
    """The whole export: BOM, header row, then every token, each cell guarded and quoted."""
    return csv_text(HEADER, token_rows(reviews))
