"""Free times: a day's free starts for a duration, and the nearest alternatives to a
time that is taken."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from world.bookings.check import Booking, time_problems
from world.bookings.rules import SpaceRules


def wall_clock(day: date, minute: int, tz: tzinfo) -> datetime | None:
    """The UTC instant of local ``day`` at ``minute`` after midnight, or None when that
    local time does not exist (the hour skipped when daylight saving time begins)."""
    if minute >= 24 * 60:
        day, minute = day + timedelta(days=1), minute - 24 * 60
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    instant = local.astimezone(UTC)
    back = instant.astimezone(tz)
    if (back.date(), back.hour, back.minute) != (day, minute // 60, minute % 60):
        return None
    return instant


def free_starts(rules: SpaceRules, day: date, duration: timedelta, existing: Iterable[Booking],
                now: datetime, tz: tzinfo) -> list[datetime]:
    """Every start on ``day`` (local) at which a booking of ``duration`` fits, in order."""
    existing = list(existing)
    step = rules.slot_minutes or rules.step_minutes
    out: list[datetime] = []
    for o in sorted((o for o in rules.opening if o.weekday == day.weekday()), key=lambda o: o.start):
        minute = o.start
        while minute + duration / timedelta(minutes=1) <= o.end:
            start = wall_clock(day, minute, tz)
            if start is not None and not time_problems(rules, start, start + duration, existing, now, tz):
                out.append(start)
            minute += step
    return out


def alternatives(rules: SpaceRules, start: datetime, end: datetime, existing: Iterable[Booking],
                 now: datetime, tz: tzinfo, count: int = 3, days: int = 7) -> list[datetime]:
    """The free starts nearest to ``start`` (same duration), looking ``days`` days on."""
    existing = list(existing)
    duration = end - start
    first = start.astimezone(tz).date()
    found: list[datetime] = []
    for offset in range(-1, days):
        found += free_starts(rules, first + timedelta(days=offset), duration, existing, now, tz)
    found.sort(key=lambda s: (abs((s - start).total_seconds()), s))
    return found[:count]
