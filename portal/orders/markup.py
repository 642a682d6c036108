"""The rows of the Orders table, written in one pass of Python.

A page lists fifty orders; a Jinja loop pays a context lookup, an escape and an output write
per value, and a call of `url_for` per row. The markup is the template's, byte for byte, its
blank lines included (the page's rendering is kept in tests/perf/pages/orders.expected), and
every value is escaped. Texts are the template's msgids read from the request's catalogue;
the status badges come from the page's own macro, drawn once per page. The escaping, the
translating and the rows' addresses are those every list written in Python shares
(`portal/rows.py`).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import get_template_attribute
from markupsafe import Markup

from portal.layout import money
from portal.moments import when
from portal.orders.pages import ListedOrder, OrdersPage
from portal.rows import RowTexts, escaped, row_url

# The texts of a row written from its values: address, ref, place, total, sale, attempts, reason.
_TEXTS = 7


def order_rows(listing: OrdersPage, currency: str | None) -> Markup:
    """Every row of the orders table of one page, as the table's body holds them."""
    if not listing.rows:
        return Markup()
    rows = _Rows(currency)
    # The rows' texts escaped in one call of the escaper, then laid out row by row.
    texts = escaped([text for row in listing.rows for text in rows.texts(row)])
    written = "".join(
        [rows.row(row, *texts[n * _TEXTS : (n + 1) * _TEXTS]) for n, row in enumerate(listing.rows)]
    )
    return Markup(written)  # noqa: S704  # every value in it was escaped above


class _Rows:
    """What every row shares, translated and drawn once per page, and the writing of a row."""

    def __init__(self, currency: str | None) -> None:
        _ = RowTexts().gettext
        status, tablet = _("Status"), _("The customer identifies on the Pongo tablet.")
        place, total, sale, attempts = _("Location"), _("Total"), _("Sale"), _("Attempts")
        self.currency = currency
        self.url = row_url("orders.detail", "order_ref")
        self.draw: Callable[[str], Markup] = get_template_attribute(
            "orders/_status.html", "relay_status"
        )
        # Each status's badge, drawn once, when a row first shows it.
        self.badges: dict[str, Markup] = {}
        self.status_cell = f'      <td data-label="{status}">'
        self.tablet_hint = f'<p class="hint">{tablet}</p>'
        self.place_cell = f'      <td data-label="{place}">'
        self.total_cell = f'      <td class="numeric" data-label="{total}">'
        self.sale_cell = f'      <td data-label="{sale}">'
        self.attempts_cell = f'      <td class="numeric" data-label="{attempts}">'

    def badge(self, status: str) -> Markup:
        """The status's badge as the page's macro draws it (a status it does not know: pending)."""
        found = self.badges.get(status)
        if found is None:
            found = self.badges[status] = self.draw(status)
        return found

    def texts(self, row: ListedOrder) -> tuple[str, ...]:
        """The row's texts, to be escaped: as many as `_TEXTS`, in the order `row` takes them."""
        return (
            self.url(row.order_ref),
            row.order_ref,
            row.place,
            money(row.total_cents, self.currency),
            when(row.ordered_at),
            str(row.attempts),
            row.reason or "",
        )

    def row(self, row: ListedOrder, *texts: str) -> str:
        """One order from its escaped texts: its ref linked to its detail, status and why, place,
        total, sale and attempts."""
        url, ref, place, total, sale, attempts, reason = texts
        why = f'<p class="hint">{reason}</p>' if reason else ""
        return (
            "\n    <tr>\n"
            f'      <th scope="row"><a href="{url}">{ref}</a></th>\n'
            f"{self.status_cell}{self.badge(row.status)}\n\n"
            f"{why}\n"
            f"{self.tablet_hint if row.without_customer else ''}\n"
            "      </td>\n"
            f"{self.place_cell}{place}</td>\n"
            f"{self.total_cell}{total}</td>\n"
            f"{self.sale_cell}{sale}</td>\n"
            f"{self.attempts_cell}{attempts}</td>\n"
            "    </tr>\n"
        )
