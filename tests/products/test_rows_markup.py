"""The product rows written in Python: the template loop's markup, byte for byte, escaped."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale

from portal.listing import Page
from portal.products.composer import Composer, RewardRef, Selection
from portal.products.markup import product_rows
from portal.products.services import Filters, ProductRow, ProductsPage

# The product list's rows as the page's template wrote them.
LOOP = """{% from "_macros/badges.html" import badge %}
  {% set copy_word = _("Copy") %}
  {% set copied_word = _("Copied") %}
  {% set everywhere = _("All locations") %}
  {% set paid_caution = _("The reward covers the product only: its paid options are not included and must be charged.") %}
  {% set no_reward = _("No Pongo reward uses it.") %}
  {% set no_price = _("No price") %}
  {%- set sku_label = _("SKU") %}
  {%- set price_label = _("Price") %}
  {%- set sold_at_label = _("Sold at") %}
  {%- set rewards_label = _("Pongo rewards") %}
  {%- set no_location = _("No location") %}
  {% set archived_badge = badge("neutral", _("Archived"), "‖") %}
  {% set paid_badge = badge("warning", _("Paid options")) %}
  {% set shared_badge = badge("warning", _("Shared SKU")) %}
<rows>{% for row in listing.rows %}
    {% set n = loop.index %}
    <li id="row-{{ row.ref }}" class="product-row{% if row.sku in selection.skus %} is-selected{% endif %}">
      <input type="hidden" name="shown" value="{{ row.sku }}">
      <div class="product-head">
        <input type="checkbox" id="tick-{{ n }}" name="tick" value="{{ row.sku }}" {% if row.sku in selection.skus %}checked{% endif %}>
        <label for="tick-{{ n }}" class="product-name">{{ row.name }}</label>
        {% if row.archived %}{{ archived_badge }}{% endif %}
        {% if row.has_paid_options %}{{ paid_badge }}{% endif %}
        {% if row.sharing > 1 %}{{ shared_badge }}{% endif %}
      </div>
      <dl class="product-facts">
        <dt>{{ sku_label }}</dt>
        <dd class="copy-inline"><code id="sku-{{ n }}">{{ row.sku }}</code>
          <button type="button" class="button button-small button-ghost" data-copy-target="sku-{{ n }}" data-copied-label="{{ copied_word }}" aria-describedby="sku-{{ n }}">{{ copy_word }}</button></dd>
        <dt>{{ price_label }}</dt>
        <dd>{{ row.price or no_price }}</dd>
        <dt>{{ sold_at_label }}</dt>
        <dd>{% if row.sold_at is none %}{{ everywhere }}{% elif row.sold_at %}{{ row.sold_at | join(", ") }}{% else %}<span class="muted">{{ no_location }}</span>{% endif %}</dd>
        <dt>{{ rewards_label }}</dt>
        <dd>{% if row.rewards %}{% for reward in row.rewards %}<a href="{{ url_for('rewards.index', _anchor='row-' ~ reward.public_id) }}">{{ reward.name }}</a>{% if not loop.last %}, {% endif %}{% endfor %}{% else %}<span class="muted">{{ no_reward }}</span>{% endif %}</dd>
      </dl>
      {% if row.has_paid_options %}<p class="caution"><span aria-hidden="true">⚠</span> {{ paid_caution }}</p>{% endif %}
      {% if row.sharing > 1 %}<p class="caution"><span aria-hidden="true">⚠</span> {{ _("%(count)d products carry this SKU: a reward cannot tell them apart.", count=row.sharing) }}</p>{% endif %}
    </li>
  {% endfor %}</rows>"""  # noqa: E501  # the template's lines, as they were
REWARDS = (
    (),
    (RewardRef("rew_1", "Goûter"),),
    (RewardRef("rew <&>/2", "Café <b>offert</b> & 'gâteau'"), RewardRef("rew_1", "Goûter")),
)
PLACES = (None, (), ("Lyon",), ("Café <Lyon> & 'Part-Dieu'", 'L"2'))
NAMES = ("Pain", "Tarte <b>& \"crème\" 'fine'</b>", "Nul\x00part")


def products(count: int) -> list[ProductRow]:
    """Products with and without every flag, place, reward and price, some names to escape."""
    return [
        ProductRow(
            ref=f'P"{n}<&>' if n % 5 == 0 else f"P{n}",
            sku=f"SKU-{n % 7}" if n % 6 else f"S<&>\"{n}'",
            name=NAMES[n % len(NAMES)],
            price=None if n % 4 == 0 else f"€{n}.50",
            price_cents=None if n % 4 == 0 else n * 100 + 50,
            has_paid_options=n % 3 == 0,
            archived=n % 8 == 1,
            sold_at=PLACES[n % len(PLACES)],
            rewards=REWARDS[n % len(REWARDS)],
            sharing=n % 4,
        )
        for n in range(count)
    ]


def page_of(rows: list[ProductRow], selected: tuple[str, ...]) -> ProductsPage:
    """A page holding these rows, these SKUs ticked."""
    return ProductsPage(
        rows=rows,
        paging=Page(items=[], page=1, pages=1, total=len(rows)),
        filters=Filters(),
        composer=Composer(selection=Selection(skus=selected), warnings=()),
        locations=[],
        catalogue_size=len(rows),
    )


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("selected", [(), ("SKU-1", "S<&>\"0'", "elsewhere")])
def test_rows_are_the_loops_markup_with_every_value_escaped(
    app: Flask, language: str, selected: tuple[str, ...]
) -> None:
    listing = page_of(products(40), selected)
    with app.test_request_context("/products"), force_locale(language):
        written = str(product_rows(listing))
        loop = app.jinja_env.from_string(LOOP)
        expected = loop.render(listing=listing, selection=listing.composer.selection)
    assert "<rows>" + written + "</rows>" == expected[expected.index("<rows>") :]
    assert "Tarte &lt;b&gt;&amp; &#34;crème&#34; &#39;fine&#39;&lt;/b&gt;" in written
    assert 'href="/rewards#row-rew%20%3C&amp;%3E/2"' in written


def test_no_product_is_no_row(app: Flask) -> None:
    with app.test_request_context("/products"):
        assert str(product_rows(page_of([], ()))) == ""
