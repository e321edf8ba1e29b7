"""Booking a space from inside the 3D park, end to end: a real world server with an
injected ManualClock (2026-01-01 08:00 in Shanghai), the web app on its own bus link, one
database (``tests/web/test_bookings_world.py``'s fixtures).

- A bot of a demo enterprise walks into the hall's zone, asks its free slots, books the
  first; a second bot in the park sees the zone turn taken at once; the booking is the
  web's (the API lists it, with its check-in code).
- Two bookers racing for one slot: exactly one wins, the other gets "taken" with the
  nearest alternatives; a space needing approval answers "pending".
- A guest is refused with the reason; so is a visitor of no enterprise; a space that is
  not one of this park's zones is not found.
- A resumed session gets the park's spaces again (with what changed meanwhile).
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

from server.db.spaces import Space
from tests.server.harness import PARK, Visitor, small_layout
from tests.web.test_bookings_world import _as_person, _next_spaces, _sign_in, _spaces_until, _world
from world.layout import Space as Zone
from world.protocol import messages as M
from world.room import point_in_zone

HALL = ((2.0, -3.0), (8.0, -3.0), (8.0, 3.0), (2.0, 3.0))  # just east of the centre spawn, west of the wall
STUDIO = ((-8.0, 4.0), (-2.0, 4.0), (-2.0, 10.0), (-8.0, 10.0))


def _layout() -> Any:
    zones = (Zone("hall", "Hall", "theatre", HALL, (2.0, 0.0)), Zone("studio", "Studio", "studio", STUDIO, (-5.0, 4.0)))
    return dataclasses.replace(small_layout(PARK), spaces=zones)


async def _spaces(world: Any) -> tuple[int, int]:
    hall = await world.store.spaces.add(Space(PARK, "hall", "Hall", "theatre", 80, rules={"audience": "zone"}))
    studio = await world.store.spaces.add(Space(PARK, "studio", "Studio", "studio", 10, price="¥200/h",
                                                rules={"audience": "zone", "approval": True}))
    return hall, studio


def _xy(world: Any, v: Visitor) -> tuple[float, float]:
    avatar = world.parks[PARK].room.avatars[v.eid]
    return avatar.x, avatar.y


async def _walk_into(world: Any, clock: Any, v: Visitor, zone: Any, mx: float, my: float) -> None:
    """Walk until standing in ``zone`` (the injected clock moves with the steps: the
    session's input rate limit reads it)."""
    for _ in range(200):
        if point_in_zone(*_xy(world, v), zone):
            return
        clock.advance(0.05)
        v.seq += 1
        await v.send(M.Input(s=v.seq, mx=mx, my=my, yaw=0.0))
        await asyncio.sleep(0.05)
    raise AssertionError(f"never reached the zone: at {_xy(world, v)}")


def test_a_bot_walks_into_a_zone_books_a_free_slot_and_the_other_bot_sees_it_taken(tmp_path: Path) -> None:
    async def go() -> None:
        async with _world(tmp_path, layout=_layout()) as (world, c, clock):
            hall, studio = await _spaces(world)
            emil = await _as_person(world, "emil")  # a member of Acme Design (a demo enterprise)
            olga = await _as_person(world, "olga")  # Acme's owner, standing in the park too
            await _walk_into(world, clock, emil, HALL, 1.0, 0.0)
            clock.advance(1767225600 + 900 - clock.now())  # 08:15 in Shanghai (the walk took a few seconds)

            offer = await emil.request(M.SpaceSlots(space=hall))
            assert isinstance(offer, M.SpaceSlotList), offer
            assert (offer.name, offer.today, offer.durations) == ("Hall", "2026-01-01", [60, 120])
            hours = [(s.day, s.at, s.end) for s in offer.slots if s.minutes == 60]
            assert hours == [("2026-01-01", "08:15", "09:15"), ("2026-01-01", "09:15", "10:15"),
                             ("2026-01-01", "10:15", "11:15"), ("2026-01-01", "11:15", "12:15")]
            assert len([s for s in offer.slots if s.minutes == 120]) == 4

            first = offer.slots[0]
            mark = len(olga.inbox)
            booked = await emil.request(M.SpaceBook(space=hall, start=first.start, minutes=first.minutes))
            assert isinstance(booked, M.SpaceBooked), booked
            assert (booked.outcome, booked.day, booked.start, booked.end) == ("confirmed", "2026-01-01", "08:15",
                                                                            "09:15")
            assert len(booked.code) == 9 and booked.code[4] == "-"
            seen = await _next_spaces(olga, mark, timeout=1.0)  # the other bot: within a second
            assert (seen["hall"].state, seen["hall"].start, seen["hall"].end) == ("taken", "08:15", "09:15")
            await _spaces_until(emil, 0, "hall", state="taken")  # and the booker's own view

            # the same booking as the web's: listed with its code, the booker told in the park
            csrf = await _sign_in(c, "emil")
            mine = (await c.get("/api/bookings", headers={"X-CSRF-Token": csrf})).json()
            assert [(b["id"], b["state"], b["check_in_code"]) for b in mine] == [
                (booked.booking, "confirmed", booked.code.replace("-", ""))]
            told = await emil.wait_for(lambda m: isinstance(m, M.Notice)
                                       and m.title_key == "booking.notice.confirmed.title")
            assert told.kind == "booking"

            # the slot is gone from the next offer
            again = await olga.request(M.SpaceSlots(space=hall))
            assert isinstance(again, M.SpaceSlotList)
            assert ("08:15", 60) not in [(s.at, s.minutes) for s in again.slots]

            # a request for a space needing approval: pending, and it holds the slot
            asked = await olga.request(M.SpaceSlots(space=studio))
            assert isinstance(asked, M.SpaceSlotList) and asked.approval and asked.price == "¥200/h"
            slot = asked.slots[1]
            pending = await olga.request(M.SpaceBook(space=studio, start=slot.start, minutes=slot.minutes))
            assert isinstance(pending, M.SpaceBooked) and pending.outcome == "pending", pending
            row = await world.store.bookings.get(pending.booking)
            assert row is not None and row.state == "pending" and row.booked_by == "olga"
            await emil.close()
            await olga.close()
    asyncio.run(go())


def test_two_bookers_race_for_one_slot_one_wins_the_other_gets_the_nearest_alternatives(tmp_path: Path) -> None:
    async def go() -> None:
        async with _world(tmp_path, layout=_layout()) as (world, c, clock):
            hall, _ = await _spaces(world)
            emil = await _as_person(world, "emil")
            olga = await _as_person(world, "olga")
            offer = await emil.request(M.SpaceSlots(space=hall))
            ten = next(s for s in offer.slots if s.at == "10:00" and s.minutes == 60)
            ask = M.SpaceBook(space=hall, start=ten.start, minutes=60)
            answers = await asyncio.gather(emil.request(ask), olga.request(ask))
            outcomes = sorted(a.outcome for a in answers)
            assert outcomes == ["confirmed", "refused"], answers
            lost = next(a for a in answers if a.outcome == "refused")
            assert [p.code for p in lost.problems] == ["taken"]
            # the nearest free hours either side (09:00-10:00 ends as 10:00 begins; no buffers here)
            assert [(a.at, a.end) for a in lost.alternatives][:2] == [("09:00", "10:00"), ("11:00", "12:00")]
            assert len(lost.alternatives) == 3 and {a.minutes for a in lost.alternatives} == {60}
            # the database holds exactly one booking of that hour
            rows = await world.store.bookings.holding(hall, ten.start - 1, ten.start + 3600 + 1)
            assert len(rows) == 1 and rows[0].state == "confirmed"
            # the loser books the nearest alternative from the answer in one more step
            alt = lost.alternatives[0]
            loser = emil if answers[0].outcome == "refused" else olga
            won = await loser.request(M.SpaceBook(space=hall, start=alt.start, minutes=alt.minutes))
            assert won.outcome == "confirmed" and (won.start, won.end) == ("09:00", "10:00")
            await emil.close()
            await olga.close()
    asyncio.run(go())


def test_a_guest_and_a_visitor_of_no_enterprise_are_refused_with_the_reason(tmp_path: Path) -> None:
    async def go() -> None:
        async with _world(tmp_path, layout=_layout()) as (world, c, clock):
            hall, _ = await _spaces(world)
            guest = await Visitor.connect(world.port)
            await guest.hello_guest("Gus")
            await guest.join()
            refused = await guest.request(M.SpaceSlots(space=hall))
            assert isinstance(refused, M.Error) and refused.code == "not_allowed", refused
            assert refused.msg == "sign in first to book a space"
            tried = await guest.request(M.SpaceBook(space=hall, start=1767225600, minutes=60))
            assert isinstance(tried, M.Error) and tried.msg == "sign in first to book a space"

            vera = await _as_person(world, "vera")  # signed in, but of no enterprise of the zone
            no = await vera.request(M.SpaceSlots(space=hall))
            assert isinstance(no, M.Error) and no.code == "not_allowed"
            assert no.msg == "only people of the zone's enterprises book this space"
            emil = await _as_person(world, "emil")
            gone = await emil.request(M.SpaceSlots(space=hall + 100))  # not a zone of this park
            assert isinstance(gone, M.Error) and gone.code == "not_found"
            past = await emil.request(M.SpaceBook(space=hall, start=1767225600 - 3600, minutes=60))  # 07:00
            assert isinstance(past, M.SpaceBooked) and past.outcome == "refused"
            assert [p.code for p in past.problems] == ["past"]
            assert await world.store.bookings.holding(hall, 0, 2**40) == []  # nothing written
            for v in (guest, vera, emil):
                await v.close()
    asyncio.run(go())


def test_a_resumed_session_gets_the_parks_spaces_again(tmp_path: Path) -> None:
    async def go() -> None:
        async with _world(tmp_path, layout=_layout()) as (world, c, clock):
            hall, _ = await _spaces(world)
            park = world.parks[PARK]
            booking = 0
            for alone in (False, True):
                other = None if alone else await _as_person(world, "olga")  # keeps the park's board read
                bot = await Visitor.connect(world.port)
                await bot.hello_guest("Bot")
                await bot.join()
                before = (await _next_spaces(bot, 0))["hall"].state
                resume = bot.session.resume
                bot.ws.transport.abort()  # a drop: the avatar is held for resume
                left = len(park.clients) - 1
                await bot.wait_until(lambda n=left: len(park.clients) == n)
                await world.space_board.due()  # alone: nobody left in the park, its board is forgotten
                assert (PARK in world.space_board.boards) is not alone
                if not alone:  # meanwhile a booking covering now is made on the web
                    assert other is not None
                    mark = len(other.inbox)
                    csrf = await _sign_in(c, "emil")
                    made = await c.post("/api/bookings", json={"space": hall, "start": "2026-01-01T08:00:00+08:00",
                                                               "end": "2026-01-01T08:45:00+08:00"},
                                        headers={"X-CSRF-Token": csrf})
                    assert made.status_code == 201, made.text
                    booking = made.json()["id"]
                    await _spaces_until(other, mark, "hall", state="taken")  # the hint has reached the world server
                    want = ("free", "taken")
                else:  # meanwhile the park office cancels it
                    csrf = await _sign_in(c, "pam")
                    gone = await c.delete(f"/api/bookings/{booking}", params={"reason": "leak"},
                                          headers={"X-CSRF-Token": csrf})
                    assert gone.status_code == 200, gone.text
                    want = ("taken", "free")
                assert before == want[0]
                back = await Visitor.connect(world.port)
                resumed = await back.hello_guest("", resume=resume)
                assert isinstance(resumed, M.Session) and resumed.resumed
                assert (await _next_spaces(back, 0))["hall"].state == want[1]
                kinds = [type(m).__name__ for m in back.inbox if not isinstance(m, M.Welcome)]
                assert kinds[:3] == ["Session", "Joined", "Hall"], kinds
                if not alone:  # the board was known: sent with the resume's replies, before any snapshot
                    assert kinds[3] == "Spaces", kinds
                await back.close()
                if other is not None:
                    await other.close()
    asyncio.run(go())
