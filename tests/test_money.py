"""Amounts are written exactly as Babel writes them, in every language of the portal."""

from __future__ import annotations

import pytest
from babel import Locale, numbers
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.layout import money

CURRENCIES = ("EUR", "CAD", "USD", "GBP", "CHF", "XPF", "JPY", "KWD", "BHD")
# Below 10**13 cents the float Babel is given holds every cent exactly.
CENTS = st.integers(min_value=-(10**13), max_value=10**13)


def babel_writes(cents: int, currency: str, locale: str) -> str:
    """The amount as Babel's own currency formatting writes it."""
    language = Locale.parse(locale)
    pattern = language.currency_formats["standard"]
    return str(numbers.format_currency(cents / 100, currency, format=pattern, locale=language))


@pytest.mark.parametrize("locale", ["en", "fr", "fr-CA"])
# The app is only read: one for every example is right.
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cents=CENTS, currency=st.sampled_from(CURRENCIES))
def test_an_amount_reads_as_babel_writes_it(
    app: Flask, locale: str, cents: int, currency: str
) -> None:
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert money(cents, currency) == babel_writes(cents, currency, locale.replace("-", "_"))


@pytest.mark.parametrize(
    ("locale", "cents", "written"),
    [
        ("en", 0, "€0.00"),
        ("en", -5, "-€0.05"),
        ("en", 123456789, "€1,234,567.89"),
        ("fr", 123456789, "1\u202f234\u202f567,89\u00a0€"),
        ("fr", -100, "-1,00\u00a0€"),
    ],
)
def test_known_amounts(app: Flask, locale: str, cents: int, written: str) -> None:
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert money(cents) == written


def test_an_amount_beyond_a_float_keeps_every_cent(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert money(123_456_789_012_345_678, "EUR") == "€1,234,567,890,123,456.78"


def test_no_amount_is_a_dash(app: Flask) -> None:
    with app.test_request_context():
        assert money(None) == "—"
