"""A park's spaces over a day or a week: each space's bookings per local day and how
much of the open time was booked, by space and by local hour of the day.

The numbers are ``world.bookings.usage`` (pure): open minutes from each space's opening
hours (none on a blackout date; a day with the clocks changing is 23 or 25 hours
long), booked minutes from the bookings that count (confirmed or checked in) inside
them. The park office's calendar (``server.web.booking_calendar``) shows them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from server.bookings.spec import rules_of
from server.db.bookings import HOLDING, BookingRow
from server.db.spaces import Space
from world.bookings.check import Booking
from world.bookings.rules import SpaceRules
from world.bookings.slots import wall_clock
from world.bookings.usage import DayUsage, HourUsage, day_usage, hour_usage, share

log = logging.getLogger("cloudpark.bookings")


@dataclass(frozen=True, slots=True)
class SpaceDays:
    space: Space
    rules: SpaceRules | None  # None: its stored rules make no sense (left out of the numbers)
    days: tuple[DayUsage, ...]  # one per day shown; bookings: the holding ones starting that day
    rows: tuple[BookingRow, ...]  # its holding bookings in the period, by start

    @property
    def open_minutes(self) -> int:
        return sum(d.open_minutes for d in self.days)

    @property
    def booked_minutes(self) -> int:
        return sum(d.booked_minutes for d in self.days)

    @property
    def utilization(self) -> float | None:
        return share(self.days)


@dataclass(frozen=True, slots=True)
class ParkCalendar:
    park_id: str
    days: tuple[date, ...]
    spaces: tuple[SpaceDays, ...]
    hours: HourUsage

    @property
    def utilization(self) -> float | None:
        """The park's booked share of all its spaces' open time in the period."""
        return share([d for s in self.spaces for d in s.days])


def _pure(r: BookingRow) -> Booking:
    return Booking(r.id, str(r.space_id), datetime.fromtimestamp(r.start, UTC), datetime.fromtimestamp(r.end, UTC),
                   r.for_user, r.org_id, r.state, r.people)


def _midnight(day: date, tz: tzinfo) -> float:
    moment = wall_clock(day, 0, tz) or wall_clock(day, 60, tz)
    assert moment is not None
    return moment.timestamp()


async def park_calendar(store: Any, tz: tzinfo, park_id: str, first: date, count: int) -> ParkCalendar:
    """The park's spaces (retired ones too: their past bookings count) over ``count``
    local days from ``first``."""
    days = tuple(first + timedelta(days=i) for i in range(count))
    lo, hi = _midnight(first, tz), _midnight(first + timedelta(days=count), tz)
    spaces = await store.spaces.find(park_id=park_id, retired=True)
    by_space: dict[int, list[BookingRow]] = {s.id: [] for s in spaces}
    for r in await store.bookings.of_park(park_id, lo, hi):  # by start
        if r.state in HOLDING and r.space_id in by_space:
            by_space[r.space_id].append(r)
    shown: list[SpaceDays] = []
    counted: list[tuple[SpaceRules, list[Booking]]] = []
    for space in spaces:
        rows = by_space[space.id]
        pure = [_pure(r) for r in rows]
        try:
            rules: SpaceRules | None = rules_of(space)
        except ValueError:
            log.warning("space %s has bad rules; left out of the utilization", space.id)
            rules = None
        if rules is None:
            usage = tuple(DayUsage(d, 0, 0, tuple(b for b in pure if b.start.astimezone(tz).date() == d))
                          for d in days)
        else:
            usage = tuple(day_usage(rules, d, pure, tz) for d in days)
            counted.append((rules, pure))
        shown.append(SpaceDays(space, rules, usage, tuple(rows)))
    return ParkCalendar(park_id, days, tuple(shown), hour_usage(counted, days, tz))
