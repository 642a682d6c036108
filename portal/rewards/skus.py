"""Reward SKU parsing and classification against a merchant's POS catalogue.

A Pongo reward's ``external_id`` is a comma-separated list of SKUs typed by the
merchant in Pongo's back office; it may hold other partners' SKUs too. This module
splits that list, classifies every token against the catalogue and sums each reward
up for the review page, the CSV export and the POS API.

Near misses ("did you mean X?") are found in three tiers, first hit wins:

1. exact SKU: never a near miss, whatever else looks alike;
2. same normalised key: the SKUs differ only by case, accents, spacing,
   punctuation or leading zeros of a number ("BAK-0005" ~ "bak 5");
3. one edit between normalised keys: one insertion, deletion, substitution or swap
   of two adjacent characters. Swaps count because they are the commonest typing
   slip. This tier needs keys of at least ``MIN_EDIT_KEY_LENGTH`` characters that
   are not all digits: on short keys or bare numbers one edit reaches too many
   unrelated codes, and the corrected list would overwrite another partner's SKU.

Untrusted text stays bounded: a token longer than any SKU the POS can push
(``MAX_SKU_LENGTH``) and the tokens of a reward beyond ``MAX_TOKENS`` are marked
unreadable without a lookup, so one odd reward cannot hold a page for seconds.

When those tiers find nothing, the token is tried once more with the letters O, I
and L next to a digit read as 0 and 1 ("BAK-0O1" ~ "BAK-001"): a common misreading.

Only SKUs that would match after the fix are suggested: SKUs with at least one
active product, and which survive parsing unchanged (no comma, no blank edges).
When several SKUs share the token's key, the suggestion is picked deterministically
(one active product first, then same text ignoring case, then alphabetical order)
and the others are kept in ``TokenResult.alternatives`` so the page can say so. When
one edit reaches several different keys ("BAK-0005" is one edit from BAK-001, BAK-003
and BAK-004), the token is not a near miss: any pick would be a guess, and the
corrected list would silently replace the merchant's SKU with it.

A reward is "ready" when its SKUs of this POS are all plain matches; "check" when the
tills can honour it but something deserves a look (a typo beside a match, a SKU shared
by several active products, a product with paid options); "not redeemable" when no
SKU of this POS is usable; "no SKU" when the field is empty.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "MAX_SKU_LENGTH",
    "MAX_TOKENS",
    "MIN_EDIT_KEY_LENGTH",
    "CatalogueIndex",
    "CatalogueProduct",
    "RewardInput",
    "RewardReview",
    "RewardShape",
    "RewardStatus",
    "TokenKind",
    "TokenResult",
    "classify_token",
    "near_key",
    "parse_external_id",
    "review_reward",
    "review_rewards",
    "summary",
]

MIN_EDIT_KEY_LENGTH = 4
# The POS API refuses SKUs longer than this: a longer token cannot be one of this catalogue.
MAX_SKU_LENGTH = 128
# More SKUs than this on one reward is not a list a person typed (partners' codes included).
MAX_TOKENS = 1000

# Python's whitespace plus the invisible format characters that copy-paste from
# spreadsheets, PDFs and chat tools leaves around a code (soft hyphen, zero-width
# spaces and joiners, direction marks, word joiner, byte-order mark).
_EDGE_CHARS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
    "\xad\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)

# A zero that starts a run of digits and is followed by another digit.
_LEADING_ZERO = re.compile(r"(?<![0-9])0+(?=[0-9])")
_DROP_ASCII_PUNCTUATION = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum())
)


def parse_external_id(raw_external_id: object) -> list[str]:
    """Split a reward's external_id into distinct, trimmed SKU tokens, in order."""
    if not isinstance(raw_external_id, str):
        return []
    seen: set[str] = set()
    tokens: list[str] = []
    # str.split and str.strip only ever look at the characters, so a str subclass
    # with odd methods cannot make this raise.
    for item in str.split(raw_external_id, ","):
        token = str.strip(item, _EDGE_CHARS)
        if token and token not in seen:
            seen.add(token)
            tokens.append(token)
    return tokens


def near_key(sku: str) -> str:
    """Reduce a SKU to what a person means by it: no case, accents, spacing or padding zeros."""
    if sku.isascii():
        text = sku.lower()
        if "0" in text:
            text = _LEADING_ZERO.sub("", text)
        return text.translate(_DROP_ASCII_PUNCTUATION)
    text = unicodedata.normalize("NFKD", sku)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _LEADING_ZERO.sub("", text)
    return "".join(c for c in text if c.isalnum())


def _within_one_edit(a: str, b: str) -> bool:
    """Tell whether two different keys are one insertion, deletion, substitution or swap apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    if len(a) != len(b):
        longer, shorter = (a, b) if len(a) > len(b) else (b, a)
        return longer[start + 1 :] == shorter[start:]
    if a[start + 1 :] == b[start + 1 :]:
        return True
    return (
        start + 1 < len(a)
        and a[start] == b[start + 1]
        and a[start + 1] == b[start]
        and a[start + 2 :] == b[start + 2 :]
    )


# Letters commonly typed for digits, when they stand next to a digit.
_CONFUSED_ZERO = re.compile(r"(?<=\d)[oO]|[oO](?=\d)")
_CONFUSED_ONE = re.compile(r"(?<=\d)[lI]|[lI](?=\d)")


def _edit_eligible(key: str) -> bool:
    return len(key) >= MIN_EDIT_KEY_LENGTH and not key.isdigit()


def _survives_parsing(sku: str) -> bool:
    return bool(sku) and "," not in sku and str.strip(sku, _EDGE_CHARS) == sku


@dataclass(frozen=True, slots=True)
class CatalogueProduct:
    """One product of the merchant's POS catalogue, as far as rewards care."""

    ref: str
    sku: str
    name: str
    active: bool
    has_paid_options: bool
    # None means the product is sold at every location.
    location_refs: frozenset[str] | None = None

    def sold_at(self, location_ref: str) -> bool:
        """Tell whether this product can be sold at the given POS location."""
        return self.location_refs is None or location_ref in self.location_refs


class TokenKind(enum.Enum):
    """How one SKU token of a reward relates to the catalogue."""

    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    INACTIVE = "inactive"
    NEAR_MISS = "near_miss"
    OTHER_SYSTEM = "other_system"
    UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class TokenResult:
    """The classification of one SKU token."""

    token: str
    kind: TokenKind
    # Products holding the token's SKU: the active one (matched), the active ones
    # (ambiguous), the archived ones (inactive) or the suggestion's active ones
    # (near miss). Empty for other systems.
    products: tuple[CatalogueProduct, ...] = ()
    suggestion: str | None = None
    # Other catalogue SKUs that were exactly as close as the suggestion.
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _EditTable:
    """Catalogue keys by key-or-single-deletion; the rare shared variants kept apart."""

    first: dict[str, str]
    more: dict[str, list[str]]


class CatalogueIndex:
    """Lookup tables over one merchant's catalogue, kept process-wide until the catalogue changes.

    The app's index cache (`portal.rewards.index_cache`) shares one index between every
    request and thread of the process, so the lazily filled tables below must only ever
    gain equal values: two threads filling the same entry store the same thing.
    """

    __slots__ = ("_cache", "_edit_table", "_exact", "_suggestible")

    def __init__(
        self,
        exact: dict[str, tuple[CatalogueProduct, ...]],
        suggestible: dict[str, tuple[str, ...]],
    ) -> None:
        self._exact = exact
        self._suggestible = suggestible
        # Built on the first lookup that needs it: pages that only see exact
        # matches never pay for this, the costliest table.
        self._edit_table: _EditTable | None = None
        # Results are immutable and tokens repeat across rewards and requests.
        self._cache: dict[str, TokenResult] = {}

    @classmethod
    def build(cls, products: Iterable[CatalogueProduct]) -> CatalogueIndex:
        """Index a catalogue by exact SKU and by normalised key."""
        grouped: dict[str, list[CatalogueProduct]] = {}
        for product in products:
            group = grouped.get(product.sku)
            if group is None:
                grouped[product.sku] = [product]
            else:
                group.append(product)
        exact: dict[str, tuple[CatalogueProduct, ...]] = {}
        by_key: dict[str, list[str]] = {}
        for sku, group in grouped.items():
            exact[sku] = tuple(group)
            if (group[0].active or any(p.active for p in group)) and _survives_parsing(sku):
                key = near_key(sku)
                if key:
                    skus = by_key.get(key)
                    if skus is None:
                        by_key[key] = [sku]
                    else:
                        skus.append(sku)
        suggestible = {
            key: (skus[0],) if len(skus) == 1 else tuple(sorted(skus))
            for key, skus in by_key.items()
        }
        return cls(exact, suggestible)

    def __len__(self) -> int:
        return sum(len(group) for group in self._exact.values())

    def products_for(self, sku: str) -> tuple[CatalogueProduct, ...]:
        """Return every product, active or archived, carrying exactly this SKU."""
        return self._exact.get(sku, ())

    def build_edit_index(self) -> None:
        """Build the one-edit lookup table now rather than on the first near miss."""
        self._edit_lookup()

    def _edit_lookup(self) -> _EditTable:
        if self._edit_table is not None:
            return self._edit_table
        # "Symmetric delete": two keys are within one edit only if they share a
        # key-or-single-deletion, so a lookup costs len(token) + 1 dict hits
        # instead of a scan of the whole catalogue. Most variants belong to one
        # key; storing plain strings for those keeps the table small and out of
        # the garbage collector's way.
        first: dict[str, str] = {}
        more: dict[str, list[str]] = {}
        for key in self._suggestible:
            if _edit_eligible(key):
                for i in range(len(key) + 1):
                    variant = key[:i] + key[i + 1 :]
                    owner = first.setdefault(variant, key)
                    if owner != key:
                        more.setdefault(variant, []).append(key)
        self._edit_table = _EditTable(first, more)
        return self._edit_table

    def classify(self, token: str) -> TokenResult:
        """Classify one parsed SKU token, remembering the answer for this index."""
        cached = self._cache.get(token)
        if cached is None:
            cached = self._classify(token)
            self._cache[token] = cached
        return cached

    def _classify(self, token: str) -> TokenResult:
        if len(token) > MAX_SKU_LENGTH:
            return TokenResult(token, TokenKind.UNREADABLE)
        products = self._exact.get(token)
        if products:
            if len(products) == 1 and products[0].active:
                return TokenResult(token, TokenKind.MATCHED, products)
            active = tuple(p for p in products if p.active)
            if len(active) == 1:
                return TokenResult(token, TokenKind.MATCHED, active)
            if active:
                return TokenResult(token, TokenKind.AMBIGUOUS, active)
            return TokenResult(token, TokenKind.INACTIVE, products)
        candidates = self._near_candidates(token)
        if not candidates:
            return TokenResult(token, TokenKind.OTHER_SYSTEM)
        if len(candidates) == 1:
            ranked = list(candidates)
        else:
            ranked = sorted(candidates, key=lambda sku: self._rank(token, sku))
        suggestion = ranked[0]
        return TokenResult(
            token,
            TokenKind.NEAR_MISS,
            tuple(p for p in self._exact[suggestion] if p.active),
            suggestion=suggestion,
            alternatives=tuple(ranked[1:]),
        )

    def _near_candidates(self, token: str) -> set[str]:
        found = self._near_candidates_of(token)
        if not found:
            readable = _CONFUSED_ZERO.sub("0", _CONFUSED_ONE.sub("1", token))
            if readable != token:
                found = self._near_candidates_of(readable)
        return found

    def _near_candidates_of(self, token: str) -> set[str]:
        key = near_key(token)
        if not key:
            return set()
        same_key = self._suggestible.get(key)
        if same_key:
            return set(same_key)
        if not _edit_eligible(key):
            return set()
        table = self._edit_lookup()
        # Most tokens here belong to other systems and share no variant at all, so
        # the set intersection (done in C) is the whole cost for them.
        shared = table.first.keys() & [key[:i] + key[i + 1 :] for i in range(len(key) + 1)]
        if not shared:
            return set()
        close_keys: set[str] = set()
        for variant in shared:
            for other in (table.first[variant], *table.more.get(variant, ())):
                if _within_one_edit(key, other):
                    close_keys.add(other)
        if len(close_keys) != 1:
            return set()
        return set(self._suggestible[close_keys.pop()])

    def _rank(self, token: str, sku: str) -> tuple[bool, bool, str]:
        active_count = sum(1 for p in self._exact[sku] if p.active)
        return (active_count != 1, sku.casefold() != token.casefold(), sku)


def classify_token(token: str, index: CatalogueIndex) -> TokenResult:
    """Classify one parsed SKU token against the catalogue."""
    return index.classify(token)


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
class RewardInput:
    """A Pongo reward as the review needs it; external_id is untrusted merchant text."""

    public_id: str
    name: str
    raw_external_id: object


@dataclass(frozen=True, slots=True)
class RewardReview:
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


def review_reward(
    public_id: str, name: str, raw_external_id: object, index: CatalogueIndex
) -> RewardReview:
    """Classify every SKU of one reward and sum the reward up."""
    tokens = parse_external_id(raw_external_id)
    results = tuple(index.classify(token) for token in tokens[:MAX_TOKENS]) + tuple(
        TokenResult(token, TokenKind.UNREADABLE) for token in tokens[MAX_TOKENS:]
    )
    matched = tuple(r for r in results if r.kind is TokenKind.MATCHED)
    matched_skus = tuple(r.token for r in matched)
    usable_skus = tuple(r.token for r in results if r.kind in _USABLE)
    paid_options = any(p.has_paid_options for r in matched for p in r.products)
    doubtful = any(r.kind in (TokenKind.AMBIGUOUS, TokenKind.NEAR_MISS) for r in results)
    # Inactive and other systems' tokens do not call for a check: the first are
    # harmless leftovers, the second are expected (SEED: several partners share
    # the field). A SKU shared by several active products is honoured by the tills,
    # which only cannot tell which product is meant: a check, not "not redeemable".
    if not results:
        status = RewardStatus.NO_SKU
    elif not usable_skus:
        status = RewardStatus.NOT_REDEEMABLE
    elif doubtful or paid_options:
        status = RewardStatus.CHECK
    else:
        status = RewardStatus.READY
    shape = _shape(len(usable_skus))
    return RewardReview(
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
    )


def review_rewards(rewards: Iterable[RewardInput], index: CatalogueIndex) -> list[RewardReview]:
    """Review every reward of a merchant against one catalogue index."""
    return [
        review_reward(reward.public_id, reward.name, reward.raw_external_id, index)
        for reward in rewards
    ]


def summary(reviews: Iterable[RewardReview]) -> dict[RewardStatus, int]:
    """Count reviews per status, every status present, in display order."""
    counts = Counter(review.status for review in reviews)
    return {status: counts[status] for status in RewardStatus}
