"""Markup the Products page repeats by the thousand, written in one pass of Python.

A Jinja loop pays for a context lookup, an escape and an output write per value; the
"Sold at" filter lists every location of the merchant, a thousand at the largest, on
every view, and each of the fifty rows holds a dozen values. The markup is the template's,
byte for byte, and every value is escaped. Texts are the template's msgids read from the
request's catalogue; the badges come from the portal's own macro, drawn once per page.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import get_template_attribute, url_for
from markupsafe import Markup, escape

from portal.products.composer import RewardRef
from portal.products.services import ProductRow, ProductsPage
from portal.rows import RowTexts, escaped

# How many texts of a product row `_texts` gives.
_TEXTS = 5


def location_options(locations: Sequence[tuple[str, str]], selected: str | None) -> Markup:
    """The "Sold at" filter's options, one per (ref, name), the filtered location selected."""
    refs = [ref for ref, _ in locations]
    names = [name for _, name in locations]
    options = "".join(
        [
            f'<option value="{value}" {"selected" if ref == selected else ""}>{name}</option>'
            for ref, value, name in zip(refs, escaped(refs), escaped(names), strict=True)
        ]
    )
    return Markup(options)  # noqa: S704  # every ref and name in it was escaped above


def product_rows(listing: ProductsPage) -> Markup:
    """Every row of the product list of one page, as the list holds them."""
    if not listing.rows:
        return Markup()
    rows = _Rows(listing.composer.selection.skus)
    # The rows' texts escaped in one call of the escaper, then laid out row by row.
    texts = escaped([text for row in listing.rows for text in _texts(row)])
    written = "".join(
        [
            rows.row(row, n, *texts[(n - 1) * _TEXTS : n * _TEXTS])
            for n, row in enumerate(listing.rows, 1)
        ]
    )
    return Markup(written)  # noqa: S704  # every value in it was escaped where it was put in


def _texts(row: ProductRow) -> tuple[str, str, str, str, str]:
    """The row's texts, to be escaped: ref, SKU, name, price and places ("" for none)."""
    return (row.ref, row.sku, row.name, row.price or "", ", ".join(row.sold_at or ()))


class _Rows:
    """What every row shares, translated and drawn once per page, and the writing of a row."""

    def __init__(self, selected: Sequence[str]) -> None:
        _ = self.gettext = RowTexts().gettext
        self.selected = frozenset(selected)
        self.copy_word = _("Copy")
        self.copied_word = _("Copied")
        self.everywhere = _("All locations")
        self.no_reward = _("No Pongo reward uses it.")
        self.no_price = _("No price")
        no_location = _("No location")
        self.nowhere = f'<span class="muted">{no_location}</span>'
        self.labels = (_("SKU"), _("Price"), _("Sold at"), _("Pongo rewards"))
        badge = get_template_attribute("_macros/badges.html", "badge")
        self.archived_badge = badge("neutral", _("Archived"), "‖")
        self.paid_badge = badge("warning", _("Paid options"))
        self.shared_badge = badge("warning", _("Shared SKU"))
        paid_caution = _(
            "The reward covers the product only: its paid options are not included and must be"
            " charged."
        )
        self.paid_caution = (
            f'<p class="caution"><span aria-hidden="true">⚠</span> {paid_caution}</p>'
        )
        # A reward is linked from every product it uses: its address is made once per page.
        self.reward_links: dict[RewardRef, str] = {}

    def row(self, row: ProductRow, n: int, *texts: str) -> str:
        """One product from its escaped texts: its name and flags, its SKU to copy, price,
        places and rewards."""
        ref, sku, name, price, places = texts
        chosen = row.sku in self.selected
        shared = row.sharing > 1
        sku_label, price_label, sold_at_label, rewards_label = self.labels
        if row.sold_at is None:
            places = self.everywhere
        elif not row.sold_at:
            places = self.nowhere
        return (
            f'\n\n    <li id="row-{ref}" class="product-row{" is-selected" if chosen else ""}">\n'
            f'      <input type="hidden" name="shown" value="{sku}">\n'
            '      <div class="product-head">\n'
            f'        <input type="checkbox" id="tick-{n}" name="tick" value="{sku}" '
            f"{'checked' if chosen else ''}>\n"
            f'        <label for="tick-{n}" class="product-name">{name}</label>\n'
            f"{self.archived_badge if row.archived else ''}\n"
            f"{self.paid_badge if row.has_paid_options else ''}\n"
            f"{self.shared_badge if shared else ''}\n"
            "      </div>\n"
            '      <dl class="product-facts">\n'
            f"        <dt>{sku_label}</dt>\n"
            f'        <dd class="copy-inline"><code id="sku-{n}">{sku}</code>\n'
            '          <button type="button" class="button button-small button-ghost" '
            f'data-copy-target="sku-{n}" data-copied-label="{self.copied_word}" '
            f'aria-describedby="sku-{n}">{self.copy_word}</button></dd>\n'
            f"        <dt>{price_label}</dt>\n"
            f"        <dd>{price or self.no_price}</dd>\n"
            f"        <dt>{sold_at_label}</dt>\n"
            f"        <dd>{places}</dd>\n"
            f"        <dt>{rewards_label}</dt>\n"
            f"        <dd>{self.rewards(row.rewards)}</dd>\n"
            "      </dl>\n"
            f"{self.paid_caution if row.has_paid_options else ''}\n"
            f"{self.sharing(row.sharing) if shared else ''}\n"
            "    </li>\n"
        )

    def rewards(self, rewards: Sequence[RewardRef]) -> str:
        """The Pongo rewards using the product's SKU, each linked to its row on the Rewards page."""
        if not rewards:
            return f'<span class="muted">{self.no_reward}</span>'
        return ", ".join([self.reward_link(reward) for reward in rewards])

    def reward_link(self, reward: RewardRef) -> str:
        """A link to the reward's row on the Rewards page, named after the reward."""
        link = self.reward_links.get(reward)
        if link is None:
            address = url_for("rewards.index", _anchor=f"row-{reward.public_id}")
            link = f'<a href="{escape(address)}">{escape(reward.name)}</a>'
            self.reward_links[reward] = link
        return link

    def sharing(self, count: int) -> str:
        """The caution under a product whose SKU other active products carry too."""
        said = self.gettext(
            "%(count)d products carry this SKU: a reward cannot tell them apart.", count=count
        )
        return f'<p class="caution"><span aria-hidden="true">⚠</span> {said}</p>'
