"""The order rows written in Python: the template loop's markup, byte for byte, escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_babel import force_locale

from portal.orders.markup import order_rows
from portal.orders.pages import ListedOrder, OrdersPage

# The Orders table's rows as the page's template wrote them.
LOOP = """{% from "orders/_status.html" import relay_status %}
  {% set status_label, location_label, total_label, sale_label, attempts_label = _("Status"), _("Location"), _("Total"), _("Sale"), _("Attempts") %}
  {%- set badges = {"pending": relay_status("pending"), "delivered": relay_status("delivered"), "failed": relay_status("failed"), "paused": relay_status("paused"), "expired": relay_status("expired"), "cancelled": relay_status("cancelled")} %}
  {%- set tablet_hint = _("The customer identifies on the Pongo tablet.") -%}
<rows>{% for row in listing.rows %}
    <tr>
      <th scope="row"><a href="{{ url_for('orders.detail', order_ref=row.order_ref) }}">{{ row.order_ref }}</a></th>
      <td data-label="{{ status_label }}">{{ badges[row.status] or relay_status(row.status) }}
        {# The reason is a plain sentence saying why the order is not delivered, and what to do. #}
        {% if row.reason %}<p class="hint">{{ row.reason }}</p>{% endif %}
        {% if row.without_customer %}<p class="hint">{{ tablet_hint }}</p>{% endif %}
      </td>
      <td data-label="{{ location_label }}">{{ row.place }}</td>
      <td class="numeric" data-label="{{ total_label }}">{{ row.total_cents|money(currency) }}</td>
      <td data-label="{{ sale_label }}">{{ row.ordered_at|when }}</td>
      <td class="numeric" data-label="{{ attempts_label }}">{{ row.attempts }}</td>
    </tr>
  {% endfor %}</rows>"""  # noqa: E501  # the template's lines, as they were
STATUSES = ("pending", "delivered", "failed", "paused", "expired", "cancelled", "unheard-of")
REFS = ("O-1", "O/2 x?&<y>#%", "O\"3'", "O\x004", "Ö-5")
PLACES = ("Lyon", "Café <Lyon> & 'Part-Dieu'", "L\x00gone")
REASONS = (None, "", "Pongo refused it: <b>fix</b> & retry.", "Waiting \x00 here")


def orders(count: int) -> list[ListedOrder]:
    """Orders of every status, with and without a reason, a customer and a known place."""
    return [
        ListedOrder(
            order_ref=REFS[n % len(REFS)],
            status=STATUSES[n % len(STATUSES)],
            place=PLACES[n % len(PLACES)],
            total_cents=(-1) ** n * 123_456 * n,
            ordered_at=datetime(2026, 3 + n % 9, 1 + n % 27, n % 24, n % 60, tzinfo=UTC)
            if n % 4
            else datetime(2026, 10, 25, 1, n % 60),  # naive, as SQLite gives it; a DST night
            attempts=n % 4,
            without_customer=n % 3 == 0,
            reason=REASONS[n % len(REASONS)],
        )
        for n in range(count)
    ]


def page_of(rows: list[ListedOrder]) -> OrdersPage:
    """A page holding these rows."""
    return OrdersPage(rows, None, "", 1, 1, len(rows), {})


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("currency", ["EUR", "JPY", None])
def test_rows_are_the_loops_markup_with_every_value_escaped(
    app: Flask, language: str, currency: str | None
) -> None:
    listing = page_of(orders(40))
    with app.test_request_context("/orders"), force_locale(language):
        written = str(order_rows(listing, currency))
        expected = app.jinja_env.from_string(LOOP).render(listing=listing, currency=currency)
    assert "<rows>" + written + "</rows>" == expected[expected.index("<rows>") :]
    assert "&lt;b&gt;fix&lt;/b&gt; &amp; retry." in written
    assert 'href="/orders/O/2%20x%3F&amp;%3Cy%3E%23%25">O/2 x?&amp;&lt;y&gt;#%</a>' in written


def test_no_order_is_no_row(app: Flask) -> None:
    with app.test_request_context("/orders"):
        assert str(order_rows(page_of([]), "EUR")) == ""
