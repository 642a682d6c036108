"""The rows of the Rewards table, written in one pass of Python.

A page shows 25 rewards and their hundreds of SKUs: a Jinja loop pays a context lookup, an
escape and an output write per value, and a macro call per review and per difference. The
markup is the template's (tests/perf/pages/ keeps the page's rendering), and every value is
escaped. The texts are the template's msgids read from the request's catalogue (`portal/rows.py`);
the status badges come from the portal's own macros. The SKU lists and the reviews are
written by `sku_markup.py` and `review_markup.py`.
"""

from __future__ import annotations

from flask import get_template_attribute, url_for
from markupsafe import Markup, escape

from portal.rewards.catalogue_index import TokenKind, TokenResult
from portal.rewards.checks import RewardCheck, RewardShape, RewardStatus
from portal.rewards.entries import RewardEntry
from portal.rewards.pages import RewardsPage
from portal.rewards.review_markup import ReviewForms
from portal.rewards.sku_markup import SkuList
from portal.rows import RowTexts, row_url

# Kinds of SKUs a customer can be given: the items of a list.
_LISTED = (TokenKind.MATCHED, TokenKind.AMBIGUOUS)


def reward_rows(listing: RewardsPage) -> Markup:
    """Every row of one page of the rewards table, as the table's body holds them."""
    rows = _Rows(listing, RowTexts())
    written = "".join([rows.row(entry, n) for n, entry in enumerate(listing.rows, 1)])
    return Markup(written)  # noqa: S704  # every value in it was escaped where it was put in


def _unique_folded(names: list[str]) -> list[str]:
    """The names in order without repeats, case aside (as Jinja's `unique`)."""
    seen: set[str] = set()
    kept = []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            kept.append(name)
    return kept


class _Rows:
    """The rows of a page, with what every row shares made once per page."""

    def __init__(self, listing: RewardsPage, texts: RowTexts) -> None:
        _ = texts.gettext
        self.texts = texts
        self.skus = SkuList(texts, listing.near_misses)
        self.reviews = ReviewForms(texts, listing.keep)
        self.edit_url = row_url("products.from_reward")
        self.where = _("In Pongo's back office: Rewards → this reward → the SKU field.")
        draw = get_template_attribute("rewards/_status.html", "reward_status")
        self.badges = {status: draw(status.value, False) for status in RewardStatus}
        self.reviewed_badge = draw(RewardStatus.READY.value, True)

    def row(self, entry: RewardEntry, n: int) -> str:
        """One reward's row: its name, its status and review, its SKUs, what a customer gets."""
        check = entry.check
        reviewed = entry.reviewed
        name = escape(check.name)
        points = ""
        if entry.points is not None:
            count = self.texts.gettext("%(points)d points", points=entry.points)
            points = f'<span class="muted">{count}</span>'
        edit = self.texts.gettext("Edit this reward's SKUs")
        return "".join(
            [
                f'\n    <tr id="row-{escape(check.public_id)}" class="reward-row',
                ' is-reviewed">\n' if reviewed else '">\n',
                '      <th scope="row">\n',
                f'        <span class="reward-name">{name}</span>\n{points}\n',
                f'        <a class="row-action" href="{escape(self.edit_url(check.public_id))}">',
                f'{edit}<span class="sr-only">: {name}</span></a>\n      </th>\n',
                self.status_cell(entry, n),
                self.skus_cell(check, n, reviewed),
                self.gets_cell(check, reviewed),
                "    </tr>\n",
            ]
        )

    def status_cell(self, entry: RewardEntry, n: int) -> str:
        """The row's badge, what its status asks of the merchant, and the review."""
        _ = self.texts.gettext
        check = entry.check
        status = check.status
        badge = self.reviewed_badge if entry.reviewed else self.badges[status]
        out = [f'      <td data-label="{_("Status")}">\n        {badge}\n']
        if entry.reviewed:
            # One state per row: the review says it all; the details stay folded.
            out.append("\n")
        elif status is RewardStatus.NOT_REDEEMABLE:
            hint = _("No SKU of this reward is a product of your POS: your tills cannot honour it.")
            out.append(f'\n          <p class="hint">{hint}</p>\n')
            if check.only_other_systems:
                fix = _(
                    "To fix: add the SKU of your POS product to this reward in Pongo, after a"
                    " comma, keeping the other codes."
                )
                url = escape(url_for("products.index", q=check.name))
                find = _("Find the SKU of “%(name)s” in your products", name=check.name)
                out.append(
                    f'\n            <p class="fix">{fix} {self.where}\n'
                    f'              <a href="{url}">{find}</a>\n            </p>\n'
                )
            else:
                fix = _("To fix: correct each SKU as said beside it.")
                out.append(f'<p class="fix">{fix} {self.where}</p>')
            out.append("\n")
        elif status is RewardStatus.NO_SKU:
            hint = _("This reward has no SKU in Pongo: add the SKU of the product it gives.")
            fix = _(
                "Type the SKU of your POS product in that field. If the reward is not a product"
                " (a discount, an event…), mark it as reviewed."
            )
            out.append(
                f'\n          <p class="hint">{hint}</p>\n'
                f'          <p class="fix">{self.where} {fix}</p>\n'
            )
        elif status is RewardStatus.CHECK:
            hint = _("Your tills can honour this reward, but read what is said beside its SKUs.")
            out.append(f'<p class="hint">{hint}</p>')
        out.append("\n")
        if status is not RewardStatus.READY:
            out.append(self.reviews.block(entry, n))
        out.append("\n      </td>\n")
        return "".join(out)

    def skus_cell(self, check: RewardCheck, n: int, reviewed: bool) -> str:
        """The reward's SKUs of this POS, those of other systems, and the corrected list."""
        _ = self.texts.gettext
        out = [f'      <td data-label="{_("SKUs")}">\n']
        if reviewed:
            count = self.texts.ngettext("%(num)d SKU", "%(num)d SKUs", len(check.tokens))
            out.append(
                f'<details class="folded"><summary>{count}'
                f'<span class="sr-only">: {escape(check.name)}</span></summary>'
            )
        out.append("\n")
        own = check.own_tokens
        if own:
            out.append(self.skus.own(check, own))
        elif not check.tokens:
            out.append(f'<span class="muted">{_("None")}</span>')
        out.append("\n\n")
        others = check.other_system_tokens
        if others:
            out.append(self.skus.other_systems(others))
        out.append("\n")
        if check.has_corrections and check.corrected_list:
            out.append(self.corrected_list(check, n))
        out.append("\n</details>\n      </td>\n" if reviewed else "\n\n      </td>\n")
        return "".join(out)

    def corrected_list(self, check: RewardCheck, n: int) -> str:
        """The reward's SKUs with each typo corrected, to copy into Pongo."""
        _ = self.texts.gettext
        paste = _(
            "Paste it in Pongo's back office: Rewards → this reward → the SKU field, in place of"
            " the current list. Other systems' SKUs are kept."
        )
        out = (
            '\n          <div class="corrected-list">\n'
            f'            <label for="fix-{n}">{_("Corrected SKU list")}</label>\n'
            '            <div class="copy-field">\n'
            f'              <input type="text" id="fix-{n}" class="mono"'
            f' value="{escape(check.corrected_list)}" readonly aria-describedby="fix-{n}-hint">\n'
            '              <button type="button" class="button button-small button-ghost"'
            f' data-copy-target="fix-{n}" data-copied-label="{_("Copied")}">{_("Copy")}</button>\n'
            "            </div>\n"
            f'            <p class="hint" id="fix-{n}-hint">{paste}</p>\n'
        )
        if check.shape_changes:
            change = self.shape_change(check)
            out += f'<p class="caution"><span aria-hidden="true">⚠</span> {change}</p>'
        return out + "\n          </div>\n"

    def shape_change(self, check: RewardCheck) -> Markup:
        """What pasting the corrected list makes of the reward, when its shape changes."""
        _ = self.texts.gettext
        if check.corrected_shape is RewardShape.SINGLE:
            return _("With the corrected list, the reward gives a single product or menu.")
        if check.corrected_shape is RewardShape.LIST:
            return _(
                "With the corrected list, the reward becomes a list: the customer picks any one"
                " of its products or menus."
            )
        return _("With the corrected list, nothing of your POS is left in the reward.")

    def gets_cell(self, check: RewardCheck, reviewed: bool) -> str:
        """What a customer gets: one product, a list to pick from, or nothing of this POS."""
        _ = self.texts.gettext
        gets = _("What the customer gets")
        out = [f'      <td data-label="{gets}">\n']
        if reviewed:
            out.append(
                f'<details class="folded"><summary>{_("Show")}'
                f'<span class="sr-only">: {gets}, {escape(check.name)}</span></summary>'
            )
        out.append("\n")
        if check.shape is RewardShape.SINGLE:
            out.append(f'<p class="shape">{_("A single product or menu")}</p>\n')
        elif check.shape is RewardShape.LIST:
            says = self.texts.ngettext(
                "A list: the customer picks any one of these %(num)d product or menu.",
                "A list: the customer picks any one of these %(num)d products or menus.",
                len(check.usable_skus),
            )
            items = "".join(
                [
                    f"\n              <li>{self.shape_item(result)}</li>\n"
                    for result in check.tokens
                    if result.kind in _LISTED
                ]
            )
            out.append(
                f'<p class="shape">{says}</p>\n          <ul class="shape-items">\n'
                f"{items}\n          </ul>\n"
            )
        else:
            out.append(f'<p class="shape muted">{_("Nothing from your POS")}</p>')
        out.append("\n")
        if check.paid_options_caution:
            out.append(self.paid_options(check))
        out.append("\n</details>\n      </td>\n" if reviewed else "\n\n      </td>\n")
        return "".join(out)

    def shape_item(self, result: TokenResult) -> str:
        """One product or menu of a list the customer picks from."""
        if result.kind is TokenKind.MATCHED:
            return str(escape(result.products[0].name))
        names = ", ".join([product.name for product in result.products])
        return str(self.texts.gettext("%(sku)s (one of: %(names)s)", sku=result.token, names=names))

    def paid_options(self, check: RewardCheck) -> str:
        """The caution for products whose paid options the reward does not cover."""
        _ = self.texts.gettext
        caution = _(
            "The reward covers the product only: its paid options are not included and must be"
            " charged."
        )
        fix = _(
            "What to do: point the reward at a product without paid options, or make sure your"
            " tills charge the options; then mark the reward as reviewed."
        )
        names = _unique_folded([p.name for p in check.matched_products if p.has_paid_options])
        return (
            f'\n          <p class="caution"><span aria-hidden="true">⚠</span> {caution}\n'
            f'            <span class="muted">{escape(", ".join(names))}</span>\n'
            f'          </p>\n          <p class="fix">{fix}</p>\n'
        )
