"""Store suggestions for unlinked POS locations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.locations.suggest import (
    MIN_CONFIDENCE,
    PosLocation,
    StoreChoice,
    Suggestion,
    accept_above,
    similarity,
    suggest_links,
)

PAIX = PosLocation("L1", "Boulangerie Dupont", "12 rue de la Paix", "Paris", "75002")


def store_like(location: PosLocation, slug: str, **changes: str | None) -> StoreChoice:
    """Make a store with the location's fields, some of them changed."""
    fields = {
        "name": location.name,
        "address": location.address,
        "city": location.city,
        "postal_code": location.postal_code,
    }
    fields.update(changes)
    return StoreChoice(slug, **fields)


# -- similarity --------------------------------------------------------------------


def test_identical_location_and_store_score_one() -> None:
    assert similarity(PAIX, store_like(PAIX, "paix")) == 1.0


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "BOULANGERIE DUPONT"},
        {"name": "Dupont"},
        {"name": "Boulangerie-Pâtisserie Dupont !"},
        {"address": "12, r. de la Paix"},
        {"address": "12 RUE DE LA PAIX"},
        {"city": "PARIS"},
        {"city": "Paris 2e"},
        {"postal_code": "75 002"},
    ],
    ids=repr,
)
def test_spelling_differences_do_not_lower_the_score(changes: dict[str, str]) -> None:
    assert similarity(PAIX, store_like(PAIX, "paix", **changes)) == 1.0


@pytest.mark.parametrize(
    ("location_address", "store_address"),
    [
        ("3 avenue Foch", "3 av. Foch"),
        ("3 Avenue Foch", "3 Av Foch"),
        ("40 boulevard Voltaire", "40 bd Voltaire"),
        ("5 place du Marché", "5 pl. du Marche"),
        ("8 rue Saint-Denis", "8 r. St Denis"),
    ],
)
def test_street_type_abbreviations_are_understood(
    location_address: str, store_address: str
) -> None:
    location = PosLocation("L", "Dupont", location_address, "Orléans", "45000")
    store = StoreChoice("s", "Dupont", store_address, "ORLEANS", "45000")
    assert similarity(location, store) == 1.0


def test_city_is_compared_without_accents_or_case() -> None:
    location = PosLocation("L", "Dupont", "", "Saint-Étienne", "")
    assert similarity(location, StoreChoice("s", "Dupont", "", "ST ETIENNE", "")) == 1.0
    assert similarity(location, StoreChoice("s", "Dupont", "", "Lyon", "")) < 1.0


def test_each_differing_field_lowers_the_score() -> None:
    exact = similarity(PAIX, store_like(PAIX, "s"))
    other_number = similarity(PAIX, store_like(PAIX, "s", address="14 rue de la Paix"))
    other_street = similarity(PAIX, store_like(PAIX, "s", address="12 avenue Foch"))
    other_postcode = similarity(PAIX, store_like(PAIX, "s", postal_code="75011"))
    other_name = similarity(PAIX, store_like(PAIX, "s", name="Maison Martin"))
    assert exact > other_number > other_street
    assert exact > other_postcode
    assert exact > other_name
    assert other_name < other_postcode


def test_exact_name_beats_a_close_name() -> None:
    exact = similarity(PAIX, store_like(PAIX, "a", name="Dupont"))
    close = similarity(PAIX, store_like(PAIX, "b", name="Dupond"))
    assert exact > close > similarity(PAIX, store_like(PAIX, "c", name="Martin"))


def test_word_order_does_not_matter_much() -> None:
    store = store_like(PAIX, "s", name="Dupont Boulangerie Paix")
    reversed_store = store_like(PAIX, "s", name="Paix Boulangerie Dupont")
    assert similarity(PAIX, store) == similarity(PAIX, reversed_store)


def test_fields_empty_on_both_sides_are_left_out() -> None:
    location = PosLocation("L", "Dupont", None, None, None)
    assert similarity(location, StoreChoice("s", "Dupont")) == 1.0
    assert similarity(location, StoreChoice("s", "Dupont", "1 rue X", "Paris", "75001")) < 0.6


def test_nothing_to_compare_scores_zero() -> None:
    assert similarity(PosLocation("L"), StoreChoice("s")) == 0.0
    assert similarity(PosLocation("L", "!!!"), StoreChoice("s", "---")) == 0.0


def test_name_of_common_words_only_still_counts() -> None:
    location = PosLocation("L", "Le Restaurant")
    assert similarity(location, StoreChoice("s", "LE RESTAURANT")) == 1.0
    assert similarity(location, StoreChoice("s", "La Brasserie")) < 0.5


FIELD = st.one_of(st.none(), st.text(max_size=30))
LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé ", min_size=1, max_size=20).filter(
    lambda t: t.strip()
)


@given(FIELD, FIELD, FIELD, FIELD, FIELD, FIELD, FIELD, FIELD)
def test_similarity_stays_between_zero_and_one(
    name: str | None,
    address: str | None,
    city: str | None,
    postal_code: str | None,
    store_name: str | None,
    store_address: str | None,
    store_city: str | None,
    store_postal_code: str | None,
) -> None:
    location = PosLocation("L", name, address, city, postal_code)
    store = StoreChoice("s", store_name, store_address, store_city, store_postal_code)
    assert 0.0 <= similarity(location, store) <= 1.0


@given(LETTERS, FIELD, FIELD, FIELD)
def test_identical_fields_always_score_one(
    name: str, address: str | None, city: str | None, postal_code: str | None
) -> None:
    location = PosLocation("L", name, address, city, postal_code)
    assert similarity(location, store_like(location, "s")) == 1.0


@given(LETTERS, LETTERS, FIELD, FIELD, FIELD)
def test_exact_name_match_scores_highest(
    name: str, other_name: str, address: str | None, city: str | None, postal_code: str | None
) -> None:
    location = PosLocation("L", name, address, city, postal_code)
    same = similarity(location, store_like(location, "a"))
    other = similarity(location, store_like(location, "b", name=other_name))
    assert same >= other


# -- suggestions -------------------------------------------------------------------

LOCATIONS = [
    PosLocation("L1", "Boulangerie Dupont", "12 rue de la Paix", "Paris", "75002"),
    PosLocation("L2", "Boulangerie Dupont Bastille", "4 rue de la Roquette", "Paris", "75011"),
    PosLocation("L3", "Dupont Lyon", "3 place Bellecour", "Lyon", "69002"),
    PosLocation("L4", "Entrepôt", "ZI Nord", "Roubaix", "59100"),
]
STORES = [
    StoreChoice("dupont-lyon", "DUPONT - Lyon Bellecour", "3 pl. Bellecour", "LYON", "69002"),
    StoreChoice("dupont-paix", "Dupont Opéra", "12, r. de la Paix", "Paris", "75002"),
    StoreChoice("dupont-bastille", "Dupont Bastille", "4 r. de la Roquette", "Paris", "75011"),
    StoreChoice("marseille", "Dupont Vieux-Port", "1 quai du Port", "Marseille", "13002"),
]


def test_each_location_gets_its_store() -> None:
    suggestions = suggest_links(LOCATIONS, STORES, {})
    assert {ref: s.slug for ref, s in suggestions.items()} == {
        "L1": "dupont-paix",
        "L2": "dupont-bastille",
        "L3": "dupont-lyon",
    }
    # "Boulangerie Dupont Bastille" and "Dupont Bastille" are the same name once the
    # trade word is dropped, and everything else agrees.
    assert suggestions["L2"].confidence == 100
    assert MIN_CONFIDENCE <= suggestions["L1"].confidence < 100
    assert MIN_CONFIDENCE <= suggestions["L3"].confidence < 100


def test_a_location_unlike_every_store_gets_no_suggestion() -> None:
    assert "L4" not in suggest_links(LOCATIONS, STORES, {})


def test_linked_locations_get_no_suggestion() -> None:
    suggestions = suggest_links(LOCATIONS, STORES, {"L1": "dupont-paix"})
    assert "L1" not in suggestions
    assert suggestions["L2"].slug == "dupont-bastille"


def test_store_linked_elsewhere_is_not_suggested() -> None:
    suggestions = suggest_links(LOCATIONS, STORES, {"L9": "dupont-paix"})
    assert "dupont-paix" not in {s.slug for s in suggestions.values()}


def test_empty_link_counts_as_unlinked() -> None:
    assert suggest_links(LOCATIONS, STORES, {"L3": ""})["L3"].slug == "dupont-lyon"


def test_a_store_goes_to_the_location_it_fits_best() -> None:
    locations = [
        PosLocation("A", "Dupont Paix", "12 rue de la Paix", "Paris", "75002"),
        PosLocation("B", "Dupont Paix", "14 rue de la Paix", "Paris", "75002"),
    ]
    stores = [StoreChoice("paix", "Dupont Paix", "12 rue de la Paix", "Paris", "75002")]
    suggestions = suggest_links(locations, stores, {})
    assert suggestions == {"A": Suggestion("paix", 100)}


def test_a_location_falls_back_to_its_next_best_store() -> None:
    locations = [
        PosLocation("A", "Dupont", "12 rue de la Paix", "Paris", "75002"),
        PosLocation("B", "Dupont", "12 rue de la Paix", "Paris", "75002"),
    ]
    stores = [
        StoreChoice("exact", "Dupont", "12 rue de la Paix", "Paris", "75002"),
        StoreChoice("close", "Dupont", "14 rue de la Paix", "Paris", "75002"),
    ]
    suggestions = suggest_links(locations, stores, {})
    assert suggestions["A"] == Suggestion("exact", 100)
    assert suggestions["B"].slug == "close"
    assert suggestions["B"].confidence < 100


def test_ties_are_settled_the_same_way_every_time() -> None:
    location = PosLocation("A", "Dupont", "", "Paris", "")
    stores = [
        StoreChoice("b", "Dupont", "", "Paris", ""),
        StoreChoice("a", "Dupont", "", "Paris", ""),
    ]
    assert suggest_links([location], stores, {})["A"].slug == "a"
    assert suggest_links([location], stores[::-1], {})["A"].slug == "a"


def test_store_found_by_postal_code_among_many_namesakes() -> None:
    # Every store shares the brand; only the postal code and street tell them apart.
    stores = [
        StoreChoice(f"s{n}", "Dupont", f"{n} rue Haute", "Paris", f"75{n:03d}")
        for n in range(1, 200)
    ]
    location = PosLocation("L", "Dupont", "150 r. Haute", "PARIS", "75150")
    assert suggest_links([location], stores, {})["L"] == Suggestion("s150", 100)


def test_location_with_only_common_features_still_gets_a_suggestion() -> None:
    stores = [StoreChoice(f"s{n}", "Dupont", "", "Paris", "") for n in range(100)]
    location = PosLocation("L", "Dupont", "", "Paris", "")
    assert suggest_links([location], stores, {})["L"] == Suggestion("s0", 100)


SITE_NAMES = st.sampled_from(
    ["Dupont", "Boulangerie Dupont", "Dupond", "Martin", "Café Martin", "Le Fournil", ""]
)
SITE_CITIES = st.sampled_from(["Paris", "PARIS", "Lyon", "Nantes", ""])
SITE_POSTCODES = st.sampled_from(["75002", "75011", "69002", ""])
SITE_ADDRESSES = st.sampled_from(["12 rue de la Paix", "12 r. de la Paix", "3 av. Foch", ""])


@st.composite
def sites(draw: st.DrawFn) -> tuple[list[PosLocation], list[StoreChoice], dict[str, str]]:
    """Draw locations, stores and some existing links from a small vocabulary."""
    location_count = draw(st.integers(0, 8))
    store_count = draw(st.integers(0, 8))
    locations = [
        PosLocation(
            f"L{n}",
            draw(SITE_NAMES),
            draw(SITE_ADDRESSES),
            draw(SITE_CITIES),
            draw(SITE_POSTCODES),
        )
        for n in range(location_count)
    ]
    stores = [
        StoreChoice(
            f"s{n}", draw(SITE_NAMES), draw(SITE_ADDRESSES), draw(SITE_CITIES), draw(SITE_POSTCODES)
        )
        for n in range(store_count)
    ]
    linked_refs = draw(st.lists(st.sampled_from([f"L{n}" for n in range(10)]), unique=True))
    slugs = draw(
        st.lists(
            st.sampled_from([f"s{n}" for n in range(10)]),
            min_size=len(linked_refs),
            max_size=len(linked_refs),
            unique=True,
        )
    )
    return locations, stores, dict(zip(linked_refs, slugs, strict=True))


@given(sites())
def test_suggestions_respect_existing_links_and_never_repeat(
    data: tuple[list[PosLocation], list[StoreChoice], dict[str, str]],
) -> None:
    locations, stores, linked = data
    suggestions = suggest_links(locations, stores, linked)
    slugs = [s.slug for s in suggestions.values()]
    assert len(slugs) == len(set(slugs))
    assert not set(slugs) & set(linked.values())
    assert not set(suggestions) & set(linked)
    assert set(suggestions) <= {location.ref for location in locations}
    assert set(slugs) <= {store.slug for store in stores}
    assert all(MIN_CONFIDENCE <= s.confidence <= 100 for s in suggestions.values())


# -- accepting suggestions ---------------------------------------------------------

SUGGESTIONS = {
    "L1": Suggestion("a", 100),
    "L2": Suggestion("b", 85),
    "L3": Suggestion("c", 84),
    "L4": Suggestion("d", 40),
}


@pytest.mark.parametrize(
    ("threshold", "accepted"),
    [
        (101, {}),
        (100, {"L1": "a"}),
        (85, {"L1": "a", "L2": "b"}),
        (84, {"L1": "a", "L2": "b", "L3": "c"}),
        (0, {"L1": "a", "L2": "b", "L3": "c", "L4": "d"}),
    ],
)
def test_accept_above_keeps_suggestions_at_or_above_the_threshold(
    threshold: int, accepted: dict[str, str]
) -> None:
    assert accept_above(SUGGESTIONS, threshold) == accepted


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.builds(Suggestion, st.text(min_size=1, max_size=5), st.integers(0, 100)),
    ),
    st.integers(-10, 110),
)
def test_accept_above_only_returns_confident_suggestions(
    suggestions: dict[str, Suggestion], threshold: int
) -> None:
    accepted = accept_above(suggestions, threshold)
    assert accepted == {ref: s.slug for ref, s in suggestions.items() if s.confidence >= threshold}
    assert all(suggestions[ref].confidence >= threshold for ref in accepted)
