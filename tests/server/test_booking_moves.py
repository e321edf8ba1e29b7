"""Moving a booking to another time of its space, on both engines with a ManualClock: the
new range is taken under the database's ``bookings_no_overlap`` in the same statement that
gives up the old one (a move overlapping its own old time works, one onto a taken time is
refused with the nearest alternatives and changes nothing); same id and check-in code, its
jobs follow the new time, the freed time goes to the waitlist, the booker is told
``changed``; the booker up to the cancellation deadline, the park office any time (audited);
the weekly quota does not count the booking's own old time."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from server.bookings.service import BookingRefused
from server.db.bookings import Overlap, reschedule
from server.db.tables import jobs
from tests.server.db.conftest import run
from tests.server.test_bookings import MONDAY, World, world


async def _jobs(w: World, booking_id: int) -> dict[str, float]:
    rows = await w.store.db.rows(select(jobs.c.kind, jobs.c.due).where(jobs.c.key.like(f"%:{booking_id}"),
                                                                       jobs.c.state == "pending"))
    return {r.kind: float(r.due) for r in rows}


async def _titles(w: World, user: str) -> list[str]:
    return [n.notice.title_key for n in await w.store.inbox.page(user)]


def test_a_booking_moves_under_the_database_guard_and_a_taken_time_changes_nothing(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"check_in_grace_minutes": 15}) as w:
            ana = await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11), 3)
            bob = await w.service.book(w.people["bob"], w.room, w.at(MONDAY, 12), w.at(MONDAY, 13))
            code = w.service.code(ana.id)
            # half an hour later: the new range overlaps the old one, which is its own
            moved = await w.service.move_to(w.people["ana"], ana.id, w.at(MONDAY, 10, 30), w.at(MONDAY, 11, 30))
            assert (moved.id, moved.state, moved.people) == (ana.id, "confirmed", 3)
            assert (moved.start, moved.end) == (w.at(MONDAY, 10, 30).timestamp(), w.at(MONDAY, 11, 30).timestamp())
            assert w.service.code(moved.id) == code and (await w.service.by_code(code)).id == ana.id
            assert await _jobs(w, ana.id) == {"booking.release": w.at(MONDAY, 10, 45).timestamp(),
                                              "booking.remind": w.at(MONDAY, 10).timestamp()}
            told = (await w.store.inbox.page("ana"))[0].notice
            assert told.title_key == "booking.notice.changed.title"
            assert (told.params["was_start"], told.params["start"], told.params["end"]) == ("10:00", "10:30", "11:30")
            # onto bob's time: taken, the nearest free times offered (its own time counts as free), nothing changed
            inbox = await _titles(w, "ana")
            with pytest.raises(BookingRefused) as taken:
                await w.service.move_to(w.people["ana"], ana.id, w.at(MONDAY, 11, 30), w.at(MONDAY, 12, 30))
            assert taken.value.code == "taken" and taken.value.problems[0].field == "start"
            assert taken.value.alternatives[0] == w.at(MONDAY, 11)  # over its own time: free to it
            assert await w.store.bookings.get(ana.id) == moved
            assert await w.store.bookings.get(bob.id) == bob
            assert await _titles(w, "ana") == inbox
            assert await _jobs(w, ana.id) == {"booking.release": w.at(MONDAY, 10, 45).timestamp(),
                                              "booking.remind": w.at(MONDAY, 10).timestamp()}
            # the database itself refuses the range over bob's, and the row stays as it was
            lo, hi = w.at(MONDAY, 12).timestamp(), w.at(MONDAY, 13).timestamp()
            with pytest.raises(Overlap):
                await w.store.db.commit(lambda conn: reschedule(conn, ana.id, ("confirmed",), start=lo, end=hi,
                                                                occ_start=lo, occ_end=hi, now=w.clock.now()))
            assert await w.store.bookings.get(ana.id) == moved
            # other rules as for a new booking: not into the past, not for more people than the room holds
            with pytest.raises(BookingRefused) as past:
                await w.service.move_to(w.people["ana"], ana.id, w.at(date(2025, 12, 31), 10),
                                        w.at(date(2025, 12, 31), 11))
            assert past.value.code == "past"
            with pytest.raises(BookingRefused) as same:
                await w.service.move_to(w.people["ana"], ana.id, w.at(MONDAY, 10, 30), w.at(MONDAY, 11, 30))
            assert same.value.code == "same_time"
            assert await w.count() == 2  # never a second row
    run(go())


def test_the_freed_time_goes_to_the_waitlist_and_the_office_moves_after_the_deadline(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"cancel_deadline_minutes": 60}) as w:
            ana = await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
            await w.service.wait(w.people["cai"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
            await w.service.move_to(w.people["ana"], ana.id, w.at(MONDAY, 14), w.at(MONDAY, 15))
            offered = [b for b in await w.store.bookings.holding(w.room, 0, 2e9) if b.state == "offered"]
            assert [(b.for_user, b.start) for b in offered] == [("cai", w.at(MONDAY, 10).timestamp())]
            assert (await _titles(w, "cai"))[0] == "booking.notice.offered.title"
            # 13:30: inside the deadline the booker may not move it; the park office may, audited
            w.clock.advance(w.at(MONDAY, 13, 30).timestamp() - w.clock.now())
            with pytest.raises(BookingRefused) as late:
                await w.service.move_to(w.people["ana"], ana.id, w.at(MONDAY, 16), w.at(MONDAY, 17))
            assert late.value.code == "deadline"
            office = await w.service.move_to(w.people["pam"], ana.id, w.at(MONDAY, 16), w.at(MONDAY, 17),
                                             by_office=True)
            assert office.start == w.at(MONDAY, 16).timestamp()
            audit = await w.store.audit.page(target=f"booking:{ana.id}")
            assert [a.action for a in audit] == ["booking.move"] and audit[0].actor == "pam"
            # a booking that has begun stays where it is
            w.clock.advance(w.at(MONDAY, 16, 5).timestamp() - w.clock.now())
            with pytest.raises(BookingRefused) as begun:
                await w.service.move_to(w.people["pam"], ana.id, w.at(MONDAY, 18), w.at(MONDAY, 19), by_office=True)
            assert begun.value.code == "state"
    run(go())


def test_the_weekly_quota_does_not_count_the_bookings_own_old_time(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"weekly_quota_minutes": 60}) as w:
            ana = await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
            moved = await w.service.move_to(w.people["bob"], ana.id, w.at(MONDAY, 15), w.at(MONDAY, 16))
            assert moved.start == w.at(MONDAY, 15).timestamp()  # a colleague moved it: 60 of 60 minutes still
            with pytest.raises(BookingRefused) as over:
                await w.service.move_to(w.people["ana"], ana.id, w.at(MONDAY, 15), w.at(MONDAY, 16, 30))
            assert over.value.code == "quota"
            assert (await w.store.bookings.get(ana.id)).end == w.at(MONDAY, 16).timestamp()  # type: ignore[union-attr]
    run(go())
