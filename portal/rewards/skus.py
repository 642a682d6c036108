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

The third tier builds no table of every SKU's variants. Deletions and swaps of the
token's key are a handful of texts to look up; a substitution or an insertion keeps the
text before the slip and the text after it, so the keys of the right length are sorted
once as written and once backwards (on the first near miss that needs that length) and
binary searches narrow both sides, scanning only the smaller of the two ranges.

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
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

__all__ = [
    "MAX_SKU_LENGTH",
    "MAX_TOKENS",
    "MIN_EDIT_KEY_LENGTH",
    "CatalogueIndex",
    "CatalogueProduct",
    "ProductRow",
    "RewardInput",
    "RewardReview",
    "RewardShape",
    "RewardStatus",
    "TokenKind",
    "TokenResult",
    "classify_token",
    "near_key",
    "near_keys",
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

# A zero that starts a run of digits and is followed by another digit. Written to start
# with the literal 0 (no digit before it, checked behind) so the engine skips ahead to
# zeros: five times faster than the lookbehind first over a whole catalogue.
_LEADING_ZERO = re.compile(r"0(?<![0-9]0)0*(?=[0-9])")
_DROP_ASCII_PUNCTUATION = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum())
)
# The same but for the line feed that separates the SKUs of a batch.
_DROP_ASCII_PUNCTUATION_BUT_LINES = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum() and c != 10)
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


def near_keys(skus: list[str]) -> list[str]:
    """Reduce many SKUs as near_key does, the ASCII ones in one pass over them all."""
    # One lower(), one regex pass and one translate() over a whole catalogue cost a
    # fraction of 50,000 separate calls. A SKU holding a line feed or any non-ASCII
    # character is left out of the batch (an empty line keeps its place) and reduced alone.
    if not skus:
        return []
    text = "\n".join(skus)
    if text.isascii() and text.count("\n") == len(skus) - 1:
        return _near_keys_of_lines(text)
    alone = [i for i, sku in enumerate(skus) if not sku.isascii() or "\n" in sku]
    set_apart = set(alone)
    keys = _near_keys_of_lines(
        "\n".join("" if i in set_apart else sku for i, sku in enumerate(skus))
    )
    for i in alone:
        keys[i] = near_key(skus[i])
    return keys


def _near_keys_of_lines(text: str) -> list[str]:
    """near_key of each line of an ASCII text."""
    text = text.lower()
    if "0" in text:
        # A line feed is no digit, so each line is treated as a SKU of its own.
        text = _LEADING_ZERO.sub("", text)
    return text.translate(_DROP_ASCII_PUNCTUATION_BUT_LINES).split("\n")


# Letters commonly typed for digits, when they stand next to a digit.
_CONFUSED_ZERO = re.compile(r"(?<=\d)[oO]|[oO](?=\d)")
_CONFUSED_ONE = re.compile(r"(?<=\d)[lI]|[lI](?=\d)")


def _edit_eligible(key: str) -> bool:
    return len(key) >= MIN_EDIT_KEY_LENGTH and not key.isdigit()


def _survives_parsing(sku: str) -> bool:
    return bool(sku) and "," not in sku and str.strip(sku, _EDGE_CHARS) == sku


_DROP_EDGE_CHARS = str.maketrans("", "", _EDGE_CHARS)


def _pasteable(skus: list[str]) -> list[str]:
    """The SKUs that survive parsing unchanged, all at once when none is blank or odd."""
    text = "\n".join(skus)
    # No comma and no edge character anywhere but the line feeds between SKUs: each
    # SKU survives. One odd SKU anywhere, and each is checked on its own.
    if (
        text.isascii()
        and "," not in text
        and "" not in skus
        and len(text.translate(_DROP_EDGE_CHARS)) == len(text) - len(skus) + 1
    ):
        return skus
    return [sku for sku in skus if _survives_parsing(sku)]


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


# A product as plain fields, in CatalogueProduct's order: ref, sku, name, active,
# has_paid_options, location_refs. The app indexes its catalogue as rows like these and
# makes CatalogueProduct objects only for the SKUs a lookup returns.
ProductRow = tuple[str, str, str, bool, bool, frozenset[str] | None]

# Sorts after every character a key can hold: keys are letters and digits only.
_AFTER_KEYS = "\U0010ffff"


def _prefix_ranges(
    ordered: list[str], text: str, shortest: int, longest: int
) -> list[tuple[int, int]]:
    """Where sorted strings starting with text[:i] lie, i from shortest to longest while any do."""
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, len(ordered)
    for i in range(shortest, longest + 1):
        if i:
            head = text[:i]
            lo = bisect_left(ordered, head, lo, hi)
            hi = bisect_left(ordered, head + _AFTER_KEYS, lo, hi)
        if lo == hi:
            break
        ranges.append((lo, hi))
    return ranges


@dataclass(frozen=True, slots=True)
class _SameLength:
    """Catalogue keys of one length, sorted as written and sorted written backwards."""

    forward: list[str]
    backward: list[str]

    @classmethod
    def of(cls, ordered: list[str]) -> _SameLength:
        """Add the backward order to keys already sorted as written."""
        return cls(ordered, sorted([key[::-1] for key in ordered]))

    def one_char_apart(self, key: str, *, replaced: bool) -> set[str]:
        """Keys that are `key` with one character replaced, or with one character inserted."""
        # Such a key keeps the text before that character (a range of the forward list)
        # and the text after it (a range of the backward list); the smaller range is
        # scanned. A slip near the end leaves a long head, a slip near the start a long
        # tail, so one of the two is short; most tokens reach no range at all.
        if not self.forward:
            return set()
        kept = len(key) - (1 if replaced else 0)
        heads = _prefix_ranges(self.forward, key, 0, kept)
        if not heads:
            return set()
        # The longest head that exists leaves the shortest tail worth looking for.
        shortest = kept - len(heads) + 1
        backwards = key[::-1]
        tails = _prefix_ranges(self.backward, backwards, shortest, kept)
        found: set[str] = set()
        for i, (head_lo, head_hi) in enumerate(heads):
            tail_length = kept - i
            if tail_length - shortest >= len(tails):
                continue
            tail_lo, tail_hi = tails[tail_length - shortest]
            if head_hi - head_lo <= tail_hi - tail_lo:
                tail = key[len(key) - tail_length :]
                found.update(k for k in self.forward[head_lo:head_hi] if k.endswith(tail))
            else:
                head = backwards[len(key) - i :]
                found.update(k[::-1] for k in self.backward[tail_lo:tail_hi] if k.endswith(head))
        found.discard(key)
        return found


class CatalogueIndex:
    """Lookup tables over one merchant's catalogue, kept process-wide until the catalogue changes.

    The app's index cache (`portal.rewards.index_cache`) shares one index between every
    request and thread of the process, so the lazily filled tables below must only ever
    gain equal values: two threads filling the same entry store the same thing.
    """

    __slots__ = (
        "_by_length",
        "_cache",
        "_count",
        "_edit_keys",
        "_products",
        "_rows",
        "_suggestible",
    )

    def __init__(
        self,
        rows: dict[str, tuple[ProductRow, ...]],
        suggestible: dict[str, tuple[str, ...]],
        count: int,
    ) -> None:
        self._rows = rows
        self._suggestible = suggestible
        self._count = count
        # Products made from their rows on first lookup.
        self._products: dict[str, tuple[CatalogueProduct, ...]] = {}
        # The one-edit tier's keys sorted by length, then also backwards per length, filled
        # on the first lookup that needs them: most tokens match exactly or by key, and a
        # page's near misses only ever need a few lengths.
        self._edit_keys: dict[int, list[str]] | None = None
        self._by_length: dict[int, _SameLength] = {}
        # Results are immutable and tokens repeat across rewards and requests.
        self._cache: dict[str, TokenResult] = {}

    @classmethod
    def build(cls, products: Iterable[CatalogueProduct]) -> CatalogueIndex:
        """Index a catalogue by exact SKU and by normalised key."""
        return cls.from_rows(
            (p.ref, p.sku, p.name, p.active, p.has_paid_options, p.location_refs) for p in products
        )

    @classmethod
    def from_rows(cls, rows: Iterable[ProductRow]) -> CatalogueIndex:
        """Index a catalogue given as plain rows, without making an object per product."""
        rows = list(rows)
        grouped: dict[str, tuple[ProductRow, ...]] = {}
        # SKUs that several products carry, gathered apart so a SKU shared by thousands
        # (a placeholder, say) costs no more than thousands of distinct ones.
        shared: dict[str, list[ProductRow]] = {}
        for row in rows:
            sku = row[1]
            if sku in grouped:
                shared.setdefault(sku, list(grouped[sku])).append(row)
            else:
                grouped[sku] = (row,)
        for sku, group in shared.items():
            grouped[sku] = tuple(group)
        pasteable = _pasteable(list(dict.fromkeys([row[1] for row in rows if row[3]])))
        keys = near_keys(pasteable)
        suggestible: dict[str, tuple[str, ...]] = {
            key: (sku,) for key, sku in zip(keys, pasteable, strict=True)
        }
        if len(suggestible) < len(keys):
            alike: dict[str, list[str]] = {}
            for key, sku in zip(keys, pasteable, strict=True):
                if suggestible[key][0] != sku:
                    alike.setdefault(key, []).append(sku)
            for key, skus in alike.items():
                suggestible[key] = tuple(sorted((*skus, *suggestible[key])))
        suggestible.pop("", None)
        return cls(grouped, suggestible, len(rows))

    def __len__(self) -> int:
        return self._count

    def products_for(self, sku: str) -> tuple[CatalogueProduct, ...]:
        """Return every product, active or archived, carrying exactly this SKU."""
        products = self._products.get(sku)
        if products is None:
            products = tuple(CatalogueProduct(*row) for row in self._rows.get(sku, ()))
            self._products[sku] = products
        return products

    def build_edit_index(self) -> None:
        """Sort every length's keys for the one-edit tier now rather than on demand."""
        for length in self._keys_by_length():
            self._same_length(length)

    def _keys_by_length(self) -> dict[int, list[str]]:
        if self._edit_keys is None:
            eligible = [
                key
                for key in self._suggestible
                if len(key) >= MIN_EDIT_KEY_LENGTH and not key.isdigit()
            ]
            # Sorted as written, then (a stable sort) by length: each length's run is in order.
            eligible.sort()
            eligible.sort(key=len)
            self._edit_keys = {length: list(run) for length, run in groupby(eligible, len)}
        return self._edit_keys

    def _same_length(self, length: int) -> _SameLength:
        found = self._by_length.get(length)
        if found is None:
            found = _SameLength.of(self._keys_by_length().get(length, []))
            self._by_length[length] = found
        return found

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
        if token in self._rows:
            products = self.products_for(token)
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
            tuple(p for p in self.products_for(suggestion) if p.active),
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
        close_keys = self._one_edit_keys(key)
        if len(close_keys) != 1:
            return set()
        return set(self._suggestible[close_keys.pop()])

    def _one_edit_keys(self, key: str) -> set[str]:
        """Eligible catalogue keys one deletion, swap, substitution or insertion from `key`."""
        n = len(key)
        # Deletions and swaps are a handful of texts to look up; substitutions and
        # insertions could be any character, so they search the sorted keys instead.
        variants = [key[:i] + key[i + 1 :] for i in range(n)]
        variants += [key[:i] + key[i + 1] + key[i] + key[i + 2 :] for i in range(n - 1)]
        found = {k for k in self._suggestible.keys() & variants if _edit_eligible(k)}
        found |= self._same_length(n).one_char_apart(key, replaced=True)
        found |= self._same_length(n + 1).one_char_apart(key, replaced=False)
        found.discard(key)
        return found

    def _rank(self, token: str, sku: str) -> tuple[bool, bool, str]:
        active_count = sum(1 for row in self._rows[sku] if row[3])
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
