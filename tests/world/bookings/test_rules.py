"""Booking rules: each refusal has its reason; times are right across DST, month ends
and a leap day (Asia/Shanghai and Europe/Berlin)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from world.bookings.check import Booking, Request, problems, quota_used, week_of
from world.bookings.recurring import weekly
from world.bookings.rules import Opening, RuleError, SpaceRules
from world.bookings.slots import alternatives, free_starts, wall_clock

SHANGHAI, BERLIN = ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")
OFFICE_HOURS = tuple(Opening(d, 9 * 60, 18 * 60) for d in range(5))
ROOM = SpaceRules("798-art-zone/meeting-1", "798-art-zone", capacity=8, opening=OFFICE_HOURS, buffer_after=10,
                  weekly_quota_minutes=240, lead_minutes=30, horizon_days=30).check()
NOW = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)  # a Monday, 08:00 in Shanghai


def at(tz: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=tz).astimezone(UTC)


def req(start: datetime, minutes: int = 60, people: int = 4, enterprise: int | None = 7,
        park: str = "798-art-zone", booker: str = "ann") -> Request:
    return Request(ROOM.space_id, start, start + timedelta(minutes=minutes), people, booker, enterprise, park)


def codes(found: list) -> set[str]:  # type: ignore[type-arg]
    return {p.code for p in found}


def test_a_request_within_the_rules_is_allowed() -> None:
    assert problems(ROOM, req(at(SHANGHAI, 2027, 3, 2, 10, 0)), [], NOW, SHANGHAI) == []


@pytest.mark.parametrize(("request_", "code", "field"), [
    (req(at(SHANGHAI, 2027, 2, 26, 10, 0)), "past", "start"),
    (req(at(SHANGHAI, 2027, 3, 1, 8, 15)), "lead_time", "start"),
    (req(at(SHANGHAI, 2027, 4, 20, 10, 0)), "beyond_horizon", "start"),
    (req(at(SHANGHAI, 2027, 3, 2, 10, 0), minutes=0), "bad_range", "end"),
    (req(at(SHANGHAI, 2027, 3, 2, 10, 0), minutes=-30), "bad_range", "end"),
    (req(at(SHANGHAI, 2027, 3, 2, 10, 0), minutes=15), "too_short", "end"),
    (req(at(SHANGHAI, 2027, 3, 2, 10, 0), minutes=300), "too_long", "end"),
    (req(at(SHANGHAI, 2027, 3, 2, 10, 7)), "off_grid", "start"),
    (req(at(SHANGHAI, 2027, 3, 2, 17, 30)), "closed", "start"),
    (req(at(SHANGHAI, 2027, 3, 6, 10, 0)), "closed", "start"),  # a Saturday
    (req(at(SHANGHAI, 2027, 3, 2, 10, 0), people=9), "capacity", "people"),
    (req(at(SHANGHAI, 2027, 3, 2, 10, 0), people=0), "people", "people"),
    (req(at(SHANGHAI, 2027, 3, 2, 10, 0), park="751-d-park"), "audience", "space"),
])
def test_each_broken_rule_is_refused_with_its_reason(request_: Request, code: str, field: str) -> None:
    found = problems(ROOM, request_, [], NOW, SHANGHAI)
    assert code in codes(found), found
    assert all(p.message for p in found)
    assert next(p for p in found if p.code == code).field == field


def test_buffers_keep_the_next_booking_away_and_the_taken_time_offers_alternatives() -> None:
    ten = at(SHANGHAI, 2027, 3, 2, 10, 0)
    held = [Booking(1, ROOM.space_id, ten, ten + timedelta(hours=1), "bob", 8)]
    assert "taken" in codes(problems(ROOM, req(ten + timedelta(minutes=30)), held, NOW, SHANGHAI))
    assert "taken" in codes(problems(ROOM, req(ten + timedelta(minutes=60)), held, NOW, SHANGHAI))  # the 10 min buffer
    assert problems(ROOM, req(ten + timedelta(minutes=75)), held, NOW, SHANGHAI) == []
    cancelled = [Booking(1, ROOM.space_id, ten, ten + timedelta(hours=1), "bob", 8, state="cancelled")]
    assert problems(ROOM, req(ten), cancelled, NOW, SHANGHAI) == []
    near = alternatives(ROOM, ten, ten + timedelta(hours=1), held, NOW, SHANGHAI)
    assert near[0] in (ten - timedelta(minutes=75), ten + timedelta(minutes=75))  # closest free, buffers kept
    for start in near:
        assert problems(ROOM, req(start), held, NOW, SHANGHAI) == []


def test_the_weekly_quota_counts_the_enterprises_own_bookings_monday_to_sunday() -> None:
    mon = at(SHANGHAI, 2027, 3, 1, 10, 0)
    held = [Booking(1, ROOM.space_id, mon, mon + timedelta(hours=3), "bob", 7),
            Booking(2, ROOM.space_id, mon + timedelta(days=1), mon + timedelta(days=1, hours=2), "eve", 9)]
    assert quota_used(ROOM, 7, week_of(date(2027, 3, 3)), held, SHANGHAI) == 180
    over = problems(ROOM, req(at(SHANGHAI, 2027, 3, 3, 10, 0), minutes=90), held, NOW, SHANGHAI)
    assert codes(over) == {"quota"} and "60 of its 240 minutes" in over[0].message
    assert problems(ROOM, req(at(SHANGHAI, 2027, 3, 3, 10, 0), minutes=60), held, NOW, SHANGHAI) == []
    next_week = at(SHANGHAI, 2027, 3, 8, 10, 0)
    assert problems(ROOM, req(next_week, minutes=120), held, NOW, SHANGHAI) == []


def test_blackout_dates_and_slot_grids() -> None:
    grid = SpaceRules("s", "798-art-zone", 20, slot_minutes=90, min_minutes=90, max_minutes=180,
                      opening=(Opening(1, 9 * 60, 18 * 60),), blackout=frozenset({date(2027, 3, 9)})).check()
    tue = date(2027, 3, 2)
    starts = [s.astimezone(SHANGHAI).strftime("%H:%M") for s in free_starts(grid, tue, timedelta(minutes=90), [],
                                                                           NOW, SHANGHAI)]
    assert starts == ["09:00", "10:30", "12:00", "13:30", "15:00", "16:30"]
    assert "off_grid" in codes(problems(grid, Request("s", at(SHANGHAI, 2027, 3, 2, 10, 0),
                                                      at(SHANGHAI, 2027, 3, 2, 11, 30), 1, "ann", 7,
                                                      "798-art-zone"), [], NOW, SHANGHAI))
    assert free_starts(grid, date(2027, 3, 9), timedelta(minutes=90), [], NOW, SHANGHAI) == []


def test_inconsistent_rules_name_the_setting() -> None:
    with pytest.raises(RuleError, match="capacity"):
        SpaceRules("s", "p", 0).check()
    with pytest.raises(RuleError, match="min_minutes"):
        SpaceRules("s", "p", 5, min_minutes=120, max_minutes=60).check()
    with pytest.raises(RuleError, match="audience"):
        SpaceRules("s", "p", 5, audience="everyone").check()
    with pytest.raises(RuleError, match="opening"):
        SpaceRules("s", "p", 5, opening=(Opening(7, 0, 60),)).check()


def test_berlin_wall_clock_across_daylight_saving_and_a_series_keeps_its_local_time() -> None:
    # 2027-03-28: clocks go forward at 02:00 in Berlin; 2027-10-31 back at 03:00
    assert wall_clock(date(2027, 3, 28), 2 * 60 + 30, BERLIN) is None  # 02:30 does not exist
    assert wall_clock(date(2027, 3, 28), 3 * 60, BERLIN) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    rules = SpaceRules("b", "p", 10, audience="public", horizon_days=120, max_minutes=120).check()
    first = Request("b", datetime(2027, 3, 21, 9, 0, tzinfo=UTC), datetime(2027, 3, 21, 10, 0, tzinfo=UTC), 2,
                    "ann")  # 10:00 Berlin (CET)
    series = weekly(rules, first, 3, [], datetime(2027, 3, 1, tzinfo=UTC), BERLIN)
    assert [o.request.start.astimezone(BERLIN).hour for o in series if o.request] == [10, 10, 10]
    assert [o.request.start.hour for o in series if o.request] == [9, 8, 8]  # UTC moves, local time stays
    night = Request("b", datetime(2027, 3, 21, 1, 30, tzinfo=UTC), datetime(2027, 3, 21, 2, 30, tzinfo=UTC), 2, "ann")
    hole = weekly(rules, night, 2, [], datetime(2027, 3, 1, tzinfo=UTC), BERLIN)  # 02:30 local
    assert hole[0].ok and not hole[1].ok and hole[1].problems[0].code == "no_such_time"


def test_a_series_reports_each_clash_and_books_none_of_them_silently() -> None:
    rules = SpaceRules("b", "p", 10, audience="public", horizon_days=120).check()
    start = at(SHANGHAI, 2027, 3, 2, 10, 0)
    taken = [Booking(9, "b", start + timedelta(weeks=1), start + timedelta(weeks=1, hours=1), "bob", None)]
    series = weekly(rules, Request("b", start, start + timedelta(hours=1), 3, "ann"), 4, taken, NOW, SHANGHAI)
    assert [o.ok for o in series] == [True, False, True, True]
    assert series[1].problems[0].code == "taken"
    with pytest.raises(ValueError, match="count"):
        weekly(rules, Request("b", start, start + timedelta(hours=1), 3, "ann"), 60, [], NOW, SHANGHAI)


def test_month_ends_and_the_leap_day_are_ordinary_days() -> None:
    rules = SpaceRules("b", "p", 10, audience="public", horizon_days=400).check()
    now = datetime(2027, 12, 1, tzinfo=UTC)
    for tz in (SHANGHAI, BERLIN):
        for day in (date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 1), date(2028, 12, 31)):
            starts = free_starts(rules, day, timedelta(hours=1), [], now, tz)
            assert len(starts) == 24 * 4 - 3  # every quarter hour of the local day that fits an hour
            assert starts[0].astimezone(tz).date() == day and starts[-1].astimezone(tz).hour == 23


def test_a_stage_is_booked_only_for_an_event() -> None:
    """A space whose audience is ``events`` (a park's stage) refuses every booker, even one of
    the park's own enterprises, unless the showcase service books it for an event."""
    stage = dataclasses.replace(ROOM, audience="events").check()
    plain = req(at(SHANGHAI, 2027, 3, 2, 10, 0))
    refused = problems(stage, plain, [], NOW, SHANGHAI)
    assert [(p.code, p.field) for p in refused] == [("audience", "space")]
    assert "scheduling an event" in refused[0].message
    assert problems(stage, dataclasses.replace(plain, for_event=True), [], NOW, SHANGHAI) == []
