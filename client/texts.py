"""The desktop client's words: the one translation catalogue, in the person's language.

Every string the client shows comes from ``assets/i18n/<lang>.json`` under ``client.*``
(rules: ``world.i18n``). The language is the account's (``session.lang``) when the
person is signed in and chose one, else ``--lang``, else the system locale
(``LC_ALL`` / ``LC_MESSAGES`` / ``LANG``: ``zh_CN.UTF-8`` means Chinese), else Chinese,
the zone's language.

What the client tells the visitor (``Visit.notices``) is kept as a ``Notice``: a key and
its parameters, some of them keys themselves (``Ref``), so a notice already shown is
shown again in the new language after a switch.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from world.i18n import LANGS, Texts, negotiate, parse_texts

I18N_DIR = Path(__file__).resolve().parents[1] / "assets" / "i18n"


def load_texts(folder: Path = I18N_DIR, *, strict: bool = False) -> Texts:
    """The catalogue (strict in tests: a missing key raises; else the key is shown)."""
    files = {lang: (folder / f"{lang}.json").read_text(encoding="utf-8")
             for lang in LANGS if (folder / f"{lang}.json").is_file()}
    return parse_texts(files, strict=strict)


def locale_lang(environ: Mapping[str, str] | None = None) -> str:
    """The language of the system locale, as ``world.i18n.negotiate`` reads a browser's."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            tag = value.split(".")[0].split("@")[0].replace("_", "-")
            return negotiate(tag)
    return negotiate(None)


@dataclass(frozen=True, slots=True)
class Ref:
    """A parameter that is itself a catalogue key (translated when the notice is shown)."""

    key: str


@dataclass(frozen=True, slots=True)
class Notice:
    key: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, **params: object) -> Notice:
        return cls(key, tuple(sorted(params.items())))


def say(texts: Texts, lang: str, notice: Notice) -> str:
    params = {k: texts.translate(lang, v.key) if isinstance(v, Ref) else v for k, v in notice.params}
    return texts.translate(lang, notice.key, **params)
