"""Words of policy texts for search: Chinese segmented by jieba, English lowercased.

Neither SQLite's FTS5 tokenizers nor PostgreSQL's ``simple`` configuration split
Chinese into words, so the words are made here, when a version is written
(``index_words``: jieba's search mode, which also emits the shorter words inside long
ones, so 北京市 is found by 北京 too) and when a query comes in (``query_words``:
jieba's accurate mode, whose words the search mode emitted as well). The database then
holds space-separated words: FTS5's ``unicode61`` and ``to_tsvector('simple', ...)``
split them on the spaces.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"\w", re.UNICODE)
MAX_QUERY_WORDS = 12


def _clean(tokens: list[str]) -> list[str]:
    return [t.lower() for t in (tok.strip() for tok in tokens) if t and _WORD.search(t) and t != "_"]


def index_words(*texts: str) -> str:
    """The words to index for ``texts``, space-separated."""
    words: list[str] = []
    for text in texts:
        if text:
            words.extend(_clean(list(jieba.cut_for_search(text))))
    return " ".join(w.replace('"', "") for w in words)


@lru_cache(maxsize=4096)
def query_words(query: str) -> tuple[str, ...]:
    """The distinct words of a search query, in order (at most ``MAX_QUERY_WORDS``)."""
    seen = dict.fromkeys(w.replace('"', "") for w in _clean(list(jieba.cut(query.strip()))))
    return tuple(w for w in seen if w)[:MAX_QUERY_WORDS]
