"""Checking in at the space, from inside the 3D park: a real world server with an injected
ManualClock (2026-01-01 08:00 in Shanghai), the web app on its own bus link, one database
(``tests/web/test_bookings_world.py``'s fixtures; the layout and walking of
``tests/web/test_bookings_in_park.py``).

A bot of a demo enterprise with a booking of the hall at 09:00 walks into the hall's zone:
its ``space_slots`` lists the booking in ``mine`` (not open yet: opens 08:45), a check-in
then is refused ``too_early``; at 08:50 it is open and ``space_check_in`` checks it in (the
database row is ``checked_in``, the booker told in the park); a second try is refused
``state``. Someone else in the zone is refused (not theirs), and the booker outside the
zone is refused (stand in the zone).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.web.test_bookings_in_park import HALL, _layout, _spaces, _walk_into
from tests.web.test_bookings_world import _as_person, _book, _sign_in, _world
from world.protocol import messages as M

EIGHT = 1767225600  # 2026-01-01 08:00 in Shanghai, the ManualClock's start


def test_a_bot_in_the_zone_checks_in_when_it_opens_and_a_second_try_is_refused(tmp_path: Path) -> None:
    async def go() -> None:
        async with _world(tmp_path, layout=_layout()) as (world, c, clock):
            hall, _ = await _spaces(world)
            csrf = await _sign_in(c, "emil")
            made = await _book(c, csrf, hall, "09:00", "10:00")
            assert made.status_code == 201, made.text
            booking = made.json()["id"]

            emil = await _as_person(world, "emil")
            # outside the zone (at the spawn): refused, nothing changes
            away = await emil.request(M.SpaceCheckIn(space=hall, booking=booking))
            assert isinstance(away, M.Error) and away.code == "invalid", away
            assert away.msg == "space: stand in the zone of Hall to check in there"

            await _walk_into(world, clock, emil, HALL, 1.0, 0.0)
            clock.advance(EIGHT + 1800 - clock.now())  # 08:30: check-in opens at 08:45
            offer = await emil.request(M.SpaceSlots(space=hall))
            assert isinstance(offer, M.SpaceSlotList), offer
            assert offer.mine == [M.MyBooking(booking=booking, day="2026-01-01", start="09:00", end="10:00",
                                              state="confirmed", opens="08:45", open=False)]
            early = await emil.request(M.SpaceCheckIn(space=hall, booking=booking))
            assert isinstance(early, M.SpaceCheckedIn) and early.outcome == "refused", early
            assert [p.code for p in early.problems] == ["too_early"]
            assert (await world.store.bookings.get(booking)).state == "confirmed"

            clock.advance(20 * 60)  # 08:50
            offer = await emil.request(M.SpaceSlots(space=hall))
            assert [(m.booking, m.open) for m in offer.mine] == [(booking, True)]
            mark = len(emil.inbox)
            done = await emil.request(M.SpaceCheckIn(space=hall, booking=booking))
            assert isinstance(done, M.SpaceCheckedIn), done
            assert (done.outcome, done.booking, done.day, done.start, done.end) == (
                "checked_in", booking, "2026-01-01", "09:00", "10:00")
            row = await world.store.bookings.get(booking)
            assert row is not None and row.state == "checked_in"
            told = await emil.wait_for(lambda m: isinstance(m, M.Notice)
                                       and m.title_key == "booking.notice.checked_in.title", start=mark)
            assert told.kind == "booking"

            again = await emil.request(M.SpaceCheckIn(space=hall, booking=booking))
            assert isinstance(again, M.SpaceCheckedIn) and again.outcome == "refused", again
            assert [p.code for p in again.problems] == ["state"]
            assert again.problems[0].message == "a checked in booking cannot be checked in"
            offer = await emil.request(M.SpaceSlots(space=hall))
            assert [(m.state, m.open) for m in offer.mine] == [("checked_in", False)]

            # someone else standing in the zone: not theirs (booking.own)
            vera = await _as_person(world, "vera")
            await _walk_into(world, clock, vera, HALL, 1.0, 0.0)
            theirs = await vera.request(M.SpaceCheckIn(space=hall, booking=booking))
            assert isinstance(theirs, M.Error) and theirs.code == "not_allowed", theirs
            assert theirs.msg == "this booking is someone else's"
            unknown = await vera.request(M.SpaceCheckIn(space=hall, booking=booking + 100))
            assert isinstance(unknown, M.Error) and unknown.code == "not_found", unknown
            for v in (emil, vera):
                await v.close()
    asyncio.run(go())
