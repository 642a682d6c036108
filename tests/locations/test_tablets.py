"""Reading the Pongo tablet number a merchant types for a location."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.locations.tablets import (
    MAX_TABLET,
    TabletsRefused,
    check_tablets,
    parse_tablet,
    tablet_choices,
)


@pytest.mark.parametrize(("raw", "number"), [("", None), ("  ", None), ("4021", 4021), (" 7 ", 7)])
def test_a_tablet_is_a_whole_number_or_nothing(raw: str, number: int | None) -> None:
    assert parse_tablet(raw) == number


@pytest.mark.parametrize(
    "raw", ["0", "-3", "4.5", "12a", "١٢", "2147483648", "99999999999999999999", "1e3"]
)
def test_anything_else_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"whole number|out of range"):
        parse_tablet(raw)


@given(st.integers(min_value=1, max_value=MAX_TABLET))
def test_every_number_in_range_reads_back(number: int) -> None:
    assert parse_tablet(str(number)) == number


def test_every_bad_row_is_named_at_once() -> None:
    with pytest.raises(TabletsRefused) as refused:
        check_tablets({"L1": "7", "L2": "x", "L3": "0"})
    assert refused.value.errors == {"L2": "tablet", "L3": "tablet"}
    assert check_tablets({"L1": "7", "L2": ""}) == {"L1": 7, "L2": None}


def test_only_rows_shown_with_a_tablet_field_are_read() -> None:
    data = {"tablet-L1": "7", "tablet-L9": "8", "store": "x"}
    assert tablet_choices(data, ["L1", "L2"]) == {"L1": "7"}
