"""One translation catalogue for every interface: the web pages and the 3D clients.

Pure: callers read ``assets/i18n/<lang>.json`` (flat ``"area.thing": "text"`` maps)
and hand the texts in. Every language must have exactly the same keys, so a text
added in one language and forgotten in another fails at load, not in front of a
visitor. ``translate`` fills ``{name}`` placeholders; with ``strict`` (tests, and the
default) an unknown key raises ``MissingText`` so a page that uses a string the
catalogue lacks cannot pass its test.

Language choice: an explicit choice (the ``lang`` cookie, later the account) wins;
otherwise the browser's ``Accept-Language``, where any Chinese locale (zh, zh-CN,
zh-Hant-TW, ...) means Chinese; otherwise Chinese, the zone's language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_NAMES = {"zh": "中文", "en": "English"}


class MissingText(KeyError):
    """A key the catalogue does not have."""


class CatalogueTextError(ValueError):
    """A translation file is broken or the languages disagree on their keys."""


@dataclass(frozen=True, slots=True)
class Texts:
    """The catalogue of every language: ``texts[lang][key]``."""

    texts: Mapping[str, Mapping[str, str]]
    strict: bool = True

    def keys(self) -> frozenset[str]:
        return frozenset(self.texts[DEFAULT_LANG])

    def translate(self, lang: str, key: str, **params: object) -> str:
        table = self.texts.get(lang, self.texts[DEFAULT_LANG])
        text = table.get(key)
        if text is None:
            if self.strict:
                raise MissingText(f"no text {key!r} in the {lang} catalogue (assets/i18n/{lang}.json)")
            return key
        return text.format_map(params) if params else text


def parse_texts(files: Mapping[str, str], *, strict: bool = True) -> Texts:
    """``files``: language -> JSON text. Every language of ``LANGS`` is required; values
    are strings; every language has the same keys. Raises ``CatalogueTextError``."""
    problems: list[str] = []
    texts: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        if lang not in files:
            problems.append(f"{lang}: the catalogue is missing")
            continue
        try:
            raw = json.loads(files[lang])
        except json.JSONDecodeError as exc:
            problems.append(f"{lang}: not valid JSON: {exc}")
            continue
        if not isinstance(raw, dict):
            problems.append(f"{lang}: must be one JSON object of key -> text")
            continue
        bad = sorted(k for k, v in raw.items() if not isinstance(v, str) or not v)
        problems += [f"{lang}: {k}: must be a non-empty string" for k in bad]
        texts[lang] = {k: v for k, v in raw.items() if isinstance(v, str)}
    if len(texts) == len(LANGS):
        base = set(texts[DEFAULT_LANG])
        for lang, table in texts.items():
            problems += [f"{lang}: {k}: missing (present in {DEFAULT_LANG})" for k in sorted(base - set(table))]
            problems += [f"{lang}: {k}: not in {DEFAULT_LANG}" for k in sorted(set(table) - base)]
    if problems:
        raise CatalogueTextError("translation catalogue has errors:\n  " + "\n  ".join(problems))
    return Texts(texts, strict=strict)


def _accepted(header: str) -> list[tuple[float, int, str]]:
    out: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:32]):
        tag, _, rest = part.strip().partition(";")
        q = 1.0
        rest = rest.strip()
        if rest.startswith("q="):
            try:
                q = float(rest[2:])
            except ValueError:
                q = 0.0
        if tag and q > 0:
            out.append((-q, i, tag.strip().lower()))
    return sorted(out)


def negotiate(accept_language: str | None, choice: str | None = None) -> str:
    """The language to answer in: ``choice`` when it is one of ``LANGS``, else the
    browser's most preferred language we have (any ``zh-*`` is Chinese), else Chinese."""
    if choice in LANGS:
        assert choice is not None
        return choice
    for _, _, tag in _accepted(accept_language or ""):
        primary = tag.split("-")[0]
        if primary in LANGS:
            return primary
    return DEFAULT_LANG
