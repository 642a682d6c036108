"""Lists: page numbers from untrusted input, pages of a select, and literal text searches."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import bindparam, select

from portal.extensions import db
from portal.listing import Listing, clamp_page, contains, last_page, paginate, parse_page
from portal.models.merchant import Merchant


@pytest.mark.parametrize(
    ("raw", "page"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("²", 1),
        ("①", 1),
        ("٣", 1),  # an Arabic-Indic digit: int() would accept it
        ("-1", 1),
        ("0", 1),
        ("1e3", 1),
        ("", 1),
        (None, 1),
        (str(10**20), 10**9),
    ],
)
def test_page_numbers_are_ascii_digits_within_bounds(raw: str | None, page: int) -> None:
    assert parse_page(raw) == page


def test_pages_are_clamped_to_the_last_page() -> None:
    assert last_page(0, 25) == 1
    assert last_page(51, 25) == 3
    assert clamp_page(10**9, 51, 25) == 3
    assert clamp_page(0, 51, 25) == 1


@pytest.fixture
def merchants(app: Flask) -> Flask:
    with app.app_context():
        names = ["100% Bio", "Bio_Shop", "BioXShop", "Back\\slash", *(f"M{n}" for n in range(7))]
        db.session.add_all(Merchant(ref=f"R{i}", name=name) for i, name in enumerate(names))
        db.session.commit()
    return app


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("100%", ["100% Bio"]),
        ("%", ["100% Bio"]),
        ("bio_", ["Bio_Shop"]),
        ("_", ["Bio_Shop"]),
        ("k\\s", ["Back\\slash"]),
        ("BIO", ["100% Bio", "Bio_Shop", "BioXShop"]),
    ],
)
def test_contains_takes_wildcards_literally(merchants: Flask, text: str, found: list[str]) -> None:
    with merchants.app_context():
        names = db.session.scalars(
            select(Merchant.name).where(contains(Merchant.name, text)).order_by(Merchant.name)
        )
        assert sorted(names) == sorted(found)


def test_paginate_clamps_and_counts(merchants: Flask) -> None:
    with merchants.app_context():
        statement = select(Merchant).order_by(Merchant.ref)
        last = paginate(statement, page=10**9, per_page=4)
        assert (last.page, last.pages, last.total) == (3, 3, 11)
        assert [m.ref for m in last.items] == ["R7", "R8", "R9"]  # R10 sorts after R1
        assert last.has_prev
        assert not last.has_next
        rows = paginate(select(Merchant.ref, Merchant.name), page=1, per_page=4, items="rows")
        assert len(rows.items[0]) == 2


def test_a_listing_built_once_binds_its_values_on_each_read(merchants: Flask) -> None:
    names = Listing.of(
        select(Merchant.ref, Merchant.name)
        .where(Merchant.name.like(bindparam("pattern")))
        .order_by(Merchant.ref)
    )
    with merchants.app_context():
        first = names.page({"pattern": "%"}, page=2, per_page=4, items="plain")
        assert (first.page, first.pages, first.total) == (2, 3, 11)
        assert [tuple(row) for row in first.items] == [
            (ref, db.session.scalar(select(Merchant.name).where(Merchant.ref == ref)))
            for ref in ("R3", "R4", "R5", "R6")
        ]
        none = names.page({"pattern": "no such name%"}, page=5, per_page=4, items="plain")
        assert (none.page, none.pages, none.total, none.items) == (1, 1, 0, [])
        # A total the caller knows is taken as it is: no count is read.
        told = names.page({"pattern": "%"}, page=9, per_page=4, items="plain", total=5)
        assert (told.page, told.pages, [row.ref for row in told.items]) == (
            2,
            2,
            ["R3", "R4", "R5", "R6"],
        )
