"""The catalogue index: each SKU token of a reward classified against a merchant's POS catalogue.

Near misses ("did you mean X?") are found in three tiers, first hit wins:

1. exact SKU: never a near miss, whatever else looks alike;
2. same normalised key (`sku_text.near_key`): the SKUs differ only by case, accents,
   spacing, punctuation or leading zeros of a number ("BAK-0005" ~ "bak 5");
3. one edit between normalised keys: one insertion, deletion, substitution or swap
   of two adjacent characters. Swaps count because they are the commonest typing
   slip. This tier needs keys of at least ``MIN_EDIT_KEY_LENGTH`` characters that
   are not all digits: on short keys or bare numbers one edit reaches too many
   unrelated codes, and the corrected list would overwrite another partner's SKU.

Untrusted text stays bounded: a token longer than any SKU the POS can push
(``MAX_SKU_LENGTH``) is marked unreadable without a lookup, so one odd reward cannot
hold a page for seconds.

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
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from portal.rewards.sku_text import MAX_SKU_LENGTH, near_key, near_keys, pasteable

__all__ = [
    "MIN_EDIT_KEY_LENGTH",
    "CatalogueIndex",
    "CatalogueProduct",
    "ProductRow",
    "TokenKind",
    "TokenResult",
]

MIN_EDIT_KEY_LENGTH = 4

# Letters commonly typed for digits, when they stand next to a digit.
_CONFUSED_ZERO = re.compile(r"(?<=\d)[oO]|[oO](?=\d)")
_CONFUSED_ONE = re.compile(r"(?<=\d)[lI]|[lI](?=\d)")


def _edit_eligible(key: str) -> bool:
    return len(key) >= MIN_EDIT_KEY_LENGTH and not key.isdigit()


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
        skus = pasteable(list(dict.fromkeys([row[1] for row in rows if row[3]])))
        keys = near_keys(skus)
        suggestible: dict[str, tuple[str, ...]] = {
            key: (sku,) for key, sku in zip(keys, skus, strict=True)
        }
        if len(suggestible) < len(keys):
            alike: dict[str, list[str]] = {}
            for key, sku in zip(keys, skus, strict=True):
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
