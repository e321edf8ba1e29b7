"""Writing a catalogue entry back as TOML text, in the layout of ``assets/parks/*.toml``.

Pure, so the park console (server/) and the tools write entries the same way. The
layout is the seeded files': the header comment, then the fields in ``FIELD_ORDER``
(``location`` and venues as inline tables, lists one item a line), then ``[area]``
last as a table. ``parse_park(entry_text(tomllib.loads(body), header))`` gives the
park back; the tests check that every shipped file comes out byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

FIELD_ORDER = ("id", "name_zh", "name_en", "address_zh", "location", "opened", "former_use", "style", "focus",
               "events", "notes", "sources", "venues")
TABLES = ("area",)  # written as [section] tables after every other field
_COORDINATES = ("lat", "lon")  # degrees, written to 4 decimals (about 10 m) as the files have them

_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
HEADER = """\
# Cloud Park catalogue entry: {name_en} ({name_zh}).
# {origin}
# Fields marked estimated = true are placeholders for the park office to replace.
# style picks the scene's building style: {styles}.
"""


def header_for(name_en: str, name_zh: str, origin: str, styles: tuple[str, ...]) -> str:
    """The comment every entry starts with (``origin``: where its facts came from)."""
    return HEADER.format(name_en=name_en, name_zh=name_zh, origin=origin, styles=", ".join(styles))


def split_header(document: str) -> tuple[str, str]:
    """(the leading comment block with its blank line, the rest)."""
    lines = document.splitlines(keepends=True)
    n = 0
    while n < len(lines) and (lines[n].startswith("#") or not lines[n].strip()):
        n += 1
    return "".join(lines[:n]), "".join(lines[n:])


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    if key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        return key
    return _string(key)


def _number(value: float, *, coordinate: bool = False) -> str:
    if not math.isfinite(value):
        raise ValueError(f"{value} cannot be written to a catalogue entry")
    if coordinate and round(value, 4) == value:
        return f"{value:.4f}"
    return repr(value)


def value_text(value: Any, *, coordinate: bool = False) -> str:
    """One TOML value (inline: strings, booleans, numbers, lists, tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value, coordinate=coordinate)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(f"{_key(k)} = {value_text(v, coordinate=k in _COORDINATES)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        return "[\n" + "".join(f"    {value_text(v)},\n" for v in value) + "]"
    raise TypeError(f"{type(value).__name__} cannot be written to a catalogue entry")


def entry_text(raw: Mapping[str, Any], header: str) -> str:
    """The entry's file text: ``header``, the fields in ``FIELD_ORDER`` (others after
    them, in their order), then the tables."""
    order = {k: i for i, k in enumerate(FIELD_ORDER)}
    keys = sorted((k for k in raw if k not in TABLES), key=lambda k: order.get(k, len(order)))
    lines = [f"{_key(k)} = {value_text(raw[k])}\n" for k in keys]
    for table in TABLES:
        if table in raw:
            body = raw[table]
            if not isinstance(body, Mapping):
                raise TypeError(f"{table} must be a table")
            lines.append(f"\n[{table}]\n")
            lines.extend(f"{_key(k)} = {value_text(v)}\n" for k, v in body.items())
    if header and not header.endswith("\n\n"):
        header = header.rstrip("\n") + "\n\n"
    return header + "".join(lines)
