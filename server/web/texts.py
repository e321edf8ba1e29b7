"""The translation catalogue read from ``assets/i18n/<lang>.json`` (rules: ``world.i18n``)."""

from __future__ import annotations

from pathlib import Path

from world.i18n import LANGS, Texts, parse_texts

DEFAULT_I18N_DIR = Path(__file__).resolve().parents[2] / "assets" / "i18n"


def load_texts(folder: Path = DEFAULT_I18N_DIR, *, strict: bool = True) -> Texts:
    files = {}
    for lang in LANGS:
        path = folder / f"{lang}.json"
        if path.is_file():
            files[lang] = path.read_text(encoding="utf-8")
    return parse_texts(files, strict=strict)
