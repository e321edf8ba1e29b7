"""Free times: a day's free starts for a duration, and the nearest alternatives to a
time that is taken.

``free_starts`` is the fast path the search runs for every space of a park or of the
zone; ``reference_free_starts`` is the plain definition (every candidate start put to
``check.time_problems``, or to ``check.problems`` for a given booker) and the two are
property-tested to give exactly the same starts (tests/world/bookings/test_slots_fast.py).
The fast path does the same checks in another order: what cannot change within a day
(the duration's limits and grid, a blackout date, the booker's people, audience,
no-shows and weekly quota -- a day lies in one week) once per call; the local
wall-clock arithmetic of a day's candidate starts once per day, grid and time zone
(memoised: it is the same for every space with the same opening hours); and the
space's holding bookings as occupied ranges sorted once, so that "taken" is a binary
search per candidate instead of a pass over every booking.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from world.bookings.check import (
    HOLDING,
    Booking,
    Request,
    booker_problems,
    local_minutes,
    occupied,
    problems,
    time_problems,
)
from world.bookings.rules import Opening, SpaceRules

MINUTE = timedelta(minutes=1)
DAY = 24 * 60


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


@lru_cache(maxsize=8192)
def _grid(day: date, first: int, last: int, step: int, duration: timedelta,
          tz: tzinfo) -> tuple[tuple[int, datetime, datetime, int | None], ...]:
    """A run of candidate starts on local ``day``: (local minute, UTC start, UTC end,
    the end's local minute on that day -- 1440 for the next midnight, None when it ends
    on another day). Starts that do not exist locally are left out."""
    out: list[tuple[int, datetime, datetime, int | None]] = []
    minute = first
    length = duration / MINUTE
    while minute + length <= last:
        start = wall_clock(day, minute, tz)
        if start is not None:
            end = start + duration
            end_day, e = local_minutes(end, tz)
            upto: int | None = e
            if end_day != day:
                upto = DAY if end_day == day + timedelta(days=1) and e == 0 else None
            out.append((minute, start, end, upto))
        minute += step
    return tuple(out)


@lru_cache(maxsize=8192)
def _open_starts(day: date, duration: timedelta, tz: tzinfo, opening: tuple[Opening, ...], slot: int | None,
                 step: int) -> tuple[tuple[datetime, datetime], ...]:
    """(start, end) of each candidate of the day that the opening hours and the grid
    allow (``check._opening_problem`` and the free grid's ``off_grid``), in the order
    ``reference_free_starts`` walks them. The same for every space with these hours:
    memoised."""
    weekday = day.weekday()
    mine = [o for o in opening if o.weekday == weekday]  # the rules' order: the first that covers decides
    out: list[tuple[datetime, datetime]] = []
    for o in sorted(mine, key=lambda o: o.start):
        for s, start, end, e in _grid(day, o.start, o.end, slot or step, duration, tz):
            if e is None or (slot is None and (s % step or start.second or end.second)):
                continue
            for cover in mine:
                if cover.start <= s and e <= cover.end:
                    if slot is None or not ((s - cover.start) % slot or (e - s) % slot):
                        out.append((start, end))
                    break
    return tuple(out)


def free_starts(rules: SpaceRules, day: date, duration: timedelta, existing: Iterable[Booking],
                now: datetime, tz: tzinfo, who: Request | None = None) -> list[datetime]:
    """Every start on ``day`` (local) at which a booking of ``duration`` fits, in order
    (whoever books it; or, given ``who``, for that booker: people, audience, no-shows
    and quota too). Exactly ``reference_free_starts``, faster."""
    minutes = duration / MINUTE
    if duration <= timedelta(0) or minutes < rules.min_minutes or minutes > rules.max_minutes:
        return []
    if rules.slot_minutes is None and minutes % rules.step_minutes:
        return []
    if day in rules.blackout:
        return []
    existing = list(existing)
    if who is not None and who.space_id != rules.space_id:
        return []
    earliest = now + timedelta(minutes=rules.lead_minutes)
    latest = now + timedelta(days=rules.horizon_days)
    candidates = _open_starts(day, duration, tz, rules.opening, rules.slot_minutes, rules.step_minutes)
    held = sorted(occupied(rules, b.start, b.end) for b in existing
                  if b.state in HOLDING and b.space_id == rules.space_id)
    if not held:
        out = [start for start, _ in candidates if earliest <= start <= latest]
    else:
        before, after = rules.before, rules.after
        lows = [lo for lo, _ in held]
        reach: list[datetime] = []  # the latest end among the ranges up to each one
        for _, hi in held:
            reach.append(hi if not reach or hi > reach[-1] else reach[-1])
        out = []
        for start, end in candidates:
            if start < earliest or start > latest:
                continue
            k = bisect_left(lows, end + after)  # the ranges that begin before this one's occupied end
            if k and reach[k - 1] > start - before:  # ... and one of them ends after its occupied start
                continue
            out.append(start)
    if who is not None and out:  # the same for every start of the day: asked once
        if booker_problems(rules, replace(who, start=out[0], end=out[0] + duration), existing, tz):
            return []
    return out


def reference_free_starts(rules: SpaceRules, day: date, duration: timedelta, existing: Iterable[Booking],
                          now: datetime, tz: tzinfo, who: Request | None = None) -> list[datetime]:
    """The definition ``free_starts`` must equal: each of the day's candidate starts
    (every ``slot_minutes`` or ``step_minutes`` from each opening's start) put to every
    rule, ``time_problems`` (whoever books) or ``problems`` (for ``who``)."""
    existing = list(existing)
    step = rules.slot_minutes or rules.step_minutes
    out: list[datetime] = []
    for o in sorted((o for o in rules.opening if o.weekday == day.weekday()), key=lambda o: o.start):
        minute = o.start
        while minute + duration / MINUTE <= o.end:
            start = wall_clock(day, minute, tz)
            if start is not None:
                if who is None:
                    found = time_problems(rules, start, start + duration, existing, now, tz)
                else:
                    found = problems(rules, Request(who.space_id, start, start + duration, who.people, who.booker,
                                                    who.enterprise, who.enterprise_park, who.no_shows),
                                     existing, now, tz)
                if not found:
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
