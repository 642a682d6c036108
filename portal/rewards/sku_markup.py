"""A reward's SKUs as its row lists them, written in one pass of Python (see `markup.py`).

Each SKU of this POS shows its kind (an icon and a word) and what it means: the product it
names, or what is wrong and how to fix it; a typo shows the characters that differ from
the SKU it likely means, look-alikes named. Other systems' SKUs are listed apart, folded.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import escape

from portal.rewards.catalogue_index import TokenKind, TokenResult
from portal.rewards.checks import RewardCheck
from portal.rewards.hints import Glyph, NearMissHint, Piece, glyph_of
from portal.rows import RowTexts

_ICONS = {
    TokenKind.MATCHED: "✔",
    TokenKind.AMBIGUOUS: "⚠",
    TokenKind.INACTIVE: "‖",
    TokenKind.NEAR_MISS: "✎",
    TokenKind.OTHER_SYSTEM: "○",
    TokenKind.UNREADABLE: "?",
}
# Typed SKUs longer than this are cut, "…" standing for the rest (as Jinja's `truncate`).
_SHOWN_SKU = 60


def _shown(token: str) -> str:
    """A typed SKU as the list shows it: cut to its first characters when it is very long."""
    return token if len(token) <= _SHOWN_SKU else token[: _SHOWN_SKU - 1] + "…"


def _names(result: TokenResult) -> str:
    """The names of a SKU's products, as one list."""
    return ", ".join([product.name for product in result.products])


class SkuList:
    """The SKU lists of a page's rows, with what every row shares made once per page."""

    def __init__(self, texts: RowTexts, near_misses: dict[str, dict[str, NearMissHint]]) -> None:
        _ = texts.gettext
        self.texts = texts
        self.near_misses = near_misses
        words = {
            TokenKind.MATCHED: _("Matched"),
            TokenKind.AMBIGUOUS: _("Ambiguous"),
            TokenKind.INACTIVE: _("Inactive"),
            TokenKind.NEAR_MISS: _("Near miss"),
            TokenKind.OTHER_SYSTEM: _("Other system"),
            TokenKind.UNREADABLE: _("Not readable"),
        }
        self.other_system_word = words[TokenKind.OTHER_SYSTEM]
        # Each kind's markup around a SKU, drawn once: a page lists hundreds of SKUs.
        self.around = {
            kind: (
                f'\n\n          <li class="token token-{kind.value}"><span class="token-icon"'
                f' aria-hidden="true">{_ICONS[kind]}</span> <code class="token-sku">',
                f'</code> <span class="token-word">{word}</span>\n'
                '            <span class="token-detail">',
            )
            for kind, word in words.items()
        }
        self.glyphs = {
            Glyph.LETTER_O: _("letter O"),
            Glyph.DIGIT_ZERO: _("digit zero"),
            Glyph.LETTER_L: _("lower-case letter L"),
            Glyph.LETTER_I: _("capital letter I"),
            Glyph.DIGIT_ONE: _("digit one"),
            Glyph.SPACE: _("space"),
        }
        # A changed character as a difference shows it, by character: SKUs share a few.
        self.changed: dict[str, str] = {}

    def own(self, check: RewardCheck, own: tuple[TokenResult, ...]) -> str:
        """The list of the reward's SKUs of this POS."""
        items = "".join([self.item(check, result) for result in own])
        return f'\n        <ul class="token-list">\n{items}\n        </ul>\n'

    def item(self, check: RewardCheck, result: TokenResult) -> str:
        """One SKU of this POS: its kind in an icon and a word, and what it means."""
        before, after = self.around[result.kind]
        sku = escape(_shown(result.token))
        return f"{before}{sku}{after}{self.detail(check, result)}</span>\n          </li>\n"

    def detail(self, check: RewardCheck, result: TokenResult) -> str:
        """What a SKU of this POS stands for, or what is wrong with it and how to fix it."""
        _ = self.texts.gettext
        kind = result.kind
        if kind is TokenKind.MATCHED:
            return self.matched(check, result)
        if kind is TokenKind.UNREADABLE:
            return str(_("Too long, or too many SKUs on this reward: not checked."))
        if kind is TokenKind.NEAR_MISS:
            return self.near_miss(check, result)
        if kind is TokenKind.AMBIGUOUS:
            said = _("Several products of your POS share this SKU:")
            fix = _(
                "Your tills can honour it but cannot tell which product is meant. To fix: give"
                " each product its own SKU in your POS catalogue, then put the right one in"
                " Pongo. If the shared SKU is intended, mark the reward as reviewed."
            )
        else:
            said = _("Only archived products of your POS carry this SKU:")
            fix = _(
                "To fix: in Pongo, replace it with the SKU of a product you still sell, or"
                " reactivate the product in your POS catalogue."
            )
        products = ", ".join(
            [
                f'{escape(product.name)} <span class="muted">({escape(product.ref)})</span>'
                for product in result.products
            ]
        )
        return f"{said}\n{products}.\n              {fix}"

    def matched(self, check: RewardCheck, result: TokenResult) -> str:
        """The product a SKU names, and a warning when its name and the reward's share no word."""
        product = result.products[0]
        out = f"→ {escape(product.name)}"
        if product.ref != result.token:
            out += f' <span class="muted">({escape(product.ref)})</span>'
        out += "\n"
        if result.token in check.unrelated_skus:
            warning = self.texts.gettext(
                "To check: “%(reward)s” and “%(product)s” share no word. If this product is"
                " the one intended, mark the reward as reviewed.",
                reward=check.name,
                product=product.name,
            )
            out += (
                '<br><strong class="caution unrelated-product">'
                f'<span aria-hidden="true">⚠</span> {warning}</strong>'
            )
        return out

    def near_miss(self, check: RewardCheck, result: TokenResult) -> str:
        """A typo's "did you mean", the characters that differ, and how to fix it."""
        _ = self.texts.gettext
        out = [_("Did you mean %(sku)s?", sku=result.suggestion), "\n"]
        if result.products:
            out.append(f' <span class="muted">({escape(_names(result))})</span>')
        out.append("\n")
        if result.alternatives:
            also = _("Also close: %(skus)s.", skus=", ".join(result.alternatives))
            out.append(f' <span class="muted">{also}</span>')
        hint = self.near_misses[check.public_id][result.token]
        replace = _(
            "To fix: in Pongo, replace %(typed)s with %(meant)s, or paste the corrected list"
            " below.",
            typed=result.token,
            meant=result.suggestion,
        )
        out.append(f"\n\n              <br>{self.diff(hint)}\n              <br>{replace}\n")
        if hint.unrelated:
            warning = _(
                "Check before copying: the suggestion is a %(product)s, and this reward is"
                " “%(reward)s”.",
                product=_names(result),
                reward=check.name,
            )
            out.append(
                '\n                <br><strong class="caution"><span aria-hidden="true">⚠</span>'
                f" {warning}</strong>\n"
            )
        return "".join(out)

    def diff(self, hint: NearMissHint) -> str:
        """The typed SKU and the suggested one, what differs marked, look-alikes named."""
        _ = self.texts.gettext
        return (
            f'\n<span class="diff-line">{_("Differences:")} {self.pieces(hint.typed)}'
            f' <span aria-hidden="true">→</span><span class="sr-only">{_("becomes")}</span>'
            f" {self.pieces(hint.meant)}</span>"
        )

    def pieces(self, pieces: Sequence[Piece]) -> str:
        """One SKU of a difference, its changed characters marked."""
        out = ['<code class="mono sku-diff">']
        for piece in pieces:
            if piece.changed:
                changed = self.changed
                chars = [changed.get(char) or self.changed_char(char) for char in piece.text]
                out.append(f"<mark>{''.join(chars)}</mark>")
            else:
                out.append(str(escape(piece.text)))
        out.append("</code>")
        return "".join(out)

    def changed_char(self, char: str) -> str:
        """A changed character as a difference shows it: a look-alike is named in words."""
        glyph = glyph_of(char)
        if glyph is None:
            shown = str(escape(char))
        else:
            name = self.glyphs[glyph]
            seen = "␣" if glyph is Glyph.SPACE else escape(char)
            shown = (
                f'<span class="glyph" title="{name}">{seen}</span>'
                f'<span class="glyph-name"> ({name})</span>'
            )
        self.changed[char] = shown
        return shown

    def other_systems(self, others: tuple[TokenResult, ...]) -> str:
        """The reward's SKUs of other systems, folded under their count."""
        count = self.texts.ngettext(
            "%(num)d SKU of another system", "%(num)d SKUs of other systems", len(others)
        )
        hint = self.texts.gettext("Not in your catalogue — probably another system's SKU.")
        word = self.other_system_word
        items = "".join(
            [
                '<li class="token token-other_system"><code class="token-sku">'
                f'{escape(result.token)}</code> <span class="token-word">{word}</span></li>'
                for result in others
            ]
        )
        return (
            '\n          <details class="other-systems">\n'
            f'            <summary><span aria-hidden="true">○</span> {count}</summary>\n'
            f'            <p class="hint">{hint}</p>\n'
            f'            <ul class="token-list">\n{items}\n            </ul>\n'
            "          </details>\n"
        )
