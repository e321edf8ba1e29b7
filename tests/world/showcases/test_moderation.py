"""The keyword filter: full-width and case do not hide a word, Chinese words match
inside text, Latin words only as whole words, the word as listed is named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from world.showcases.moderation import DEFAULT_WORDS, Filter, FilterError, normalise

F = Filter.of(["bad", "傻逼", "Spam Link", "垃圾"])


@pytest.mark.parametrize(("text", "word"), [
    ("this is ＢＡＤ", "bad"),
    ("BAD idea", "bad"),
    ("b\u200bad news? no: bad.", "bad"),  # a zero-width space inside does not hide it
    ("你这个傻逼", "傻逼"),
    ("全是垃圾信息", "垃圾"),
    ("click my spam   link", "Spam Link"),
    ("ｓｐａｍ　ｌｉｎｋ here", "Spam Link"),  # full-width letters and the ideographic space
    ("very bad 傻逼", "bad"),  # the first in the text
])
def test_words_are_found_whatever_their_width_or_case(text: str, word: str) -> None:
    assert F.find(text) == word


@pytest.mark.parametrize("text", ["badge and baddie", "a good question", "", "abad", "垃", "spamlink"])
def test_clean_text_passes(text: str) -> None:
    assert F.find(text) is None


def test_normalise() -> None:
    assert normalise("  ＡＢＣ\u3000 Straße ") == "abc strasse"


def test_bad_word_lists_are_refused() -> None:
    with pytest.raises(FilterError, match="at most 40"):
        Filter.of(["x" * 41])
    with pytest.raises(FilterError, match="a word is text"):
        Filter.of([3])  # type: ignore[list-item]
    assert Filter.of(["", "  ", "Bad", "ＢＡＤ"]).words == ("Bad",)  # blanks skipped, duplicates once


def test_the_default_list_and_adding_lists() -> None:
    both = Filter.of(DEFAULT_WORDS) + Filter.of(["广告"])
    assert both.find("FUCK this") == "fuck" and both.find("发广告了") == "广告"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=30), st.text(max_size=30))
def test_a_listed_word_inside_text_is_always_found(before: str, after: str) -> None:
    assert Filter.of(["垃圾"]).find(before + "垃圾" + after) == "垃圾"
    assert Filter.of(["bad"]).find(before + " ＢａＤ " + after) == "bad"
