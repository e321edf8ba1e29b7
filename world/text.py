"""Text from people: one cleaner for chat lines, booth text and display names.

Pure (``unicodedata`` only). Everything a person types and others see goes through
``clean_text`` (chat lines, booth texts, card fields) or ``clean_name`` (a display
name shown over an avatar: guest entry, ``register``, ``look``), so no one can put
invisible, direction-flipping or terminal-control characters in front of others.

What cleaning does, in order:

1. Unicode NFC (canonically equal text becomes the same code points; applied again at
   the end).
2. Line breaks (``\\r\\n``, ``\\r``, ``\\v``, ``\\f``, U+001C..U+001E, U+0085 NEL, U+2028,
   U+2029) become ``\\n`` in multi-line text and a space in single-line text.
3. Removed: the other C0/C1 control characters and DEL (a tab is kept in multi-line
   text, a space elsewhere); lone surrogates; bidi embeddings, overrides and isolates
   (U+202A..U+202E, U+2066..U+2069) and every other invisible format character
   (Unicode category Cf: zero-width space U+200B, word joiner U+2060, BOM U+FEFF, soft
   hyphen, tag characters, ...), except the marks that real scripts need: LRM/RLM/ALM
   (U+200E, U+200F, U+061C; multi-line text only, never in names), the Arabic signs
   that render visibly (U+0600..U+0605, U+06DD, U+070F, U+0890, U+0891, U+08E2, U+110BD,
   U+110CD), and the joiners ZWNJ/ZWJ (U+200C, U+200D) where they join two non-ASCII,
   non-space characters (emoji sequences, Indic and Persian spelling), never next to
   ASCII or a space, where they only serve to make look-alike names. Invisible fillers
   that pass for letters (Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the combining
   grapheme joiner U+034F) are removed; the braille blank U+2800 counts as a space.
4. At most ``MAX_MARKS`` (5) combining marks stay on one character (no "Zalgo" towers).
5. Single-line text: every run of whitespace becomes one space. Multi-line text:
   trailing whitespace of each line is removed and more than one empty line in a row
   becomes one. Both: leading and trailing whitespace is removed.

``clean_name`` then requires 1..``max_chars`` characters (code points, as the wire's
``str(n)`` limits count) and raises ``TextRuleError`` naming the field otherwise.
"""

from __future__ import annotations

import unicodedata

from world.field_error import FieldError
from world.protocol.constants import MAX_NAME_CHARS

__all__ = ["MAX_MARKS", "MAX_NAME_CHARS", "TextRuleError", "clean_name", "clean_text"]

MAX_MARKS = 5

_JOINERS = frozenset("\u200c\u200d")
_DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
_VISIBLE_FORMAT = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2\U000110bd\U000110cd")
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u034f")
_BLANKS = frozenset("\u2800")
_MARKS = frozenset(("Mn", "Me"))


class TextRuleError(FieldError):
    """Text breaks a rule after cleaning (empty, too long). ``field`` names the field
    (e.g. ``name``), ``problem`` says what is wrong, ``str(exc)`` is ``"field: problem"``;
    ``code`` is the ``error.code`` to answer with (``invalid``)."""

    code = "invalid"


def _joinable(c: str) -> bool:
    return c > "\x7f" and not c.isspace() and c not in _JOINERS


def _clean_line(line: str, multiline: bool) -> str:
    kept: list[str] = []
    marks = 0
    for c in line:
        if c in _FILLERS:
            continue
        if c in _BLANKS or (c == "\t" and not multiline):
            c = " "
        cat = unicodedata.category(c)
        if cat in _MARKS:
            marks += 1
            if marks > MAX_MARKS:
                continue
        else:
            marks = 0
        if c == "\t" or cat not in ("Cc", "Cf", "Cs"):
            kept.append(c)
        elif cat == "Cf" and (c in _JOINERS or c in _VISIBLE_FORMAT or (multiline and c in _DIRECTION_MARKS)):
            kept.append(c)
    if _JOINERS.intersection(kept):
        last = len(kept) - 1
        kept = [c for i, c in enumerate(kept)
                if c not in _JOINERS or (0 < i < last and _joinable(kept[i - 1]) and _joinable(kept[i + 1]))]
    return "".join(kept)


def clean_text(text: str, *, multiline: bool = True) -> str:
    """``text`` cleaned as the module docstring says; "" when nothing visible is left.
    Never raises."""
    # NFC first (it splits a few characters into base + mark, which the mark limit then
    # counts) and last (removing an invisible character can leave a pair that composes)
    lines = [_clean_line(line, multiline) for line in unicodedata.normalize("NFC", text).splitlines()]
    if not multiline:
        return unicodedata.normalize("NFC", " ".join(" ".join(lines).split()))
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return unicodedata.normalize("NFC", "\n".join(out).strip())


def clean_name(text: str, field: str = "name", max_chars: int = MAX_NAME_CHARS) -> str:
    """A display name: ``text`` cleaned as one line, with no direction marks either.
    Raises ``TextRuleError(field, ...)`` when nothing visible is left or it is longer
    than ``max_chars`` characters after cleaning."""
    name = clean_text(text, multiline=False)
    if not name:
        raise TextRuleError(field, "a name needs at least one visible character")
    if len(name) > max_chars:
        raise TextRuleError(field, f"is {len(name)} characters after cleaning; the limit is {max_chars}")
    return name
