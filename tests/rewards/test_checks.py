"""Reward SKU parsing, classification and check."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.rewards.catalogue_index import (
    MIN_EDIT_KEY_LENGTH,
    CatalogueIndex,
    CatalogueProduct,
    ProductRow,
    TokenKind,
)
from portal.rewards.checks import RewardCheck, RewardShape, RewardStatus, check_reward, summary
from portal.rewards.sku_text import MAX_TOKENS, near_key, near_keys, parse_external_id


def product(
    ref: str,
    sku: str,
    *,
    active: bool = True,
    paid_options: bool = False,
    locations: frozenset[str] | None = None,
) -> ProductRow:
    """A catalogue product named after its ref, as the app reads it from the database."""
    return (ref, sku, f"Product {ref}", active, paid_options, locations)


CATALOGUE = (
    product("croissant", "BAK-001"),
    product("croissant-2019", "BAK-001", active=False),
    product("pain-choc", "BAK-002", paid_options=True, locations=frozenset({"L1"})),
    product("coffee", "DRK-100"),
    product("coffee-large", "DRK-100"),
    product("old-tart", "OLD-777", active=False),
    product("lunch-menu", "MENU-LUNCH", locations=frozenset({"L2"})),
    product("water", "A1"),
    product("sandwich", "SAN-0042"),
    product("juice", "4006381333931"),
)


@pytest.fixture(scope="module")
def index() -> CatalogueIndex:
    """Index the sample catalogue once for the module; lookups do not change it."""
    return CatalogueIndex.from_rows(CATALOGUE)


# -- parsing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("BAK-001", ["BAK-001"]),
        ("BAK-001,BAK-002", ["BAK-001", "BAK-002"]),
        (" BAK-001 , BAK-002 ", ["BAK-001", "BAK-002"]),
        ("\u00a0BAK-001\u00a0,\tBAK-002\n", ["BAK-001", "BAK-002"]),
        ("\u202fBAK-001\u202f,\r\nBAK-002\r\n", ["BAK-001", "BAK-002"]),
        ("\u200bBAK-001\u200b,\ufeffBAK-002\u2060", ["BAK-001", "BAK-002"]),
        ("\u3000BAK-001\u2028,\xadBAK-002\u200d", ["BAK-001", "BAK-002"]),
        (",,BAK-001,,", ["BAK-001"]),
        ("BAK-001, BAK-001 ,BAK-002,\u00a0BAK-001", ["BAK-001", "BAK-002"]),
        ("BAK-002,BAK-001,BAK-002", ["BAK-002", "BAK-001"]),
        ("bak-001,BAK-001", ["bak-001", "BAK-001"]),
        ("BAK 001", ["BAK 001"]),
        ("BAK-001\nBAK-002", ["BAK-001\nBAK-002"]),
        ("BAK-001;BAK-002", ["BAK-001;BAK-002"]),
        ("\ud800,BAK-001", ["\ud800", "BAK-001"]),
        (None, []),
        (42, []),
        (4.2, []),
        (b"BAK-001", []),
        (["BAK-001"], []),
        ("", []),
        ("   ", []),
        (",,,", []),
        (" ,\u00a0, \t ,\u200b", []),
        ("X" * 10_000, ["X" * 10_000]),
        ("A," * 5_000, ["A"]),
        (",".join(f"S{n}" for n in range(2_000)), [f"S{n}" for n in range(2_000)]),
    ],
    ids=repr,
)
def test_external_id_is_split_trimmed_and_deduplicated(raw: object, expected: list[str]) -> None:
    assert parse_external_id(raw) == expected


def test_every_unicode_space_is_trimmed() -> None:
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    assert len(spaces) > 20
    assert parse_external_id(",".join(f"{s}BAK-{n}{s}" for n, s in enumerate(spaces))) == [
        f"BAK-{n}" for n in range(len(spaces))
    ]


def test_string_subclass_is_parsed_as_its_text() -> None:
    class Shouty(str):
        def split(self, *args: object, **kwargs: object) -> list[str]:
            raise RuntimeError

    assert parse_external_id(Shouty(" BAK-001 ,BAK-002")) == ["BAK-001", "BAK-002"]


ANYTHING = st.one_of(
    st.text(),
    st.none(),
    st.integers(),
    st.floats(),
    st.binary(),
    st.lists(st.text()),
    st.dictionaries(st.text(), st.integers()),
)


@given(ANYTHING)
def test_parsing_never_raises_and_yields_clean_distinct_tokens(raw: object) -> None:
    tokens = parse_external_id(raw)
    assert len(tokens) == len(set(tokens))
    for token in tokens:
        assert token
        assert "," not in token
        assert parse_external_id(token) == [token]


@given(st.text())
def test_parsing_is_idempotent(raw: str) -> None:
    tokens = parse_external_id(raw)
    assert parse_external_id(",".join(tokens)) == tokens


CLEAN_TOKEN = st.text(
    alphabet=st.characters(blacklist_characters=",", blacklist_categories=("Cs",)), min_size=1
).filter(lambda t: parse_external_id(t) == [t])


@given(st.lists(CLEAN_TOKEN))
def test_parsing_keeps_order_and_first_occurrence(tokens: list[str]) -> None:
    assert parse_external_id(",".join(tokens)) == list(dict.fromkeys(tokens))


# -- classification ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "kind", "suggestion"),
    [
        ("BAK-001", TokenKind.MATCHED, None),
        ("A1", TokenKind.MATCHED, None),
        ("DRK-100", TokenKind.AMBIGUOUS, None),
        ("OLD-777", TokenKind.INACTIVE, None),
        # case, spacing, punctuation, leading zeros
        ("bak-001", TokenKind.NEAR_MISS, "BAK-001"),
        ("BAK 001", TokenKind.NEAR_MISS, "BAK-001"),
        ("BAK001", TokenKind.NEAR_MISS, "BAK-001"),
        ("BAK.001", TokenKind.NEAR_MISS, "BAK-001"),
        ("bak_1", TokenKind.NEAR_MISS, "BAK-001"),
        ("BAK-0001", TokenKind.NEAR_MISS, "BAK-001"),
        ("san 42", TokenKind.NEAR_MISS, "SAN-0042"),
        ("Menu Lunch", TokenKind.NEAR_MISS, "MENU-LUNCH"),
        ("MÉNU-LUNCH", TokenKind.NEAR_MISS, "MENU-LUNCH"),
        ("a1", TokenKind.NEAR_MISS, "A1"),
        ("04006381333931", TokenKind.NEAR_MISS, "4006381333931"),
        # one edit
        ("MENU-LUNCK", TokenKind.NEAR_MISS, "MENU-LUNCH"),
        ("MENU-LUNCHH", TokenKind.NEAR_MISS, "MENU-LUNCH"),
        ("MENU-LUCH", TokenKind.NEAR_MISS, "MENU-LUNCH"),
        ("MENU-LNUCH", TokenKind.NEAR_MISS, "MENU-LUNCH"),
        ("SAN-0043", TokenKind.NEAR_MISS, "SAN-0042"),
        ("DRK-10", TokenKind.NEAR_MISS, "DRK-100"),
        # two edits, or nothing like it
        ("MENU-LNCK", TokenKind.OTHER_SYSTEM, None),
        ("ZLT-88213", TokenKind.OTHER_SYSTEM, None),
        ("UBER:5521", TokenKind.OTHER_SYSTEM, None),
        ("---", TokenKind.OTHER_SYSTEM, None),
        # keys too short for the one-edit rule
        ("A2", TokenKind.OTHER_SYSTEM, None),
        ("B1", TokenKind.OTHER_SYSTEM, None),
        # bare numbers never get the one-edit rule
        ("4006381333932", TokenKind.OTHER_SYSTEM, None),
        # only SKUs with an active product are suggested
        ("OLD-778", TokenKind.OTHER_SYSTEM, None),
        ("old-777", TokenKind.OTHER_SYSTEM, None),
    ],
)
def test_token_is_classified_against_the_catalogue(
    index: CatalogueIndex, token: str, kind: TokenKind, suggestion: str | None
) -> None:
    result = index.classify(token)
    assert (result.token, result.kind, result.suggestion) == (token, kind, suggestion)


def test_matched_token_carries_only_the_active_product(index: CatalogueIndex) -> None:
    result = index.classify("BAK-001")
    assert [p.ref for p in result.products] == ["croissant"]


def test_ambiguous_token_carries_every_active_product(index: CatalogueIndex) -> None:
    result = index.classify("DRK-100")
    assert {p.ref for p in result.products} == {"coffee", "coffee-large"}


def test_inactive_token_carries_the_archived_products(index: CatalogueIndex) -> None:
    assert [p.ref for p in index.classify("OLD-777").products] == ["old-tart"]


def test_near_miss_carries_the_suggested_product(index: CatalogueIndex) -> None:
    result = index.classify("menu lunch")
    assert [p.name for p in result.products] == ["Product lunch-menu"]
    assert result.alternatives == ()


def test_exact_sku_beats_a_near_miss() -> None:
    index = CatalogueIndex.from_rows([product("a", "BAK-001"), product("b", "BAK-01")])
    assert index.classify("BAK-01").kind is TokenKind.MATCHED
    assert index.classify("BAK-001").kind is TokenKind.MATCHED


def test_tied_near_misses_pick_one_and_list_the_others() -> None:
    index = CatalogueIndex.from_rows([product("b", "BAK-01"), product("a", "BAK-001")])
    result = index.classify("bak 1")
    assert (result.suggestion, result.alternatives) == ("BAK-001", ("BAK-01",))


def test_tied_near_misses_prefer_the_same_text_in_another_case() -> None:
    index = CatalogueIndex.from_rows([product("a", "BAK-001"), product("b", "BAK-01")])
    assert index.classify("bak-01").suggestion == "BAK-01"


def test_tied_near_misses_prefer_a_sku_with_one_active_product() -> None:
    index = CatalogueIndex.from_rows(
        [product("a", "BAK-001"), product("b", "BAK-001"), product("c", "BAK-01")]
    )
    assert index.classify("bak 1").suggestion == "BAK-01"


def test_sku_that_cannot_be_pasted_back_is_never_suggested() -> None:
    index = CatalogueIndex.from_rows([product("a", "BAK,001"), product("b", " SAN-001")])
    assert index.classify("BAK001").kind is TokenKind.OTHER_SYSTEM
    assert index.classify("SAN-001").kind is TokenKind.OTHER_SYSTEM


def test_edit_table_built_ahead_gives_the_same_answers() -> None:
    lazy = CatalogueIndex.from_rows(CATALOGUE)
    eager = CatalogueIndex.from_rows(CATALOGUE)
    eager.build_edit_index()
    for token in ("MENU-LUNCK", "ZLT-88213", "SAN-0043", "BAK-001"):
        assert lazy.classify(token) == eager.classify(token)


def test_index_counts_every_product(index: CatalogueIndex) -> None:
    assert len(index) == len(CATALOGUE)
    assert {p.ref for p in index.products_for("BAK-001")} == {"croissant", "croissant-2019"}


@pytest.mark.parametrize(
    ("sku", "key"),
    [
        ("BAK-0005", "bak5"),
        ("bak 5", "bak5"),
        ("BAK-005", "bak5"),
        ("BAK-000", "bak0"),
        ("10-05", "105"),
        ("B100", "b100"),
        ("Crème Brûlée", "cremebrulee"),
        ("ＢＡＫ－００５", "bak5"),
        ("---", ""),
    ],
)
def test_near_key_ignores_case_accents_punctuation_and_padding_zeros(sku: str, key: str) -> None:
    assert near_key(sku) == key


def osa_distance(a: str, b: str) -> int:
    """Count edits (insert, delete, substitute, swap adjacent) the slow, obvious way."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def brute_force_near_misses(skus: list[str], token: str) -> set[str]:
    """The SKUs a near miss may suggest, by the three tiers read literally: every SKU compared."""
    # Every product is active here, so only parsing decides which SKUs can be suggested.
    pasteable = [s for s in skus if parse_external_id(s) == [s]]
    key = near_key(token)

    def eligible(k: str) -> bool:
        return len(k) >= MIN_EDIT_KEY_LENGTH and not k.isdigit()

    same_key = {s for s in pasteable if key and near_key(s) == key}
    one_edit_keys = {
        near_key(s)
        for s in pasteable
        if eligible(key) and eligible(near_key(s)) and osa_distance(key, near_key(s)) == 1
    }
    if same_key or len(one_edit_keys) != 1:
        return same_key
    return {s for s in pasteable if near_key(s) in one_edit_keys}


def assert_classified_as_brute_force(skus: list[str], token: str) -> None:
    """Classify the token against a catalogue of these SKUs, all active, and check every tier."""
    index = CatalogueIndex.from_rows(product(f"p{n}", sku) for n, sku in enumerate(skus))
    result = index.classify(token)
    expected = brute_force_near_misses(skus, token)
    if token in skus:
        assert result.kind is TokenKind.MATCHED
    elif expected:
        assert result.kind is TokenKind.NEAR_MISS
        assert {result.suggestion, *result.alternatives} == expected
    else:
        assert result.kind is TokenKind.OTHER_SYSTEM


SMALL_SKU = st.text(alphabet="ab12-", min_size=1, max_size=7)


@given(st.lists(SMALL_SKU, min_size=1, max_size=12, unique=True), SMALL_SKU)
def test_near_miss_finds_exactly_the_close_catalogue_skus(skus: list[str], token: str) -> None:
    assert_classified_as_brute_force(skus, token)


# No O, I or L: a token misread as digits is tried again, which the reference leaves out.
SLIP_ALPHABET = "abcxyzABC01239- "
LONGER_SKU = st.text(alphabet=SLIP_ALPHABET, min_size=1, max_size=10)


@st.composite
def catalogue_and_slip(draw: st.DrawFn) -> tuple[list[str], str]:
    """A catalogue and a token one slip (insertion, deletion, substitution, swap) from one SKU."""
    skus = draw(st.lists(LONGER_SKU, min_size=1, max_size=30, unique=True))
    sku = draw(st.sampled_from(skus))
    at = draw(st.integers(0, len(sku)))
    char = draw(st.sampled_from(SLIP_ALPHABET))
    slip = draw(st.sampled_from(["insert", "delete", "replace", "swap"]))
    if slip == "insert":
        token = sku[:at] + char + sku[at:]
    elif slip == "delete":
        token = sku[:at] + sku[at + 1 :]
    elif slip == "replace":
        token = sku[:at] + char + sku[at + 1 :]
    else:
        token = sku[:at] + sku[at + 1 : at + 2] + sku[at : at + 1] + sku[at + 2 :]
    return skus, token


@given(catalogue_and_slip())
def test_one_edit_search_agrees_with_comparing_every_sku(case: tuple[list[str], str]) -> None:
    skus, token = case
    assert_classified_as_brute_force(skus, token)


@pytest.mark.parametrize(
    ("skus", "token"),
    [
        # ABXYE starts and ends like the token, and several SKUs end like its last letters.
        (["ABXYE", "XXXDE", "YYYDE"], "ABCDE"),
        # The same read backwards: EYXBA, and several SKUs start like the token.
        (["EYXBA", "EDXXX", "EDYYY"], "EDCBA"),
    ],
)
def test_two_slips_sharing_the_start_and_end_are_not_a_near_miss(
    skus: list[str], token: str
) -> None:
    index = CatalogueIndex.from_rows(product(f"p{n}", sku) for n, sku in enumerate(skus))
    assert index.classify(token).kind is TokenKind.OTHER_SYSTEM


@given(
    st.lists(st.text(alphabet="ab1é, \n\t\xa0\u200b", max_size=6), min_size=1, max_size=12),
    st.text(alphabet="ab1é- ", min_size=1, max_size=6),
)
def test_only_skus_that_survive_parsing_are_suggested(skus: list[str], token: str) -> None:
    skus = list(dict.fromkeys(skus))
    assert_classified_as_brute_force(skus, token)


@given(st.lists(st.text()))
def test_many_skus_reduce_as_each_does_alone(skus: list[str]) -> None:
    assert near_keys(skus) == [near_key(sku) for sku in skus]


@given(st.lists(st.text(alphabet="Ab0- \n", max_size=8)))
def test_many_ascii_skus_reduce_as_each_does_alone(skus: list[str]) -> None:
    assert near_keys(skus) == [near_key(sku) for sku in skus]


def test_each_row_becomes_a_product_of_its_sku(index: CatalogueIndex) -> None:
    for sku in {row[1] for row in CATALOGUE}:
        expected = tuple(CatalogueProduct(*row) for row in CATALOGUE if row[1] == sku)
        assert index.products_for(sku) == expected


# -- checks ------------------------------------------------------------------------


def check(raw: object, index: CatalogueIndex) -> RewardCheck:
    """Check a reward with a fixed id and name."""
    return check_reward("rw-1", "Free croissant", raw, index)


@pytest.mark.parametrize(
    ("raw", "status", "shape"),
    [
        ("BAK-001", RewardStatus.READY, RewardShape.SINGLE),
        ("BAK-001,MENU-LUNCH", RewardStatus.READY, RewardShape.LIST),
        ("ZLT-88213,BAK-001,OLD-777", RewardStatus.READY, RewardShape.SINGLE),
        ("BAK-001,san 42", RewardStatus.CHECK, RewardShape.SINGLE),
        ("BAK-001,DRK-100", RewardStatus.CHECK, RewardShape.LIST),
        ("BAK-002", RewardStatus.CHECK, RewardShape.SINGLE),
        ("ZLT-88213,OLD-777", RewardStatus.NOT_REDEEMABLE, RewardShape.NONE),
        ("san 42", RewardStatus.NOT_REDEEMABLE, RewardShape.NONE),
        ("DRK-100", RewardStatus.CHECK, RewardShape.SINGLE),
        (None, RewardStatus.NO_SKU, RewardShape.NONE),
        ("", RewardStatus.NO_SKU, RewardShape.NONE),
        (" , \u00a0,", RewardStatus.NO_SKU, RewardShape.NONE),
    ],
)
def test_reward_gets_a_status_and_a_shape(
    index: CatalogueIndex, raw: object, status: RewardStatus, shape: RewardShape
) -> None:
    result = check(raw, index)
    assert (result.status, result.shape) == (status, shape)


def test_reward_lists_its_matched_skus_in_order(index: CatalogueIndex) -> None:
    result = check("MENU-LUNCH, ZLT-88213, BAK-001, bak 2, DRK-100", index)
    assert result.matched_skus == ("MENU-LUNCH", "BAK-001")
    # The shared SKU is one the tills can honour, so the POS gets it too.
    assert result.pos_skus == ("MENU-LUNCH", "BAK-001", "DRK-100")
    assert [p.ref for p in result.matched_products] == ["lunch-menu", "croissant"]
    assert [t.kind for t in result.tokens] == [
        TokenKind.MATCHED,
        TokenKind.OTHER_SYSTEM,
        TokenKind.MATCHED,
        TokenKind.NEAR_MISS,
        TokenKind.AMBIGUOUS,
    ]


def test_paid_options_caution_only_for_matched_products(index: CatalogueIndex) -> None:
    assert check("BAK-002,BAK-001", index).paid_options_caution
    assert not check("BAK-001", index).paid_options_caution
    # A near miss to a product with paid options is not yet part of the reward.
    assert not check("BAK-001,bak 2", index).paid_options_caution


@pytest.mark.parametrize(
    ("raw", "corrected"),
    [
        ("BAK-001", "BAK-001"),
        (" BAK-001 ,\u00a0MENU-LUNCH ", "BAK-001,MENU-LUNCH"),
        ("ZLT-88213, san 42 ,BAK-001", "ZLT-88213,SAN-0042,BAK-001"),
        ("bak 1,BAK-001,ZLT-1", "BAK-001,ZLT-1"),
        ("BAK-001,bak 1", "BAK-001"),
        ("bak-001,BAK 001", "BAK-001"),
        ("DRK-100,OLD-777,BAK-001", "DRK-100,OLD-777,BAK-001"),
        (",,,", ""),
        (None, ""),
    ],
)
def test_corrected_list_fixes_near_misses_and_keeps_the_rest(
    index: CatalogueIndex, raw: object, corrected: str
) -> None:
    assert check(raw, index).corrected_list == corrected


def test_corrections_are_flagged_only_when_the_list_changes(index: CatalogueIndex) -> None:
    # Spacing and repeats are harmless: parsing already ignores them.
    assert not check(" BAK-001 , ZLT-1, BAK-001", index).has_corrections
    assert check("bak 1", index).has_corrections


def test_corrected_list_turns_every_near_miss_into_a_match(index: CatalogueIndex) -> None:
    before = check("bak 1, ZLT-9, MENU-LUNCK", index)
    after = check(before.corrected_list, index)
    assert after.matched_skus == ("BAK-001", "MENU-LUNCH")
    assert after.status is RewardStatus.READY
    assert after.corrected_list == before.corrected_list


def test_reward_is_redeemable_where_a_matched_product_is_sold(index: CatalogueIndex) -> None:
    locations = ["L1", "L2", "L3"]
    assert check("BAK-002,MENU-LUNCH", index).redeemable_at(locations) == {"L1", "L2"}
    assert check("MENU-LUNCH", index).redeemable_at(locations) == {"L2"}
    assert check("BAK-001", index).redeemable_at(locations) == {"L1", "L2", "L3"}
    assert check("DRK-100,bak 2", index).redeemable_at(locations) == frozenset()


def test_rewards_are_checked_in_order_and_counted_by_status(index: CatalogueIndex) -> None:
    rewards = [
        ("r1", "Croissant", "BAK-001"),
        ("r2", "Pain au chocolat", "BAK-002"),
        ("r3", "Lunch", "MENU-LUNCH,ZLT-1"),
        ("r4", "Nothing here", None),
    ]
    checks = [check_reward(*reward, index) for reward in rewards]
    assert [r.public_id for r in checks] == ["r1", "r2", "r3", "r4"]
    assert summary(checks) == {
        RewardStatus.READY: 2,
        RewardStatus.CHECK: 1,
        RewardStatus.NOT_REDEEMABLE: 0,
        RewardStatus.NO_SKU: 1,
    }
    assert list(summary([])) == list(RewardStatus)


REWARD_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            ["BAK-001", "bak 1", "DRK-100", "OLD-777", "MENU-LUNCK", "A1", "ZLT-88213", ""]
        ),
        st.text(max_size=12),
    ),
    max_size=8,
).flatmap(
    lambda items: st.sampled_from([",", " ,", ",\u00a0", ",,"]).map(lambda sep: sep.join(items))
)


@given(REWARD_TEXT)
def test_corrected_list_keeps_every_matched_sku(raw: str) -> None:
    index = CatalogueIndex.from_rows(CATALOGUE)
    result = check_reward("r", "n", raw, index)
    corrected = parse_external_id(result.corrected_list)
    assert set(result.matched_skus) <= set(corrected)
    assert corrected == (result.corrected_list.split(",") if result.corrected_list else [])
    again = check_reward("r", "n", result.corrected_list, index)
    assert all(t.kind is not TokenKind.NEAR_MISS for t in again.tokens)
    assert set(result.matched_skus) <= set(again.matched_skus)


def _bakery_index() -> CatalogueIndex:
    return CatalogueIndex.from_rows(
        [
            ("1", "BAK-001", "Croissant", True, False, None),
            ("3", "BAK-003", "Pain aux raisins", True, False, None),
            ("4", "BAK-004", "Chausson", True, False, None),
        ]
    )


@pytest.mark.parametrize(("token", "meant"), [("BAK-0O1", "BAK-001"), ("BAK-00l", "BAK-001")])
def test_letters_typed_for_digits_are_near_misses(token: str, meant: str) -> None:
    result = _bakery_index().classify(token)
    assert result.kind is TokenKind.NEAR_MISS
    assert result.suggestion == meant


def test_one_edit_from_several_skus_is_not_a_guess() -> None:
    """ "BAK-0005" is one edit from BAK-001, BAK-003 and BAK-004: no suggestion, no correction."""
    result = _bakery_index().classify("BAK-0005")
    assert result.kind is TokenKind.OTHER_SYSTEM
    assert result.suggestion is None
    result = check_reward("rew_1", "Tarte", "BAK-0005,BAK-001", _bakery_index())
    assert result.corrected_list == "BAK-0005,BAK-001"


# -- shared SKUs, shapes and what the corrected list changes -----------------------------


def test_shared_sku_alone_is_a_check_the_tills_can_honour(index: CatalogueIndex) -> None:
    result = check("DRK-100,ZLT-88213", index)
    assert result.status is RewardStatus.CHECK
    assert result.usable_skus == ("DRK-100",)
    assert result.matched_skus == ()
    assert result.shape is RewardShape.SINGLE


@pytest.mark.parametrize(
    ("raw", "shape", "corrected_shape", "changes"),
    [
        ("BAK-001,bak 2", RewardShape.SINGLE, RewardShape.LIST, True),
        ("bak 1", RewardShape.NONE, RewardShape.SINGLE, True),
        ("BAK-001,bak-001 ", RewardShape.SINGLE, RewardShape.SINGLE, False),
        ("BAK-001,MENU-LUNCH", RewardShape.LIST, RewardShape.LIST, False),
        ("ZLT-1", RewardShape.NONE, RewardShape.NONE, False),
    ],
)
def test_corrected_list_says_when_it_changes_the_shape(
    index: CatalogueIndex,
    raw: str,
    shape: RewardShape,
    corrected_shape: RewardShape,
    changes: bool,
) -> None:
    result = check(raw, index)
    assert (result.shape, result.corrected_shape, result.shape_changes) == (
        shape,
        corrected_shape,
        changes,
    )


def test_other_systems_tokens_are_set_apart(index: CatalogueIndex) -> None:
    result = check("ZLT-1, BAK-001, LS_4471", index)
    assert [t.token for t in result.other_system_tokens] == ["ZLT-1", "LS_4471"]
    assert [t.token for t in result.own_tokens] == ["BAK-001"]
    assert not result.only_other_systems
    assert check("ZLT-1,LS_4471", index).only_other_systems
    assert not check(None, index).only_other_systems


@given(REWARD_TEXT)
def test_status_follows_the_usable_skus(raw: str) -> None:
    index = CatalogueIndex.from_rows(CATALOGUE)
    result = check_reward("r", "n", raw, index)
    usable = [t for t in result.tokens if t.kind in (TokenKind.MATCHED, TokenKind.AMBIGUOUS)]
    if not result.tokens:
        assert result.status is RewardStatus.NO_SKU
    elif not usable:
        assert result.status is RewardStatus.NOT_REDEEMABLE
    else:
        assert result.status in (RewardStatus.READY, RewardStatus.CHECK)
        # A shared SKU is never "ready": someone has to say which product is meant.
        if any(t.kind is TokenKind.AMBIGUOUS for t in result.tokens):
            assert result.status is RewardStatus.CHECK
    assert len(result.usable_skus) == len(usable)
    expected = {0: RewardShape.NONE, 1: RewardShape.SINGLE}.get(len(usable), RewardShape.LIST)
    assert result.shape is expected
    # The corrected list, checked again, has exactly the shape announced.
    assert check_reward("r", "n", result.corrected_list, index).shape is result.corrected_shape


def test_a_token_longer_than_any_sku_is_unreadable_and_quick(index: CatalogueIndex) -> None:
    import time

    started = time.perf_counter()
    result = check_reward("r", "Croissant", "BAK-001," + "K9" * 50_000, index)
    assert time.perf_counter() - started < 0.5
    assert [r.kind for r in result.tokens] == [TokenKind.MATCHED, TokenKind.UNREADABLE]
    assert result.status is RewardStatus.READY


def test_tokens_beyond_the_bound_are_unreadable(index: CatalogueIndex) -> None:
    raw = ",".join(["BAK-001", *(f"X-{i}" for i in range(MAX_TOKENS + 10))])
    result = check_reward("r", "Many", raw, index)
    kinds = [r.kind for r in result.tokens]
    assert kinds[:MAX_TOKENS].count(TokenKind.UNREADABLE) == 0
    assert kinds[MAX_TOKENS:] == [TokenKind.UNREADABLE] * 11
