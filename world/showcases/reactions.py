"""Reactions to a showcase (applause, cheer, ...), counted per second.

A ``Tally`` takes each reaction as it comes (who, kind, when) and closes every second
that has ended into one ``Counts`` record: how many of each kind. A person counts at
most ``per_second`` reactions in one second, so a flood counts as ``per_second``; what
is over is refused (``add`` says how many counted). Unknown kinds raise
``ReactionError`` naming the field. ``total`` sums the records of several tallies (one
per hall, or per process) for the same second: what everyone is shown once a second.
Pure: times are passed in (seconds; a second is ``floor(now)``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

KINDS = ("applause", "cheer", "heart", "laugh", "wow")
PER_SECOND = 5  # reactions one person may count in one second


class ReactionError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        self.field = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


@dataclass(frozen=True, slots=True)
class Counts:
    """The reactions of one second (``second``: its start, epoch seconds): kind -> count,
    kinds with none left out."""

    second: int
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ReactionError("kind", f"unknown reaction {kind[:20]!r}; use one of {', '.join(KINDS)}")
    return kind


@dataclass
class Tally:
    per_second: int = PER_SECOND
    _second: int | None = None  # the second being counted
    _counts: Counter[str] = field(default_factory=Counter)
    _by_person: Counter[Hashable] = field(default_factory=Counter)
    refused: int = 0  # reactions over a person's cap, since the start

    def __post_init__(self) -> None:
        if self.per_second < 1:
            raise ReactionError("per_second", f"must be at least 1 (got {self.per_second})")

    def add(self, who: Hashable, kind: str, now: float, n: int = 1) -> tuple[int, list[Counts]]:
        """Count ``n`` reactions of ``kind`` by ``who`` at ``now``: how many counted (the
        rest were over the cap), and the records of seconds that ended before ``now``."""
        check_kind(kind)
        if n < 1:
            raise ReactionError("n", f"must be at least 1 (got {n})")
        closed = self.close(now)
        second = math.floor(now)
        if self._second is None:
            self._second = second
        room = self.per_second - self._by_person[who]
        counted = max(0, min(n, room))
        self.refused += n - counted
        if counted:
            self._by_person[who] += counted
            self._counts[kind] += counted
        return counted, closed

    @property
    def idle(self) -> bool:
        """Nothing counted since the last record."""
        return self._second is None

    def close(self, now: float) -> list[Counts]:
        """The record of the second being counted if it ended before ``now`` (none for a
        second nobody reacted in)."""
        second = math.floor(now)
        if self._second is None or self._second >= second:
            return []
        done = Counts(self._second, dict(sorted(self._counts.items()))) if self._counts else None
        self._second, self._counts, self._by_person = None, Counter(), Counter()
        return [done] if done is not None else []


def total(records: Iterable[Counts]) -> list[Counts]:
    """Records of the same second summed, one per second, oldest first."""
    sums: dict[int, Counter[str]] = {}
    for record in records:
        sums.setdefault(record.second, Counter()).update(record.counts)
    return [Counts(s, dict(sorted((k, v) for k, v in c.items() if v))) for s, c in sorted(sums.items())]
