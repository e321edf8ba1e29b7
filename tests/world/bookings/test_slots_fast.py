"""The free-slot search's fast path gives exactly the starts the rule engine allows.

``free_starts`` (the day's candidates swept against the occupied ranges, sorted once)
must equal ``reference_free_starts`` (every candidate put to ``time_problems``, or to
``problems`` for a given booker) for any rules, bookings, clock and day -- in
Asia/Shanghai and in Europe/Berlin, on the days the clocks change, a month end and a
leap day. Checked to fail, each in three runs out of three: the buffer before a booking
left out of the "taken" search, ``bisect_right`` for ``bisect_left``, the running
latest end replaced by each range's own end, the lead time, the horizon (in either
branch), a blackout date or the booker's rules (people, audience, quota) ignored, the
covering opening taken in time order instead of the rules' order, and a booking that
ends the next day (23 hours on the day the clocks go forward) read as ending at
midnight. About a quarter of the generated cases have free starts, two thirds of those
with holding bookings around them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from world.bookings.check import HOLDING, Booking, Request
from world.bookings.rules import (
    MAX_BUFFER_MINUTES,
    MAX_OCCUPIED_MINUTES,
    Opening,
    RuleError,
    SpaceRules,
)
from world.bookings.slots import free_starts, reference_free_starts, wall_clock

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")
SPACE, PARK = "798-art-zone/hall-1", "798-art-zone"
DAYS = (date(2027, 3, 28),  # Berlin: 02:00 -> 03:00, a 23-hour day
        date(2027, 10, 31),  # Berlin: 03:00 -> 02:00, a 25-hour day
        date(2027, 3, 27), date(2027, 3, 29), date(2027, 1, 31), date(2027, 2, 28), date(2028, 2, 29),
        date(2028, 3, 1), date(2027, 12, 31), date(2027, 6, 15))
STATES = (*sorted(HOLDING), "cancelled", "released", "expired", "declined")


@st.composite
def openings(draw: st.DrawFn, weekday: int) -> tuple[Opening, ...]:
    kind = draw(st.sampled_from(("always", "always", "office", "random", "random", "random")))
    if kind == "always":
        return tuple(Opening(d, 0, 24 * 60) for d in range(7))
    if kind == "office":
        return tuple(Opening(d, 9 * 60, 18 * 60) for d in range(5))
    out = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 9)):  # mostly on the quarter hours, sometimes at any minute
            start = draw(st.integers(0, 95)) * 15
            end = min(24 * 60, start + draw(st.integers(1, 64)) * 15)
        else:
            start = draw(st.integers(0, 24 * 60 - 5))
            end = draw(st.integers(start + 1, 24 * 60))
        out.append(Opening(draw(st.sampled_from((weekday, weekday, 0, 6))), start, end))  # overlaps allowed
    return tuple(out)


@st.composite
def rules(draw: st.DrawFn, weekday: int) -> SpaceRules:
    slot = draw(st.sampled_from((None, None, None, None, None, 15, 30, 60, 30, 15, 45, 90, 7)))
    lo = draw(st.sampled_from((5, 5, 15, 30, 60)))
    return SpaceRules(
        SPACE, PARK, capacity=draw(st.integers(1, 20)), slot_minutes=slot,
        step_minutes=draw(st.sampled_from((15, 15, 15, 5, 1, 10, 30, 60))), min_minutes=lo,
        max_minutes=draw(st.sampled_from((24 * 60, 24 * 60, 240, 120, lo))),
        lead_minutes=draw(st.sampled_from((0, 0, 30, 120, 1500))), horizon_days=draw(st.sampled_from((1, 2, 3, 60, 7, 40))),
        buffer_before=draw(st.sampled_from((0, 0, 5, 15, 30, 61))),
        buffer_after=draw(st.sampled_from((0, 0, 10, 15, 45))),
        weekly_quota_minutes=draw(st.sampled_from((None, None, 600, 240, 60))),
        max_no_shows=draw(st.sampled_from((None, None, 0, 2))),
        audience=draw(st.sampled_from(("park", "zone", "public"))),
        opening=draw(openings(weekday)), blackout=frozenset(draw(st.lists(st.sampled_from(DAYS), max_size=1))))


@st.composite
def cases(draw: st.DrawFn) -> tuple[SpaceRules, date, timedelta, list[Booking], datetime, ZoneInfo, Request | None]:
    tz = draw(st.sampled_from((SHANGHAI, BERLIN)))
    day = draw(st.sampled_from(DAYS))
    midnight = wall_clock(day, 0, tz)
    assert midnight is not None
    space = draw(rules(day.weekday()))
    # the clock: mostly a few days before, sometimes long before, on the day (partly past) or after
    now = midnight + timedelta(minutes=draw(st.one_of(st.integers(-3 * 24 * 60, 0), st.integers(-3 * 24 * 60, 0),
                                                      st.integers(-40 * 24 * 60, 2 * 24 * 60))))
    duration = timedelta(minutes=draw(st.sampled_from((60, 60, 30, 90, 120, 15, 45, 240, 7, 0, -30, 1380, 1425, 60, 30, 120, 60, 30, 120, 60))),
                         seconds=draw(st.sampled_from((0,) * 9 + (30,))))
    booked = []
    for n in range(draw(st.integers(0, 12))):
        start = midnight + timedelta(minutes=draw(st.integers(-4 * 60, 28 * 60)))
        length = timedelta(minutes=draw(st.sampled_from((60, 30, 120, 90, 0, 1, 7, 300))))
        booked.append(Booking(n + 1, draw(st.sampled_from((SPACE, SPACE, SPACE, "other"))), start, start + length,
                              f"u{n % 3}", draw(st.sampled_from((None, 7, 8))), draw(st.sampled_from(STATES))))
    who = None
    if draw(st.booleans()):
        who = Request(draw(st.sampled_from((SPACE, SPACE, SPACE, SPACE, "other"))), midnight, midnight,
                      draw(st.sampled_from((1, 1, 4, 0, 25))), "ann", draw(st.sampled_from((7, 7, 8, None))),
                      draw(st.sampled_from((PARK, PARK, "751-d-park", ""))), draw(st.sampled_from((0, 0, 1, 3))))
    return space, day, duration, booked, now, tz, who


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_fast_path_gives_exactly_the_starts_the_rules_allow(case: tuple) -> None:  # type: ignore[type-arg]
    space, day, duration, booked, now, tz, who = case
    assert free_starts(space, day, duration, booked, now, tz, who) == \
        reference_free_starts(space, day, duration, booked, now, tz, who)


def test_the_berlin_days_the_clocks_change() -> None:
    """The skipped hour has no starts; the repeated hour has one set (the first); a
    booking over the change is taken by its real length."""
    always = SpaceRules(SPACE, PARK, capacity=5, horizon_days=365, min_minutes=60, max_minutes=60,
                        audience="public")
    now = datetime(2027, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    spring = free_starts(always, date(2027, 3, 28), hour, [], now, BERLIN)
    locals_ = [s.astimezone(BERLIN).strftime("%H:%M") for s in spring]
    assert "02:00" not in locals_ and "02:30" not in locals_ and "01:45" in locals_ and "03:00" in locals_
    autumn = free_starts(always, date(2027, 10, 31), hour, [], now, BERLIN)
    assert len(autumn) == len(set(autumn)) and len(spring) < len(autumn)
    busy = Booking(1, SPACE, datetime(2027, 3, 28, 0, 30, tzinfo=UTC), datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
                   "u", None)  # 01:30-03:30 Berlin wall clock, one hour long
    taken = set(spring) - set(free_starts(always, date(2027, 3, 28), hour, [busy], now, BERLIN))
    assert sorted(s.astimezone(BERLIN).strftime("%H:%M") for s in taken) == \
        ["00:45", "01:00", "01:15", "01:30", "01:45", "03:00", "03:15"]


def test_a_long_booking_on_the_short_day_must_end_by_midnight() -> None:
    """23 hours from 00:00 on the day the clocks go forward end at the next midnight; from
    00:15 on they would end the next day: closed (both paths)."""
    long_day = SpaceRules(SPACE, PARK, capacity=5, horizon_days=365, min_minutes=60, max_minutes=24 * 60,
                          audience="public")
    now = datetime(2027, 1, 1, tzinfo=UTC)
    args = (long_day, date(2027, 3, 28), timedelta(hours=23), [], now, BERLIN)
    assert free_starts(*args) == reference_free_starts(*args) == [datetime(2027, 3, 27, 23, 0, tzinfo=UTC)]


def test_buffers_are_bounded_so_an_occupied_range_is_too() -> None:
    """The database reads a day's bookings between two bounds (MAX_OCCUPIED_MINUTES):
    a buffer of more than a day is refused by the rules, naming it."""
    with pytest.raises(RuleError) as refused:
        SpaceRules(SPACE, PARK, capacity=5, buffer_after=MAX_BUFFER_MINUTES + 1).check()
    assert refused.value.field == "buffer_after"
    assert SpaceRules(SPACE, PARK, capacity=5, buffer_before=MAX_BUFFER_MINUTES).check()
    assert MAX_OCCUPIED_MINUTES == 25 * 60 + 2 * MAX_BUFFER_MINUTES
