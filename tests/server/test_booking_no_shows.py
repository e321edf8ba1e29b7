"""A park's ``max_no_shows`` rule through the booking service, on both engines, with the
no-shows made by the release job on the injected clock: a booker with more no-shows than
the limit is refused (``no_shows`` on ``booker``, nothing written), also when a colleague
books for them and when they join a waitlist; up to the limit, and for colleagues, booking
goes on; a space without the rule does not ask."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.bookings.service import BookingRefused
from server.db.spaces import Space
from server.db.tables import jobs
from server.scheduler import Scheduler
from tests.server.db.conftest import run
from tests.server.test_bookings import MONDAY, PARK, World, world


async def _no_show(w: World, scheduler: Scheduler, user: str, hour: int) -> None:
    """``user`` books ``hour`` on Monday and never checks in: released after the grace period."""
    row = await w.service.book(w.people[user], w.room, w.at(MONDAY, hour), w.at(MONDAY, hour + 1))
    w.clock.advance(w.at(MONDAY, hour, 16).timestamp() - w.clock.now())  # grace 15 minutes
    await scheduler.run_due()
    assert (await w.store.bookings.get(row.id)).state == "released"  # type: ignore[union-attr]


async def _jobs(w: World) -> int:
    row = await w.store.db.row(select(func.count()).select_from(jobs))
    return int(row[0]) if row else 0


def test_a_repeat_no_shower_is_refused_by_the_parks_limit(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"max_no_shows": 1, "check_in_grace_minutes": 15}) as w:
            scheduler = Scheduler(w.store.jobs, w.clock, "no-shows")
            w.service.register(scheduler)
            await _no_show(w, scheduler, "cai", 9)
            assert await w.store.bookings.no_shows("cai") == 1
            tuesday = MONDAY + timedelta(days=1)
            # at the limit: still allowed
            kept = await w.service.book(w.people["cai"], w.room, w.at(tuesday, 9), w.at(tuesday, 10))
            await w.service.cancel(w.people["cai"], kept.id)
            await _no_show(w, scheduler, "cai", 13)
            assert await w.store.bookings.no_shows("cai") == 2
            before = (await w.count(), await _jobs(w))
            with pytest.raises(BookingRefused) as refused:
                await w.service.book(w.people["cai"], w.room, w.at(tuesday, 11), w.at(tuesday, 12))
            assert refused.value.code == "no_shows" and refused.value.problems[0].field == "booker"
            assert "more than 1" in refused.value.problems[0].message
            with pytest.raises(BookingRefused) as for_her:  # a colleague cannot book for her either
                await w.service.book(w.people["bob"], w.room, w.at(tuesday, 11), w.at(tuesday, 12), for_user="cai")
            assert for_her.value.code == "no_shows"
            taken = await w.service.book(w.people["bob"], w.room, w.at(tuesday, 14), w.at(tuesday, 15))
            with pytest.raises(BookingRefused) as wait:  # nor wait for a taken time
                await w.service.wait(w.people["cai"], w.room, w.at(tuesday, 14), w.at(tuesday, 15))
            assert wait.value.code == "no_shows"
            assert (await w.count(), await _jobs(w)) == (before[0] + 1, before[1] + 2)  # only bob's (release, remind)
            assert taken.for_user == "bob" and await w.store.bookings.no_shows("bob") == 0
            # another space of the park without the rule takes her booking
            other = await w.store.spaces.add(Space(PARK, "room-2", "Room 2", "meeting", 8, rules={"audience": "zone"}))
            free = await w.service.book(w.people["cai"], other, w.at(tuesday, 11), w.at(tuesday, 12))
            assert free.state == "confirmed"
    run(go())
