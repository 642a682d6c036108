"""Suggest which Pongo store each unlinked POS location most likely is.

Scoring mixes four fields, each compared after normalisation (accents, case,
punctuation, common words and street-type abbreviations):

    name 0.55, address 0.25, postal code 0.12, city 0.08

A field empty on both sides says nothing and is left out of the mix (weights are
renormalised); a field empty on one side only scores 0. A location and store with
nothing comparable at all score 0.

Scoring a million pairs with difflib would take minutes, so each location is only
compared with the ``_CANDIDATES_PER_LOCATION`` stores that share the most telling
features with it (postal code, city, a name word or its first four letters, a street
word, a house number with a street word), rarer features weighing more. Features
shared by more than ``COMMON_FEATURE_LIMIT`` stores (a big city, a chain's brand)
narrow nothing and are used only for a location that has no rarer feature in common
with any store. A store sharing no feature at all with a location is never suggested
for it; the merchant can still pick it by hand.

Assignment is greedy over all (location, store) pairs, best score first: a store goes
to the location it fits best, and a location whose best store was taken falls back
to its next best. Greedy is not the optimal matching, but it never trades a clearly
right pair for two middling ones, which is what a merchant checking the list expects.
"""

from __future__ import annotations

import functools
import heapq
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

from portal.folding import fold

__all__ = [
    "COMMON_FEATURE_LIMIT",
    "MIN_CONFIDENCE",
    "PosLocation",
    "StoreChoice",
    "Suggestion",
    "accept_above",
    "similarity",
    "suggest_links",
]

MIN_CONFIDENCE = 40
COMMON_FEATURE_LIMIT = 50
_CANDIDATES_PER_LOCATION = 15

_WEIGHTS = {"name": 0.55, "address": 0.25, "postal_code": 0.12, "city": 0.08}

# Words that say what kind of shop it is rather than which one.
_NAME_STOP_WORDS = frozenset(
    {
        *("le", "la", "les", "l", "de", "du", "des", "d", "au", "aux", "et", "a", "en"),
        *("chez", "the", "and", "of"),
        *("boulangerie", "patisserie", "restaurant", "resto", "cafe", "brasserie"),
        *("bistrot", "bistro", "pizzeria", "bar", "boutique", "magasin", "shop", "store"),
    }
)
_STREET_TYPES = {
    "r": "rue",
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "pl": "place",
    "ch": "chemin",
    "che": "chemin",
    "imp": "impasse",
    "all": "allee",
    "rte": "route",
    "fg": "faubourg",
    "fbg": "faubourg",
    "sq": "square",
    "crs": "cours",
    "st": "saint",
    "ste": "sainte",
}
_ADDRESS_STOP_WORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d"})
_STREET_WORDS = frozenset(_STREET_TYPES.values())
_WORD = re.compile(r"[a-z0-9]+")
_NUMBER = re.compile(r"[0-9]+")


@dataclass(frozen=True, slots=True)
class PosLocation:
    """A location of the merchant's POS, as the POS back-end pushed it."""

    ref: str
    name: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class StoreChoice:
    """A Pongo store the merchant can link a location to."""

    slug: str
    name: str | None = None
    address: str | None = None
    city: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The store suggested for a location, with a confidence in percent."""

    slug: str
    confidence: int


def _plain(text: str | None) -> str:
    """Folded text with punctuation turned into single spaces."""
    return " ".join(_WORD.findall(fold(text))) if text else ""


@dataclass(frozen=True, slots=True)
class _Profile:
    """The normalised fields of a location or store, computed once."""

    name_words: tuple[str, ...]
    name: str
    address_words: tuple[str, ...]
    address: str
    numbers: frozenset[str]
    city: str
    postal_code: str

    @classmethod
    def of(cls, item: PosLocation | StoreChoice) -> _Profile:
        words = _plain(item.name).split()
        # A name made only of common words ("Le Restaurant") is all there is.
        name_words = tuple(w for w in words if w not in _NAME_STOP_WORDS) or tuple(words)
        address_words: list[str] = []
        numbers: set[str] = set()
        for word in _plain(item.address).split():
            if _NUMBER.fullmatch(word):
                numbers.add(word.lstrip("0") or "0")
            elif word not in _ADDRESS_STOP_WORDS:
                address_words.append(_STREET_TYPES.get(word, word))
        city_words = [_STREET_TYPES.get(w, w) for w in _plain(item.city).split()]
        # "Paris 11e", "Lyon Cedex 03": the district and the mail routing are not
        # part of the town's name.
        city = " ".join(w for w in city_words if w != "cedex" and not w[0].isdigit())
        return cls(
            name_words=name_words,
            name=" ".join(name_words),
            address_words=tuple(address_words),
            address=" ".join(address_words),
            numbers=frozenset(numbers),
            city=city,
            postal_code="".join(_plain(item.postal_code).split()),
        )

    def features(self) -> set[str]:
        """Return the keys under which the candidate prefilter files this profile."""
        keys = {f"n:{w}" for w in self.name_words} | {f"n4:{w[:4]}" for w in self.name_words}
        street = [w for w in self.address_words if w not in _STREET_WORDS]
        keys |= {f"a:{w}" for w in street}
        # A house number with a street word pins a site down even on a long street.
        keys |= {f"h:{n}:{w}" for n in self.numbers for w in street}
        if self.postal_code:
            keys.add(f"p:{self.postal_code}")
        if self.city:
            keys.add(f"c:{self.city}")
        return keys


class _Matcher:
    """Compares one location's text with many stores', reusing difflib's index of it."""

    __slots__ = ("_matcher", "_text", "_words")

    def __init__(self, text: str, words: tuple[str, ...]) -> None:
        self._text = text
        self._words = frozenset(words)
        # difflib indexes the second sequence; setting it once per location saves
        # that work for every store compared with it.
        self._matcher = SequenceMatcher(None, "", text, autojunk=False)

    def similarity(self, text: str, words: tuple[str, ...]) -> float:
        """Score from 0 to 1 how alike the other text is; 1 only for identical text."""
        if text == self._text:
            return 1.0
        other = frozenset(words)
        # The word overlap forgives word order, the sequence ratio forgives typos.
        best = 2 * len(self._words & other) / (len(self._words) + len(other) or 1)
        matcher = self._matcher
        matcher.set_seq1(text)
        # The quick ratios are upper bounds of the real one: skip it when it
        # cannot beat the overlap.
        if matcher.real_quick_ratio() > best and matcher.quick_ratio() > best:
            best = max(best, matcher.ratio())
        # Only identical normalised text may reach 1, so an exact match always wins.
        return min(best, 0.99)


@dataclass(frozen=True, slots=True)
class _Side:
    """A location's profile with its matchers, ready to be compared with many stores."""

    profile: _Profile
    name: _Matcher
    address: _Matcher

    @classmethod
    def of(cls, profile: _Profile) -> _Side:
        return cls(
            profile,
            _Matcher(profile.name, profile.name_words),
            _Matcher(profile.address, profile.address_words),
        )


def _numbers_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    # A number on one side only may simply have been left out.
    if not a or not b:
        return 0.5
    if a == b:
        return 1.0
    return 0.5 * len(a & b) / len(a | b)


def _score(side: _Side, store: _Profile) -> float:
    location = side.profile
    total = 0.0
    weight = 0.0
    for field, field_weight in _WEIGHTS.items():
        if field == "address":
            present = (
                bool(location.address or location.numbers),
                bool(store.address or store.numbers),
            )
        else:
            present = (bool(getattr(location, field)), bool(getattr(store, field)))
        if not any(present):
            continue
        weight += field_weight
        if not all(present):
            continue
        if field == "name":
            total += field_weight * side.name.similarity(store.name, store.name_words)
        elif field == "address":
            numbers = _numbers_similarity(location.numbers, store.numbers)
            if location.address_words or store.address_words:
                words = side.address.similarity(store.address, store.address_words)
                total += field_weight * (0.75 * words + 0.25 * numbers)
            else:
                total += field_weight * numbers
        elif getattr(location, field) == getattr(store, field):
            total += field_weight
    if not weight:
        return 0.0
    return min(1.0, total / weight)


def similarity(location: PosLocation, store: StoreChoice) -> float:
    """Score from 0 to 1 how likely the store is this POS location."""
    return _score(_Side.of(_Profile.of(location)), _Profile.of(store))


def _percent(score: float) -> int:
    # Rounded down, so 100 % is shown only for a perfect match.
    return math.floor(round(score * 100, 6))


def _candidates(
    profile: _Profile, postings: Mapping[str, list[int]], store_count: int
) -> list[int]:
    counts: dict[int, float] = {}
    common: list[str] = []
    # Sorted so that float sums and ties come out the same whatever the hash seed.
    for feature in sorted(profile.features()):
        stores = postings.get(feature)
        if not stores:
            continue
        if len(stores) > COMMON_FEATURE_LIMIT:
            common.append(feature)
            continue
        _count(counts, stores, store_count)
    # No lead from rare features: let the common ones rank the stores. This costs
    # more but only happens for locations that need it.
    if not counts:
        for feature in common:
            _count(counts, postings[feature], store_count)
    return heapq.nlargest(
        _CANDIDATES_PER_LOCATION, counts, key=lambda store: (counts[store], -store)
    )


def _count(counts: dict[int, float], stores: list[int], store_count: int) -> None:
    # Rarer features say more about which store it is (inverse document frequency).
    weight = math.log(1 + store_count / len(stores))
    for store in stores:
        counts[store] = counts.get(store, 0.0) + weight


@functools.lru_cache(maxsize=8192)
def _store_profile(store: StoreChoice) -> _Profile:
    """A store's profile, kept: every page of suggestions reads every free store's again."""
    return _Profile.of(store)


def suggest_links(
    locations: Iterable[PosLocation],
    stores: Iterable[StoreChoice],
    linked: Mapping[str, str],
) -> dict[str, Suggestion]:
    """Suggest a store for each unlinked location, never a store that is already taken."""
    taken = set(linked.values())
    free_stores = [store for store in stores if store.slug not in taken]
    open_locations = [loc for loc in locations if not linked.get(loc.ref)]
    store_profiles = [_store_profile(store) for store in free_stores]
    postings: dict[str, list[int]] = {}
    for number, profile in enumerate(store_profiles):
        for feature in profile.features():
            postings.setdefault(feature, []).append(number)

    pairs: list[tuple[float, str, str]] = []
    for location in open_locations:
        side = _Side.of(_Profile.of(location))
        for number in _candidates(side.profile, postings, len(store_profiles)):
            score = _score(side, store_profiles[number])
            if _percent(score) >= MIN_CONFIDENCE:
                pairs.append((-score, location.ref, free_stores[number].slug))

    # Best score first; ties go to the smaller location ref, then store slug, so
    # the same data always gives the same suggestions.
    heapq.heapify(pairs)
    suggestions: dict[str, Suggestion] = {}
    given: set[str] = set()
    while pairs:
        negative_score, ref, slug = heapq.heappop(pairs)
        if ref in suggestions or slug in given:
            continue
        suggestions[ref] = Suggestion(slug=slug, confidence=_percent(-negative_score))
        given.add(slug)
    return suggestions


def accept_above(suggestions: Mapping[str, Suggestion], threshold_percent: int) -> dict[str, str]:
    """Pick the suggestions at or above the threshold, as location ref to store slug."""
    return {
        ref: suggestion.slug
        for ref, suggestion in suggestions.items()
        if suggestion.confidence >= threshold_percent
    }
