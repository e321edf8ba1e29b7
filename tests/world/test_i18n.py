"""The translation catalogue: same keys in every language, strict lookups, negotiation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from world.i18n import LANGS, CatalogueTextError, MissingText, negotiate, parse_texts

SHIPPED = Path(__file__).resolve().parents[2] / "assets" / "i18n"


def _texts(zh: dict[str, str], en: dict[str, str]) -> dict[str, str]:
    return {"zh": json.dumps(zh), "en": json.dumps(en)}


def test_the_shipped_catalogue_loads_with_the_same_keys_in_every_language() -> None:
    texts = parse_texts({lang: (SHIPPED / f"{lang}.json").read_text(encoding="utf-8") for lang in LANGS})
    assert "portal.title" in texts.keys()
    assert texts.translate("zh", "park.online", n=3) == "在线 3 人"
    assert texts.translate("en", "park.online", n=3) == "3 online"


def test_a_key_missing_in_one_language_fails_at_load_naming_it() -> None:
    with pytest.raises(CatalogueTextError) as err:
        parse_texts(_texts({"a.b": "甲", "a.c": "乙"}, {"a.b": "A"}))
    assert "en: a.c: missing" in str(err.value)
    with pytest.raises(CatalogueTextError, match="zh: the catalogue is missing"):
        parse_texts({"en": "{}"})
    with pytest.raises(CatalogueTextError, match="en: a.b: must be a non-empty string"):
        parse_texts(_texts({"a.b": "甲"}, {"a.b": ""}))


def test_unknown_keys_raise_when_strict_and_show_the_key_otherwise() -> None:
    files = _texts({"a.b": "甲{n}"}, {"a.b": "A{n}"})
    with pytest.raises(MissingText):
        parse_texts(files).translate("en", "a.missing")
    assert parse_texts(files, strict=False).translate("en", "a.missing") == "a.missing"
    assert parse_texts(files).translate("zh", "a.b", n=2) == "甲2"


@pytest.mark.parametrize(("header", "choice", "expected"), [
    ("zh-CN,zh;q=0.9,en;q=0.8", None, "zh"),
    ("zh-Hant-TW", None, "zh"),
    ("en-US,en;q=0.9", None, "en"),
    ("fr-FR,en;q=0.5,zh;q=0.4", None, "en"),
    ("en;q=0.2,zh;q=0.9", None, "zh"),
    ("fr", None, "zh"),
    ("", None, "zh"),
    (None, None, "zh"),
    ("zh-CN", "en", "en"),
    ("en", "zh", "zh"),
    ("en", "xx", "en"),
    ("en;q=abc,zh", None, "zh"),
])
def test_negotiation_prefers_the_choice_then_the_browser_then_chinese(header: str | None, choice: str | None,
                                                                      expected: str) -> None:
    assert negotiate(header, choice) == expected
