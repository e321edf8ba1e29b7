"""How much a space is used: per local day, its open minutes and the minutes booked.

Pure: bookings and the zone's ``tzinfo`` come from the caller. Open minutes follow the
space's opening hours (none on a blackout date); booked minutes are the parts of the
bookings that count (``USED``: confirmed or checked in; a pending request or a waitlist
offer only holds the slot) that fall inside the opening hours of that day. Utilization
is booked / open (None on a closed day).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from world.bookings.check import Booking
from world.bookings.rules import SpaceRules
from world.bookings.slots import wall_clock

USED = ("confirmed", "checked_in")


@dataclass(frozen=True, slots=True)
class DayUsage:
    day: date
    open_minutes: int
    booked_minutes: int
    bookings: tuple[Booking, ...]  # every booking starting that local day, by start

    @property
    def utilization(self) -> float | None:
        """Booked share of the open time, 0..1 (None: closed all day)."""
        return None if self.open_minutes <= 0 else min(1.0, self.booked_minutes / self.open_minutes)


def _open(rules: SpaceRules, day: date, tz: tzinfo) -> list[tuple[datetime, datetime]]:
    if day in rules.blackout:
        return []
    out = []
    for o in rules.opening:
        if o.weekday != day.weekday():
            continue
        lo = wall_clock(day, o.start, tz) or wall_clock(day, o.start + 60, tz)
        hi = wall_clock(day, o.end, tz) or wall_clock(day, o.end + 60, tz)
        if lo is not None and hi is not None and hi > lo:
            out.append((lo, hi))
    return out


def day_usage(rules: SpaceRules, day: date, bookings: Iterable[Booking], tz: tzinfo) -> DayUsage:
    spans = _open(rules, day, tz)
    mine = sorted((b for b in bookings if b.start.astimezone(tz).date() == day), key=lambda b: (b.start, b.id))
    booked = 0.0
    for b in bookings:
        if b.state not in USED:
            continue
        for lo, hi in spans:
            overlap = (min(hi, b.end) - max(lo, b.start)) / timedelta(minutes=1)
            booked += max(0.0, overlap)
    open_minutes = sum(int((hi - lo) / timedelta(minutes=1)) for lo, hi in spans)
    return DayUsage(day, open_minutes, int(round(booked)), tuple(mine))


def week_usage(rules: SpaceRules, monday: date, bookings: Sequence[Booking], tz: tzinfo) -> list[DayUsage]:
    """The seven days from ``monday``."""
    return [day_usage(rules, monday + timedelta(days=i), bookings, tz) for i in range(7)]


def share(days: Sequence[DayUsage]) -> float | None:
    """Booked share of the open time over several days."""
    total = sum(d.open_minutes for d in days)
    return None if total <= 0 else min(1.0, sum(d.booked_minutes for d in days) / total)


# --- by local hour of the day ----------------------------------------------------------------
#
# A local hour is a wall-clock hour (10:00-11:00). On the day the clocks go forward one of
# them does not exist (its open time is 0); on the day they go back one happens twice (its
# open time is up to 120 minutes). Offsets and their changes fall on a 15-minute UTC grid
# in every zone in use, so a day's local hours are found by reading the local hour of
# each quarter of an hour, once per day for every space.

QUARTER = timedelta(minutes=15)
HOURS = 24


def hour_blocks(day: date, tz: tzinfo) -> list[tuple[datetime, datetime, int]]:
    """Local ``day`` as UTC blocks (start, end, local hour), in order."""
    lo = wall_clock(day, 0, tz) or wall_clock(day, 60, tz)
    hi = wall_clock(day + timedelta(days=1), 0, tz) or wall_clock(day + timedelta(days=1), 60, tz)
    assert lo is not None and hi is not None
    out: list[tuple[datetime, datetime, int]] = []
    t = lo
    while t < hi:
        hour = t.astimezone(tz).hour
        end = min(hi, t + QUARTER)
        if out and out[-1][2] == hour and out[-1][1] == t:
            out[-1] = (out[-1][0], end, hour)
        else:
            out.append((t, end, hour))
        t = end
    return out


def _spread(into: list[float], blocks: Sequence[tuple[datetime, datetime, int]], lo: datetime, hi: datetime) -> None:
    for b_lo, b_hi, hour in blocks:
        overlap = (min(hi, b_hi) - max(lo, b_lo)) / timedelta(minutes=1)
        if overlap > 0:
            into[hour] += overlap


@dataclass(frozen=True, slots=True)
class HourUsage:
    """Open and booked minutes in each local hour of the day (0..23), summed over
    spaces and days."""

    open_minutes: tuple[float, ...]
    booked_minutes: tuple[float, ...]

    def utilization(self, hour: int) -> float | None:
        o = self.open_minutes[hour]
        return None if o <= 0 else min(1.0, self.booked_minutes[hour] / o)


def hour_usage(spaces: Iterable[tuple[SpaceRules, Sequence[Booking]]], days: Sequence[date], tz: tzinfo) -> HourUsage:
    """Each local hour's open minutes and the minutes booked in them (``USED``
    bookings, inside the opening hours, as ``day_usage`` counts them) over ``spaces``
    (each with its bookings) and ``days``."""
    opened = [0.0] * HOURS
    booked = [0.0] * HOURS
    grids = {d: hour_blocks(d, tz) for d in days}
    for rules, bookings in spaces:
        used = [b for b in bookings if b.state in USED]
        for d in days:
            for lo, hi in _open(rules, d, tz):
                _spread(opened, grids[d], lo, hi)
                for b in used:
                    if b.start < hi and lo < b.end:
                        _spread(booked, grids[d], max(lo, b.start), min(hi, b.end))
    return HourUsage(tuple(opened), tuple(booked))
