"""A space's use per local day: open minutes from its opening hours (none on a blackout
date, the skipped hour not counted), booked minutes of confirmed and checked-in
bookings inside them (a request or an offer only holds), the week's share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from world.bookings.check import Booking
from world.bookings.rules import Opening, SpaceRules
from world.bookings.usage import day_usage, share, week_usage

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = SpaceRules("1", "p", 8, opening=tuple(Opening(d, 9 * 60, 18 * 60) for d in range(5)))  # Mon-Fri 09-18


def b(n: int, start: str, end: str, state: str = "confirmed", tz: ZoneInfo = SHANGHAI) -> Booking:
    return Booking(n, "1", datetime.fromisoformat(start).replace(tzinfo=tz).astimezone(UTC),
                   datetime.fromisoformat(end).replace(tzinfo=tz).astimezone(UTC), "ana", 7, state)


def test_booked_minutes_count_only_inside_the_opening_hours_and_only_confirmed_or_checked_in() -> None:
    monday = date(2026, 3, 2)
    held = [b(1, "2026-03-02T08:00", "2026-03-02T10:00"),  # one hour of it before opening
            b(2, "2026-03-02T12:00", "2026-03-02T13:30", "checked_in"),
            b(3, "2026-03-02T15:00", "2026-03-02T16:00", "pending"),  # holds, is not use
            b(4, "2026-03-04T09:00", "2026-03-04T18:00")]
    day = day_usage(OFFICE, monday, held, SHANGHAI)
    assert (day.open_minutes, day.booked_minutes) == (540, 150)
    assert [x.id for x in day.bookings] == [1, 2, 3]
    week = week_usage(OFFICE, monday, held, SHANGHAI)
    assert [d.utilization for d in week][2] == 1.0
    assert week[5].open_minutes == 0 and week[5].utilization is None  # Saturday: closed
    assert share(week) == (150 + 540) / (5 * 540)


def test_a_blackout_day_has_no_open_time_and_the_skipped_hour_is_not_open_time() -> None:
    closed = SpaceRules("1", "p", 8, opening=OFFICE.opening, blackout=frozenset({date(2026, 3, 3)}))
    assert day_usage(closed, date(2026, 3, 3), [], SHANGHAI).open_minutes == 0
    always = SpaceRules("1", "p", 8)
    assert day_usage(always, date(2027, 3, 28), [], BERLIN).open_minutes == 23 * 60  # clocks go forward
    assert day_usage(always, date(2027, 10, 31), [], BERLIN).open_minutes == 25 * 60  # and back
    night = [b(1, "2027-03-27T22:00", "2027-03-28T04:00", tz=BERLIN)]  # across midnight and the change
    sat, sun = (day_usage(always, date(2027, 3, d), night, BERLIN) for d in (27, 28))
    assert (sat.booked_minutes, sun.booked_minutes) == (120, 180)
    assert [x.id for x in sat.bookings] == [1] and sun.bookings == ()
