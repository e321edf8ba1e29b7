"""Bookings in the 3D park, end to end: a real world server (``server.main.App`` with an
injected ManualClock) and the web app in front of it on its own bus link, one database.

- A bot in the park gets the park's ``spaces`` right after ``joined``; a booking made
  through the web API turns the zone's picture for the bot at once (``space.changed``),
  and the booking starting turns it taken (the board's time check).
- The world server runs the booking jobs the web wrote (its scheduler has their
  handlers): a no-show is released, a request waiting for approval lapses; each time
  the booker, standing in the park as themselves, gets the in-world ``notice``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from server.bus_link import LinkBus
from server.clock import ManualClock
from server.db.spaces import Space
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.harness import PARK, Visitor, small_config, small_layout
from tests.web.people import PASSWORD, seed_people
from world.layout import Space as Zone
from world.protocol import messages as M
from world.protocol.constants import PROTOCOL_VERSION

DAY = "2026-01-01"  # the ManualClock starts at 2026-01-01 08:00 in Shanghai


def _layout() -> Any:
    zones = (Zone("hall", "Hall", "theatre", ((10, 10), (20, 10), (20, 20), (10, 20)), (15.0, 9.0)),
             Zone("studio", "Studio", "studio", ((-20, -25), (-10, -25), (-10, -15), (-20, -15)), (-15.0, -14.0)),
             Zone("shed", "Shed", "other", ((30, 20), (35, 20), (35, 25), (30, 25)), (32.0, 19.0)))
    return dataclasses.replace(small_layout(PARK), spaces=zones)


@contextlib.asynccontextmanager
async def _world(tmp_path: Path, layout: Any = None) -> AsyncIterator[tuple[Any, httpx.AsyncClient, ManualClock]]:
    from server.main import App

    clock = ManualClock()
    # the clock jumps by hours here: sessions must not time out for idleness meanwhile
    world = App(small_config(tmp_path, idle_timeout=7 * 86400.0), layouts={PARK: layout or _layout()}, clock=clock)
    await world.start()
    bus = LinkBus(world.config.bus_socket)
    try:
        assert await bus.connect_once()
        await seed_people(world.store, world.config.scrypt_n)
        web = create_app(world.config, world.store, bus, clock, texts=load_texts(strict=True))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://park.test") as c:
            yield world, c, clock
        await web.state.web.online.close()
    finally:
        await bus.close()
        await world.stop()


async def _sign_in(c: httpx.AsyncClient, user: str) -> str:
    c.cookies.clear()
    csrf = (await c.get("/api/session")).json()["csrf"]
    signed = await c.post("/api/session", json={"user": user, "password": PASSWORD}, headers={"X-CSRF-Token": csrf})
    assert signed.status_code == 200, signed.text
    return str(signed.json()["csrf"])


async def _book(c: httpx.AsyncClient, csrf: str, space: int, start: str, end: str) -> httpx.Response:
    return await c.post("/api/bookings", json={"space": space, "start": f"{DAY}T{start}:00+08:00",
                                               "end": f"{DAY}T{end}:00+08:00"}, headers={"X-CSRF-Token": csrf})


async def _as_person(world: Any, user: str) -> Visitor:
    """``user`` in the park as themselves (a desktop sign-in code made for them)."""
    code = (await world.store.signin_codes.desktop_code(user, now=world.clock.now())).code
    v = await Visitor.connect(world.port)
    await v.send(M.Hello(v=PROTOCOL_VERSION, client="tests"))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    session = await v.request(M.CodeLogin(code=code))
    assert isinstance(session, M.Session) and session.user.id == user, session
    assert isinstance(await v.join(), M.Joined)
    return v


def _spaces(v: Visitor, start: int = 0) -> list[M.Spaces]:
    return [m for m in v.inbox[start:] if isinstance(m, M.Spaces)]


async def _next_spaces(v: Visitor, start: int, timeout: float = 5.0) -> dict[str, M.SpaceState]:
    got = await v.wait_for(lambda m: isinstance(m, M.Spaces), start=start, timeout=timeout)
    return {s.id: s for s in got.items}


async def _spaces_until(v: Visitor, start: int, zone: str, **want: str) -> M.SpaceState:
    """The first ``spaces`` since ``start`` in which ``zone`` shows ``want`` (hints of
    earlier changes may still be arriving)."""
    def shows(m: Any) -> bool:
        return isinstance(m, M.Spaces) and any(
            s.id == zone and all(getattr(s, k) == w for k, w in want.items()) for s in m.items)
    got = await v.wait_for(shows, start=start, timeout=5.0)
    return next(s for s in got.items if s.id == zone)


def test_a_bot_sees_the_zones_and_a_booking_made_on_the_web_turns_its_zone_at_once(tmp_path: Path) -> None:
    async def go() -> None:
        async with _world(tmp_path) as (world, c, clock):
            hall = await world.store.spaces.add(Space(PARK, "hall", "Hall", "theatre", 80,
                                                      rules={"audience": "zone"}))
            yard = await world.store.spaces.add(Space(PARK, "shed", "Shed", "other", retired=True))
            await world.store.spaces.add(Space(PARK, "no-zone", "Annex", "meeting", 6))  # not in the scene
            bot = await Visitor.connect(world.port)
            await bot.hello_guest("Bot")
            mark = len(bot.inbox)
            joined = await bot.join()
            assert isinstance(joined, M.Joined)
            first = await bot.wait_for(lambda m: isinstance(m, M.Spaces), start=mark)
            assert bot.inbox.index(first) > bot.inbox.index(joined)  # right after joined
            assert first.park == PARK
            # the studio has no bookable space, the annex no zone: neither is shown
            assert [(s.id, s.space, s.state) for s in first.items] == [("hall", hall, "free"), ("shed", yard,
                                                                                             "retired")]
            assert first.items[0].next == ""  # nothing booked today

            csrf = await _sign_in(c, "emil")
            mark = len(bot.inbox)
            made = await _book(c, csrf, hall, "09:00", "10:00")  # an hour from now
            assert made.status_code == 201, made.text
            now_free = await _next_spaces(bot, mark)  # the web's space.changed reached the world at once
            assert (now_free["hall"].state, now_free["hall"].next) == ("free", "09:00")

            mark = len(bot.inbox)
            clock.advance(3600)  # 09:00: the booking has begun
            await world.space_board.due()  # (the server's own check every few seconds may come first)
            taken = await _next_spaces(bot, mark)
            assert (taken["hall"].state, taken["hall"].start, taken["hall"].end) == ("taken", "09:00", "10:00")
            assert taken["hall"].by == ""  # the booker's enterprise is not named without their leave
            assert await world.space_board.due() == 0  # nothing changed since: nobody is told again

            # a second bot joining now sees it taken straight away
            late = await Visitor.connect(world.port)
            await late.hello_guest("Late")
            mark = len(late.inbox)
            await late.join()
            assert (await _next_spaces(late, mark))["hall"].state == "taken"

            # cancelled by the park office on the web: free again for everyone in the park
            csrf = await _sign_in(c, "pam")
            marks = len(bot.inbox), len(late.inbox)
            gone = await c.delete(f"/api/bookings/{made.json()['id']}", params={"reason": "leak"},
                                  headers={"X-CSRF-Token": csrf})
            assert gone.status_code == 200, gone.text
            assert (await _next_spaces(bot, marks[0]))["hall"].state == "free"
            assert (await _next_spaces(late, marks[1]))["hall"].state == "free"
            await bot.close()
            await late.close()
    asyncio.run(go())


def test_the_world_server_releases_a_no_show_and_lapses_a_request_and_the_booker_hears_it_in_the_park(
        tmp_path: Path) -> None:
    async def go() -> None:
        async with _world(tmp_path) as (world, c, clock):
            hall = await world.store.spaces.add(Space(PARK, "hall", "Hall", "theatre", 80,
                                                      rules={"audience": "zone"}))
            studio = await world.store.spaces.add(Space(PARK, "studio", "Studio", "studio", 10,
                                                        rules={"audience": "zone", "approval": True,
                                                               "hold_minutes": 20}))
            emil = await _as_person(world, "emil")
            csrf = await _sign_in(c, "emil")
            booked = await _book(c, csrf, hall, "09:00", "10:00")
            assert booked.status_code == 201 and booked.json()["state"] == "confirmed"
            asked = await _book(c, csrf, studio, "12:00", "13:00")
            assert asked.status_code == 201 and asked.json()["state"] == "pending"
            jobs = {j.kind for j in await _pending_jobs(world)}
            assert {"booking.release", "booking.remind", "booking.hold"} <= jobs  # written by the web process

            mark = len(emil.inbox)
            clock.advance(20 * 60 + 1)  # the request's hold runs out; nobody approved it
            assert await world.scheduler.run_due() >= 1
            lapsed = await emil.wait_for(lambda m: isinstance(m, M.Notice)
                                         and m.title_key == "booking.notice.expired.title", start=mark)
            assert lapsed.kind == "booking" and lapsed.link == "/console/employee/bookings"
            assert (await world.store.bookings.get(asked.json()["id"])).state == "expired"  # type: ignore[union-attr]
            await _spaces_until(emil, mark, "studio", state="free", next="")  # its hold no longer shows

            mark = len(emil.inbox)
            clock.advance(3600 + 15 * 60 - 20 * 60)  # 09:15: the grace period after the start is over
            await world.scheduler.run_due()
            released = await emil.wait_for(lambda m: isinstance(m, M.Notice)
                                           and m.title_key == "booking.notice.released.title", start=mark)
            assert released.unread >= 3  # confirmed, pending, expired, reminder, released: all in the inbox too
            row = await world.store.bookings.get(booked.json()["id"])
            assert row is not None and row.state == "released"
            assert await world.store.bookings.no_shows("emil") == 1
            assert world.scheduler.failed == 0
            await _spaces_until(emil, mark, "hall", state="free", next="")
            inbox = [n.notice.title_key for n in await world.store.inbox.page("emil")]
            assert "booking.notice.released.title" in inbox and "booking.notice.remind.title" in inbox
            await emil.close()
    asyncio.run(go())


async def _pending_jobs(world: Any) -> list[Any]:
    from sqlalchemy import select

    from server.db.tables import jobs

    rows = await world.store.db.rows(select(jobs).where(jobs.c.state == "pending"))
    return list(rows)
