"""The SKU check: each reward's verdict from its tokens' classification against the catalogue.

A reward is "ready" when its SKUs of this POS are all plain matches; "check" when the
tills can honour it but something deserves a look (a typo beside a match, a SKU shared
by several active products, a product with paid options, a product whose name shares
no word with the reward's); "not redeemable" when no
SKU of this POS is usable; "no SKU" when the field is empty. Beyond ``MAX_TOKENS`` SKUs
on one reward the rest are marked unreadable without a lookup. The check is automatic;
the merchant's own review of a flagged reward lives in `reviews.py`.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from portal.rewards.catalogue_index import CatalogueIndex, CatalogueProduct, TokenKind, TokenResult
from portal.rewards.hints import names_related
from portal.rewards.sku_text import MAX_TOKENS, parse_external_id

__all__ = [
    "RewardCheck",
    "RewardShape",
    "RewardStatus",
    "check_reward",
    "summary",
]


class RewardStatus(enum.Enum):
    """What the merchant should do about a reward."""

    READY = "ready"
    CHECK = "check"
    NOT_REDEEMABLE = "not_redeemable"
    NO_SKU = "no_sku"


class RewardShape(enum.Enum):
    """What a customer gets: one product or menu, a choice from a list, or nothing here."""

    NONE = "none"
    SINGLE = "single"
    LIST = "list"


@dataclass(frozen=True, slots=True)
class RewardCheck:
    """One reward's SKUs checked against the catalogue."""

    public_id: str
    name: str
    tokens: tuple[TokenResult, ...]
    status: RewardStatus
    shape: RewardShape
    # The reward covers the product only: its paid options must still be charged.
    paid_options_caution: bool
    matched_skus: tuple[str, ...]
    corrected_list: str
    # SKUs of this POS the tills can honour: matched ones, and shared ones (several active
    # products carry them; the till honours the SKU but cannot tell which product is meant).
    usable_skus: tuple[str, ...] = ()
    # What the customer would get once the corrected list is pasted in Pongo.
    corrected_shape: RewardShape = RewardShape.NONE
    # The SKU of a reward's one product when that product shares no word with the reward's
    # name ("Macarons x6" giving a Croissant): a hint to check, not a blocker.
    unrelated_skus: tuple[str, ...] = ()

    @property
    def shape_changes(self) -> bool:
        """Tell whether pasting the corrected list turns one product into a list, or back."""
        return self.has_corrections and self.corrected_shape is not self.shape

    @property
    def other_system_tokens(self) -> tuple[TokenResult, ...]:
        """Return the tokens presumed to be other partners' SKUs, in typed order."""
        return tuple(r for r in self.tokens if r.kind is TokenKind.OTHER_SYSTEM)

    @property
    def own_tokens(self) -> tuple[TokenResult, ...]:
        """Return the tokens that concern this POS: every kind but other systems'."""
        return tuple(r for r in self.tokens if r.kind is not TokenKind.OTHER_SYSTEM)

    @property
    def only_other_systems(self) -> bool:
        """Tell whether every SKU of the reward belongs to other systems."""
        return bool(self.tokens) and not self.own_tokens

    @property
    def pos_skus(self) -> tuple[str, ...]:
        """Return the SKUs of this POS the reward maps to, as the POS API serves them."""
        return self.usable_skus

    @property
    def matched_products(self) -> tuple[CatalogueProduct, ...]:
        """Return the products the reward's matched SKUs stand for, in token order."""
        return tuple(
            product
            for result in self.tokens
            if result.kind is TokenKind.MATCHED
            for product in result.products
        )

    @property
    def has_corrections(self) -> bool:
        """Tell whether the corrected list changes a typed SKU (spacing and repeats aside)."""
        return self.corrected_list != ",".join(result.token for result in self.tokens)

    def redeemable_at(self, location_refs: Iterable[str]) -> frozenset[str]:
        """Return the given locations where at least one matched product is sold."""
        products = self.matched_products
        return frozenset(
            ref for ref in location_refs if any(product.sold_at(ref) for product in products)
        )


def _corrected_list(results: Iterable[TokenResult]) -> str:
    # Only near misses change. Ambiguous and inactive tokens are real SKUs of this
    # catalogue (the fix belongs in the POS, not in Pongo) and may also be another
    # partner's code, so they are kept as typed, like other systems' tokens.
    kept: list[str] = []
    seen: set[str] = set()
    for result in results:
        sku = result.suggestion if result.kind is TokenKind.NEAR_MISS else result.token
        if sku is not None and sku not in seen:
            seen.add(sku)
            kept.append(sku)
    return ",".join(kept)


# Kinds of tokens the tills can honour.
_USABLE = (TokenKind.MATCHED, TokenKind.AMBIGUOUS)


def _shape(skus: int) -> RewardShape:
    if skus > 1:
        return RewardShape.LIST
    return RewardShape.SINGLE if skus else RewardShape.NONE


def _corrected_shape(results: Iterable[TokenResult]) -> RewardShape:
    # After the fix every near miss names an active product's SKU, so it counts like a match.
    usable = {
        result.suggestion if result.kind is TokenKind.NEAR_MISS else result.token
        for result in results
        if result.kind in _USABLE or result.kind is TokenKind.NEAR_MISS
    }
    return _shape(len(usable))


def check_reward(
    public_id: str, name: str, raw_external_id: object, index: CatalogueIndex
) -> RewardCheck:
    """Check every SKU of one reward against the catalogue and sum the reward up."""
    tokens = parse_external_id(raw_external_id)
    results = tuple(index.classify(token) for token in tokens[:MAX_TOKENS]) + tuple(
        TokenResult(token, TokenKind.UNREADABLE) for token in tokens[MAX_TOKENS:]
    )
    matched = tuple(r for r in results if r.kind is TokenKind.MATCHED)
    matched_skus = tuple(r.token for r in matched)
    usable_skus = tuple(r.token for r in results if r.kind in _USABLE)
    paid_options = any(p.has_paid_options for r in matched for p in r.products)
    doubtful = any(r.kind in (TokenKind.AMBIGUOUS, TokenKind.NEAR_MISS) for r in results)
    # Only a reward giving one product is compared with its name: a list ("Viennoiserie au
    # choix") names a kind of product, rarely the products themselves.
    single = matched if len(usable_skus) == 1 else ()
    related = any(names_related(name, p.name) for r in single for p in r.products)
    unrelated = tuple(r.token for r in single) if single and not related else ()
    # Inactive and other systems' tokens do not call for a check: the first are
    # harmless leftovers, the second are expected (SEED: several partners share
    # the field). A SKU shared by several active products is honoured by the tills,
    # which only cannot tell which product is meant: a check, not "not redeemable".
    if not results:
        status = RewardStatus.NO_SKU
    elif not usable_skus:
        status = RewardStatus.NOT_REDEEMABLE
    elif doubtful or paid_options or unrelated:
        status = RewardStatus.CHECK
    else:
        status = RewardStatus.READY
    shape = _shape(len(usable_skus))
    return RewardCheck(
        public_id=public_id,
        name=name,
        tokens=results,
        status=status,
        shape=shape,
        paid_options_caution=paid_options,
        matched_skus=matched_skus,
        corrected_list=_corrected_list(results),
        usable_skus=usable_skus,
        corrected_shape=_corrected_shape(results),
        unrelated_skus=unrelated,
    )


def summary(checks: Iterable[RewardCheck]) -> dict[RewardStatus, int]:
    """Count checks per status, every status present, in display order."""
    counts = Counter(check.status for check in checks)
    return {status: counts[status] for status in RewardStatus}
