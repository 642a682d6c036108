"""The CSV export of the catalogue, safe to open in a spreadsheet (same rules as the rewards')."""

from __future__ import annotations

from collections.abc import Iterable

from portal.products.services import ProductRow
from portal.spreadsheet import csv_text

# Several values in one cell: a separator that names rarely hold.
_JOIN = " | "
EVERYWHERE = "*"


def header(currency: str) -> tuple[str, ...]:
    """The column names; the price column names its currency."""
    return (
        "sku",
        "name",
        f"price ({currency})",
        "paid options",
        "locations",
        "rewards using it",
        "product ref",
        "archived",
    )


def _price(cents: int | None) -> str:
    return "" if cents is None else f"{cents / 100:.2f}"


def cells(row: ProductRow) -> tuple[str, ...]:
    """One product's cells; "*" in the locations column means sold everywhere."""
    return (
        row.sku,
        row.name,
        _price(row.price_cents),
        "yes" if row.has_paid_options else "no",
        EVERYWHERE if row.sold_at is None else _JOIN.join(row.sold_at),
        _JOIN.join(f"{r.name} ({r.public_id})" for r in row.rewards),
        row.ref,
        "yes" if row.archived else "no",
    )


def to_csv(rows: Iterable[ProductRow], currency: str) -> str:
    """The whole export: BOM, header, then one line per product, formulas neutralised."""
    return csv_text(header(currency), (cells(row) for row in rows))
