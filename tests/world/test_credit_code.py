"""Unified social credit codes: real codes pass, every generated code passes, and a
single wrong character is caught with the position it is at."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from world.credit_code import (
    ALPHABET,
    LENGTH,
    CreditCodeError,
    check_character,
    generate,
    is_valid,
    normalize,
    validate,
)

PUBLISHED = ("914403001922038216", "91330100716105852F")  # codes printed on public business licences


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_validate(code: str) -> None:
    assert validate(code) == code


def test_the_weights_are_powers_of_three_mod_31() -> None:
    from world.credit_code import WEIGHTS
    assert WEIGHTS[:6] == (1, 3, 9, 27, 19, 26) and len(WEIGHTS) == 17


@pytest.mark.parametrize(("code", "position", "words"), [
    ("91440300192203821", 0, "18 characters long, not 17"),
    ("9144030019220382166", 0, "not 19"),
    ("91440300I922038216", 9, "I, O, S, V and Z are not used"),
    ("91440300192203821a", 18, "lowercase"),
    ("914403001922038217", 18, "check character is '7' but the first 17 characters give '6'"),
    ("91A403001922038216", 3, "positions 3-8 are the administrative division code"),
])
def test_a_bad_code_is_refused_naming_the_position(code: str, position: int, words: str) -> None:
    with pytest.raises(CreditCodeError) as caught:
        validate(code)
    assert caught.value.position == position
    assert words in str(caught.value)


def test_normalize_strips_what_people_type() -> None:
    assert normalize(" 9144-0300 1922038216\u3000") == "914403001922038216"
    assert normalize("91330100716105852f") == PUBLISHED[1]


@given(st.integers(min_value=0, max_value=2**32))
def test_every_generated_code_validates(seed: int) -> None:
    code = generate(random.Random(seed))
    assert len(code) == LENGTH and code.startswith("91110105")
    assert validate(code) == code


@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=0, max_value=LENGTH - 1),
       st.characters())
def test_any_single_character_change_is_caught(seed: int, position: int, replacement: str) -> None:
    code = generate(random.Random(seed))
    if replacement == code[position]:
        return
    changed = code[:position] + replacement + code[position + 1:]
    with pytest.raises(CreditCodeError) as caught:
        validate(changed)
    # the error points at the changed character or at the check character
    assert caught.value.position in (position + 1, LENGTH)


@given(st.text(max_size=25))
def test_arbitrary_text_only_ever_raises_the_documented_error(text: str) -> None:
    try:
        validate(text)
    except CreditCodeError:
        assert not is_valid(text)
    else:
        assert check_character(text[:17]) == text[17]


def test_generation_is_deterministic_per_seed() -> None:
    assert generate(random.Random(7)) == generate(random.Random(7))
    assert all(c in ALPHABET for c in generate(random.Random(8)))
