"""The keyword filter for an event's questions and its park chat, in Chinese and English.
Pure (``unicodedata`` only).

Text and words are compared after the same normalisation: Unicode NFKC (full-width
``ＢＡＤ`` becomes ``BAD``, the ideographic space a space, compatibility forms their
plain letters), case folded (``BAD`` and ``bad`` and ``ß``/``ss`` alike), invisible
format characters removed (a zero-width space inside a word does not hide it) and runs
of whitespace made one space. A word of Latin letters or digits matches as a whole word
(``ass`` is not found in ``class``); any other word (Chinese has no spaces between
words) matches anywhere. ``Filter.find`` answers with the word as it was listed, so the
moderator is told which word held a message back.

Not covered: letters spelt with separators between them (``b.a.d``), look-alike letters
of other scripts, traditional/simplified variants. A filter only holds a question for a
moderator or keeps a chat line out of the park; people decide the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["DEFAULT_WORDS", "MAX_WORD_CHARS", "MAX_WORDS", "Filter", "FilterError", "normalise"]

# a starter list the service always applies; each event adds its own words
DEFAULT_WORDS = ("傻逼", "操你妈", "去死", "fuck", "fucking", "shit", "cunt", "bastard", "motherfucker")
MAX_WORDS = 500
MAX_WORD_CHARS = 40
_SPACES = re.compile(r"\s+")


class FilterError(ValueError):
    """A word list that cannot be used (``field`` is ``words``)."""

    field = "words"


def normalise(text: str) -> str:
    """``text`` as the filter compares it: NFKC, case folded, invisible format characters
    removed, whitespace runs one space, stripped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return _SPACES.sub(" ", visible).strip()


def _latin(word: str) -> bool:
    return all(c.isascii() and (c.isalnum() or c in " '-") for c in word)


@dataclass(frozen=True, slots=True)
class Filter:
    """A compiled word list (``Filter.of``)."""

    words: tuple[str, ...]  # as listed, in order
    _whole: re.Pattern[str] | None
    _anywhere: tuple[tuple[str, str], ...]  # (normalised, as listed)
    _by_norm: dict[str, str]

    @classmethod
    def of(cls, words: Iterable[str]) -> Filter:
        listed: list[str] = []
        norms: dict[str, str] = {}
        for word in words:
            if not isinstance(word, str):
                raise FilterError(f"a word is text, not {type(word).__name__}")
            n = normalise(word)
            if not n:
                continue
            if len(n) > MAX_WORD_CHARS:
                raise FilterError(f"{word[:MAX_WORD_CHARS]}...: a word has at most {MAX_WORD_CHARS} characters")
            if n not in norms:
                norms[n] = word.strip()
                listed.append(word.strip())
        if len(listed) > MAX_WORDS:
            raise FilterError(f"at most {MAX_WORDS} words ({len(listed)} given)")
        latin = sorted((n for n in norms if _latin(n)), key=len, reverse=True)
        whole = (re.compile(r"(?<![0-9a-z])(" + "|".join(re.escape(n) for n in latin) + r")(?![0-9a-z])")
                 if latin else None)
        anywhere = tuple((n, norms[n]) for n in norms if not _latin(n))
        return cls(tuple(listed), whole, anywhere, norms)

    def find(self, text: str) -> str | None:
        """The first listed word ``text`` contains (as it was listed), or None."""
        n = normalise(text)
        hits: list[tuple[int, str]] = []
        if self._whole is not None:
            m = self._whole.search(n)
            if m is not None:
                hits.append((m.start(), self._by_norm[m.group(1)]))
        for norm, word in self._anywhere:
            at = n.find(norm)
            if at >= 0:
                hits.append((at, word))
        return min(hits)[1] if hits else None

    def __add__(self, other: Filter) -> Filter:
        return Filter.of((*self.words, *other.words))
