"""The park office's utilization on both engines, for a known set of bookings in
Europe/Berlin: a week ending on the day the clocks go forward (23 hours: 02:00 does not
exist), the day they go back (25 hours: 02:00 happens twice), office hours with a
blackout date, a booking partly outside the opening hours, and states that hold but do
not count (pending) or do not hold at all (cancelled)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from server.accounts import Accounts
from server.bookings.utilization import park_calendar
from server.db import Store
from server.db.bookings import insert_booking
from server.db.spaces import Space
from tests.server.db.conftest import run

BERLIN = ZoneInfo("Europe/Berlin")
PARK = "798-art-zone"
OFFICE = [[d, 9 * 60, 18 * 60] for d in range(5)]
MONDAY = date(2027, 3, 22)  # its Sunday, 2027-03-28, is 23 hours long in Berlin


def local(*parts: int) -> float:
    return datetime(*parts, tzinfo=BERLIN).timestamp()


async def _book(store: Store, space: int, start: float, end: float, state: str = "confirmed") -> None:
    async def write(conn):  # type: ignore[no-untyped-def]
        await insert_booking(conn, space_id=space, org_id=None, booked_by="ana", for_user="ana", people=1,
                             start=start, end=end, occ_start=start, occ_end=end, state=state, now=1.0)
    await store.db.commit(write)


def test_utilization_by_space_and_by_hour_across_the_clock_changes(database_url: str) -> None:
    async def go() -> None:
        store = await Store.open(database_url)
        try:
            await Accounts(store, scrypt_n=2**10).create("ana", "correct horse 1", "Ana", "visitor", now=1.0)
            hall = await store.spaces.add(Space(PARK, "hall", "Hall", "gallery", 50))  # open around the clock
            room = await store.spaces.add(Space(PARK, "room", "Room", "meeting", 8,
                                                rules={"opening": OFFICE, "blackout": ["2027-03-24"]}))
            await store.spaces.add(Space("751-d-park", "other", "Elsewhere", "meeting", 8))
            # 01:00 CET to 04:00 CEST on the short Sunday: two real hours
            await _book(store, hall, local(2027, 3, 28, 1, 0), datetime(2027, 3, 28, 2, 0, tzinfo=UTC).timestamp())
            await _book(store, hall, local(2027, 3, 22, 10), local(2027, 3, 22, 12))
            await _book(store, hall, local(2027, 3, 22, 12), local(2027, 3, 22, 13), "cancelled")  # not shown
            await _book(store, hall, local(2027, 3, 22, 14), local(2027, 3, 22, 15), "pending")  # holds, not counted
            await _book(store, room, local(2027, 3, 22, 9), local(2027, 3, 22, 10, 30), "checked_in")
            await _book(store, room, local(2027, 3, 23, 17, 30), local(2027, 3, 23, 19))  # 30 min inside the hours

            week = await park_calendar(store, BERLIN, PARK, MONDAY, 7)
            assert [s.space.name for s in week.spaces] == ["Hall", "Room"]  # the park's spaces only
            hall_days, room_days = week.spaces
            assert [d.open_minutes for d in hall_days.days] == [1440] * 6 + [1380]  # Sunday: 23 hours
            assert [d.booked_minutes for d in hall_days.days] == [120, 0, 0, 0, 0, 0, 120]
            assert [[b.state for b in d.bookings] for d in hall_days.days][0] == ["confirmed", "pending"]
            assert (hall_days.open_minutes, hall_days.booked_minutes) == (10020, 240)
            assert round(100 * (hall_days.utilization or 0), 2) == 2.40
            assert [d.open_minutes for d in room_days.days] == [540, 540, 0, 540, 540, 0, 0]  # Wednesday blacked out
            assert [d.booked_minutes for d in room_days.days] == [90, 30, 0, 0, 0, 0, 0]
            assert round(100 * (room_days.utilization or 0), 2) == 5.56  # 120 of 2160
            assert round(100 * (week.utilization or 0), 2) == 2.96  # 360 of 12180
            hours = week.hours
            assert hours.open_minutes[1] == 420 and hours.booked_minutes[1] == 60  # 01:00-02:00 Sunday
            assert hours.open_minutes[2] == 360 and hours.booked_minutes[2] == 0  # no 02:00 on Sunday
            assert hours.open_minutes[3] == 420 and hours.booked_minutes[3] == 60  # 03:00-04:00 CEST
            assert (hours.open_minutes[9], hours.booked_minutes[9]) == (660, 60)  # the hall's 7 and the room's 4
            assert (hours.open_minutes[10], hours.booked_minutes[10]) == (660, 90)
            assert (hours.open_minutes[11], hours.booked_minutes[11]) == (660, 60)
            assert (hours.open_minutes[14], hours.booked_minutes[14]) == (660, 0)  # pending holds, not booked
            assert (hours.open_minutes[17], hours.booked_minutes[17]) == (660, 30)
            assert (hours.open_minutes[18], hours.booked_minutes[18]) == (420, 0)  # 18:00-19:00: the room is shut
            assert sum(hours.open_minutes) == 12180 and sum(hours.booked_minutes) == 360
            assert round(100 * (hours.utilization(10) or 0), 2) == 13.64

            # the long day: 02:00 CEST to 02:30 CET is 90 minutes, all in the local hour 2 (120 open)
            await _book(store, hall, datetime(2027, 10, 31, 0, 0, tzinfo=UTC).timestamp(),
                        datetime(2027, 10, 31, 1, 30, tzinfo=UTC).timestamp())
            autumn = await park_calendar(store, BERLIN, PARK, date(2027, 10, 31), 1)
            assert [d.open_minutes for d in autumn.spaces[0].days] == [1500]
            assert autumn.hours.open_minutes[2] == 120 and autumn.hours.booked_minutes[2] == 90
            assert autumn.hours.utilization(2) == 0.75 and autumn.spaces[1].days[0].open_minutes == 0  # a Sunday
        finally:
            await store.close()
    run(go())
