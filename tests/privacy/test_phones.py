"""Every spelling of a number is found, and nothing longer or different (a pure core)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.orders.mapping import InvalidPhone
from portal.privacy.phones import ERASED, customer_phone, phone_key, scrub, spellings

FRENCH = "33612345678"
SPELLINGS = [
    "+33 6 12 34 56 78",
    "+33612345678",
    "0033612345678",
    "0033 6 12 34 56 78",
    "33612345678",
    "+33 (0)6 12 34 56 78",
    "+33.6.12.34.56.78",
    "06 12 34 56 78",
    "06.12.34.56.78",
    "06-12-34-56-78",
    "0612345678",
    "612345678",
    "+33\u00a06\u00a012\u00a034\u00a056\u00a078",
]


@pytest.mark.parametrize("written", SPELLINGS)
def test_every_spelling_of_a_french_mobile_is_found(written: str) -> None:
    text = f"The customer phone {written} is not valid."

    cleaned, count = scrub(text, spellings(FRENCH))

    assert count == 1
    assert cleaned == f"The customer phone {ERASED} is not valid."


@pytest.mark.parametrize(
    "other",
    ["+33 6 12 34 56 79", "336123456789", "1336123456781", "+33 6 12 34 56", "12345678"],
)
def test_another_number_or_a_longer_run_of_digits_is_left_alone(other: str) -> None:
    assert scrub(f"x {other} y", spellings(FRENCH)) == (f"x {other} y", 0)


def test_national_spellings_follow_each_countrys_trunk_prefix() -> None:
    italian = spellings("390612345678")  # Italy keeps the leading 0 and has no trunk prefix
    german = spellings("4915112345678")

    assert italian.search("06 1234 5678")
    assert italian.search("+39 06 1234 5678")
    assert german.search("01511 2345678")
    assert german.search("+49 1511 2345678")


def test_json_is_cleaned_at_every_depth_and_keeps_its_shape() -> None:
    answer = {"errors": {"customer.phone": ["06 12 34 56 78 is invalid"]}, "n": 612345678}

    cleaned, count = scrub(answer, spellings(FRENCH))

    assert cleaned == {"errors": {"customer.phone": [f"{ERASED} is invalid"]}, "n": 612345678}
    assert count == 1


def test_a_national_number_cannot_be_placed_and_is_refused() -> None:
    with pytest.raises(InvalidPhone):
        customer_phone("06 12 34 56 78")


def test_the_keyed_hash_depends_on_the_key_and_hides_the_number() -> None:
    key = phone_key(FRENCH, "secret-one")

    assert key == customer_phone("+33 6 12 34 56 78").key("secret-one")
    assert key != phone_key(FRENCH, "secret-two")
    assert FRENCH not in key


separators = st.sampled_from(["", " ", ".", "-", "\u00a0"])


@given(
    national=st.from_regex(r"\A[67][0-9]{8}\Z"),
    prefix=st.sampled_from(["+33", "0033", "33", "+33 (0)", "0", ""]),
    seps=st.lists(separators, min_size=9, max_size=9),
)
def test_any_french_mobile_in_any_spelling_is_found(
    national: str, prefix: str, seps: list[str]
) -> None:
    between = "".join(s + d for s, d in zip(seps[1:], national[1:], strict=True))
    written = (prefix + seps[0] if prefix else "") + national[0] + between

    cleaned, count = scrub(f"call {written.strip()} now", spellings("33" + national))

    assert count == 1, written
    assert cleaned == f"call {ERASED} now"
