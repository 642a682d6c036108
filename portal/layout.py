"""What every page's layout needs: navigation, language switch, banners."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from babel import Locale, numbers
from flask import Flask, current_app, g, request
from flask_babel import get_locale

from portal.connect.banners import connection_banners
from portal.i18n import LOCALES, SWITCHER, request_locale, request_translations
from portal.moments import since, when
from portal.pongo.errors import N_

# The merchant's navigation, in order. An entry shows once its page exists.
NAVIGATION = (
    ("overview.index", N_("Overview")),
    ("connect.index", N_("Connection")),
    ("locations.index", N_("Locations")),
    ("rewards.index", N_("Rewards")),
    ("products.index", N_("Products")),
    ("orders.index", N_("Orders")),
    ("audit.access_log", N_("Access log")),
)


def nav_items() -> list[tuple[str, str]]:
    """Navigation entries whose pages are registered, translated through the request's catalogue."""
    translate = request_translations().ugettext
    return [(e, translate(label)) for e, label in NAVIGATION if e in current_app.view_functions]


def banners() -> list[dict[str, Any]]:
    """Banners for the top of the page: those a hook queued, then the connection's."""
    queued: list[dict[str, Any]] = list(g.get("banners", []))
    merchant = g.get("merchant")
    if merchant is not None:
        queued += connection_banners(merchant)
    return queued


def layout_context() -> dict[str, Any]:
    """Template globals for base.html."""
    locale = str(get_locale() or "en")
    return {
        "nav_items": nav_items(),
        "current_endpoint": request.endpoint,
        "html_lang": locale.replace("_", "-"),
        "current_language": locale.split("_")[0],
        "language_choices": [(code, LOCALES[code]) for code in SWITCHER],
        "layout_merchant": g.get("merchant"),
        "layout_user": g.get("user"),
        "banners": banners(),
    }


def money(cents: int | None, currency: str | None = None) -> str:
    """An amount in cents, in the merchant's currency, written the way the user's language does."""
    if cents is None:
        return "—"
    locale = request_locale()
    code = currency or "EUR"
    written = _cents_writer(locale, code)
    if written is not None:
        return written.write(cents)
    return numbers.format_currency(
        cents / 100, code, format=_currency_pattern(locale), locale=locale
    )


@functools.cache
def _currency_pattern(locale: Locale) -> numbers.NumberPattern:
    """The language's pattern for amounts, looked up once instead of once per amount."""
    pattern: numbers.NumberPattern = locale.currency_formats["standard"]
    return pattern


@dataclass(frozen=True)
class CentsWriter:
    """Babel's way of writing a currency with cents in one language, taken apart once.

    Babel finds the currency's symbol and precision, and rounds through Decimal, on every
    amount; a list of products writes fifty. An amount in whole cents needs none of that.
    """

    group: str
    decimal: str
    # The text before and after the digits, for an amount of at least zero, then below it.
    prefix: tuple[str, str]
    suffix: tuple[str, str]

    def write(self, cents: int) -> str:
        """The amount as Babel writes it, from the exact number of cents."""
        whole, rest = divmod(abs(cents), 100)
        digits = f"{whole:,}".replace(",", self.group) + f"{self.decimal}{rest:02d}"
        negative = int(cents < 0)
        return f"{self.prefix[negative]}{digits}{self.suffix[negative]}"


@functools.cache
def _cents_writer(locale: Locale, currency: str) -> CentsWriter | None:
    """The writer for a currency of two decimals in a language grouping by threes, else None."""
    pattern = _currency_pattern(locale)
    if numbers.get_currency_precision(currency) != 2 or pattern.grouping != (3, 3):
        return None
    if pattern.frac_prec != (2, 2) or pattern.int_prec[0] != 1 or pattern.exp_prec:
        return None
    symbol = numbers.get_currency_symbol(currency, locale)
    if "¤¤" in pattern.pattern:
        return None
    return CentsWriter(
        group=numbers.get_group_symbol(locale),
        decimal=numbers.get_decimal_symbol(locale),
        prefix=(pattern.prefix[0].replace("¤", symbol), pattern.prefix[1].replace("¤", symbol)),
        suffix=(pattern.suffix[0].replace("¤", symbol), pattern.suffix[1].replace("¤", symbol)),
    )


def init_app(app: Flask) -> None:
    """Register the layout context and the filters every page formats with."""
    # The indentation before a template's tags is not sent: whitespace between elements
    # stays (the line break), so nothing moves on the page, and a long list weighs less.
    app.jinja_env.lstrip_blocks = True
    app.context_processor(layout_context)
    app.add_template_filter(when, "when")
    app.add_template_filter(since, "since")
    app.add_template_filter(money, "money")
