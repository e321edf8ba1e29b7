"""Weekly series: the same local wall-clock time every week, across daylight saving
changes; each occurrence is checked on its own, and clashes are reported, never
silently dropped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

from world.bookings.check import Booking, Problem, Request, problems
from world.bookings.rules import SpaceRules
from world.bookings.slots import wall_clock

MAX_OCCURRENCES = 52


@dataclass(frozen=True, slots=True)
class Occurrence:
    day: date  # local
    request: Request | None  # None: the local time does not exist that day
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.request is not None and not self.problems


def weekly(rules: SpaceRules, first: Request, count: int, existing: Iterable[Booking], now: datetime,
           tz: tzinfo) -> list[Occurrence]:
    """``count`` weekly occurrences of ``first`` at its local wall-clock time. Each one is
    checked against the existing bookings and the occurrences before it (a series may
    not use up its own quota unnoticed)."""
    if not 1 <= count <= MAX_OCCURRENCES:
        raise ValueError(f"count: a series has 1..{MAX_OCCURRENCES} occurrences")
    existing = list(existing)
    local = first.start.astimezone(tz)
    day0, minute = local.date(), local.hour * 60 + local.minute
    duration = first.end - first.start
    planned: list[Booking] = []
    out: list[Occurrence] = []
    for week in range(count):
        day = day0 + timedelta(weeks=week)
        start = wall_clock(day, minute, tz)
        if start is None:
            out.append(Occurrence(day, None, (Problem("no_such_time", "start",
                                                      f"{day.isoformat()} has no {minute // 60:02d}:{minute % 60:02d} "
                                                      "(the clocks go forward)"),)))
            continue
        req = replace(first, start=start, end=start + duration)
        found = tuple(problems(rules, req, [*existing, *planned], now, tz))
        out.append(Occurrence(day, req, found))
        if not found:
            planned.append(Booking(-1 - week, rules.space_id, req.start, req.end, req.booker, req.enterprise,
                                   "confirmed", req.people))
    return out
