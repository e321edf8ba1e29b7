"""One cleaner for what people type: chat lines, booth texts and display names."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from world.protocol.constants import MAX_NAME_CHARS
from world.text import MAX_MARKS, TextRuleError, clean_name, clean_text

FUZZ = settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow], deadline=None)
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


@pytest.mark.parametrize(("raw", "name"), [
    ("  Ann  ", "Ann"),
    ("Ann\x00Lee", "AnnLee"),
    ("Ann\nLee\r\nJr", "Ann Lee Jr"),
    ("\u202eevil\u202c", "evil"),  # right-to-left override
    ("\u2066iso\u2069late", "isolate"),
    ("Ad\u200bmin", "Admin"),  # zero-width space
    ("Ad\u200dmin", "Admin"),  # a joiner between ASCII letters only makes look-alikes
    ("\ufeffBOM\u2060", "BOM"),
    ("\u200fAnn", "Ann"),  # direction marks stay out of names
    ("a\u00a0\u3000b\t\tc", "a b c"),  # no-break and ideographic spaces, tabs
    ("张三", "张三"),
    ("👩\u200d🚀 Li", "👩\u200d🚀 Li"),  # an emoji ZWJ sequence keeps its joiner
    ("\x1b[31mred", "[31mred"),  # no terminal escapes
    ("Zo" + "\u0301" * 30 + "e", "Zó" + "\u0301" * MAX_MARKS + "e"),
])
def test_display_names_lose_controls_bidi_and_invisible_characters(raw: str, name: str) -> None:
    assert clean_name(raw) == name


@pytest.mark.parametrize("raw", ["", "   ", "\x00\n\u202e", "\u200b\u200d", "\u3164\u3164", "\u2800 \u2800"])
def test_a_name_with_nothing_visible_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(TextRuleError) as info:
        clean_name(raw, "name")
    assert info.value.field == "name" and str(info.value).startswith("name: ")
    assert info.value.code == "invalid"


def test_a_name_too_long_after_cleaning_is_refused() -> None:
    assert clean_name("x" * MAX_NAME_CHARS + "\u202e\u200b") == "x" * MAX_NAME_CHARS
    with pytest.raises(TextRuleError, match=f"limit is {MAX_NAME_CHARS}") as info:
        clean_name("x" * (MAX_NAME_CHARS + 1), "look.name")
    assert info.value.field == "look.name"
    assert clean_name("公司" * 50, "company", max_chars=200) == "公司" * 50


def test_multiline_text_keeps_lines_and_tabs_but_not_controls() -> None:
    assert clean_text("  Hello\x07 there \r\n\n\n\nsecond\tline\u2028third\u202e  ") == \
        "Hello there\n\nsecond\tline\nthird"
    assert clean_text("a\nb", multiline=False) == "a b"
    assert clean_text("\u200fשלום\u200e ok") == "\u200fשלום\u200e ok"  # direction marks stay in text
    assert clean_text("\x00\x01 \n \u200b") == ""


_FORBIDDEN_CATEGORIES = {"Cc", "Cs"}


def _allowed_format(c: str, multiline: bool) -> bool:
    return c in "\u200c\u200d" or (multiline and c in "\u200e\u200f\u061c") or c in (
        "\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd")


anything = st.text(st.characters() | st.sampled_from(sorted(_BIDI) + list("\x00\n\r\t\x85\u2028\u200b\u200d\u0301")),
                   max_size=80)


@FUZZ
@given(anything, st.booleans())
def test_cleaned_text_holds_no_controls_or_invisible_format_characters_and_is_stable(raw: str, multiline: bool) -> None:
    out = clean_text(raw, multiline=multiline)
    for c in out:
        cat = unicodedata.category(c)
        assert cat not in _FORBIDDEN_CATEGORIES or (multiline and c in "\n\t"), repr(c)
        assert cat != "Cf" or _allowed_format(c, multiline), repr(c)
        assert c not in _BIDI
    assert out == out.strip()
    assert clean_text(out, multiline=multiline) == out
    out.encode("utf-8")  # sendable: no lone surrogates (this raises on one)
    if not multiline:
        assert "  " not in out and "\n" not in out


@FUZZ
@given(anything, st.integers(1, 64))
def test_clean_name_returns_a_short_single_line_name_or_raises_text_rule_error(raw: str, limit: int) -> None:
    try:
        name = clean_name(raw, "name", limit)
    except TextRuleError as exc:
        assert exc.field == "name"
        return
    assert 1 <= len(name) <= limit
    assert name == " ".join(name.split()) and clean_name(name, "name", limit) == name
