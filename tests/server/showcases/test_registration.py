"""Registration on both engines: a quota and a waitlist in order, promotion when someone
cancels (told through the inbox), racing registrations on two stores never over-admit,
a raised quota promotes, registering twice changes nothing, the .ics file."""

from __future__ import annotations

import asyncio

import pytest
from icalendar import Calendar

from server.db import Store
from server.showcases.service import ShowcaseRefused
from tests.server.db.conftest import run
from tests.server.showcases.world import RecordingBus, people, services, world


def test_quota_waitlist_and_promotion(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(quota=2, capacity=50))
            regs = [await w.service.register(w.people[f"v{i}"], ev.id) for i in range(4)]
            assert [(r.state, r.place) for r in regs] == [("confirmed", 0), ("confirmed", 0), ("waitlisted", 1),
                                                          ("waitlisted", 2)]
            assert await w.inbox("v0") == ["showcase.notice.registered.title"]
            assert await w.inbox("v3") == ["showcase.notice.waitlisted.title"]
            assert (await w.store.inbox.page("v3"))[0].notice.params["place"] == 2
            again = await w.service.register(w.people["v0"], ev.id)  # nothing changes, nobody is told twice
            assert again.id == regs[0].id and await w.inbox("v0") == ["showcase.notice.registered.title"]
            out = await w.service.unregister(w.people["v1"], ev.id)
            assert out.state == "cancelled"
            assert (await w.service.registration("v2", ev.id)).state == "confirmed"  # type: ignore[union-attr]
            assert "showcase.notice.promoted.title" in await w.inbox("v2")
            assert (await w.service.registration("v3", ev.id)).place == 1  # type: ignore[union-attr]
            assert (await w.service.event(ev.id)).confirmed == 2
            with pytest.raises(ShowcaseRefused) as twice:
                await w.service.unregister(w.people["v1"], ev.id)
            assert twice.value.code == "not_registered"
            back = await w.service.register(w.people["v1"], ev.id)  # back at the end of the line
            assert (back.state, back.place) == ("waitlisted", 2)
            raised = await w.service.edit(w.people["olga"], ev.id, w.draft(quota=4, capacity=50))
            assert raised.confirmed == 4
            assert "showcase.notice.promoted.title" in await w.inbox("v3")
            assert [r.state for r in await w.service.registrations(ev.id)] == ["confirmed"] * 4
    run(go())


def test_registration_closes_at_the_end(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(14, 60))
            w.clock.advance(ev.end - w.clock.now())
            with pytest.raises(ShowcaseRefused, match="this event is over"):
                await w.service.register(w.people["v1"], ev.id)
            with pytest.raises(ShowcaseRefused) as unknown:
                await w.service.register(w.people["v1"], 999)
            assert (unknown.value.code, unknown.value.problems[0].field) == ("unknown_event", "event")
    run(go())


def test_racing_registrations_on_two_stores_never_over_admit(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(quota=3, capacity=10))
            other = await Store.open(database_url)
            try:
                _, second = services(other, w.clock, RecordingBus())
                crowd = await people(other, [f"v{i}" for i in range(12)])
                got = await asyncio.gather(*[(w.service if i % 2 else second).register(crowd[f"v{i}"], ev.id)
                                             for i in range(12)])
            finally:
                await other.close()
            assert sorted(r.state for r in got).count("confirmed") == 3
            regs = await w.service.registrations(ev.id)
            assert [r.state for r in regs].count("confirmed") == 3 and len(regs) == 12
            assert [r.place for r in regs if r.state == "waitlisted"] == list(range(1, 10))
            assert (await w.service.event(ev.id)).confirmed == 3
    run(go())


def test_the_calendar_file(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(quota=1, description_en="Come along"))
            await w.service.register(w.people["v1"], ev.id)
            await w.service.register(w.people["v2"], ev.id)
            confirmed = Calendar.from_ical(await w.service.ics(w.people["v1"], ev.id, "en"))
            (item,) = [c for c in confirmed.walk("VEVENT")]
            assert (str(item["summary"]), str(item["status"])) == ("Launch", "CONFIRMED")
            assert item.decoded("dtstart").timestamp() == ev.start and item.decoded("dtend").timestamp() == ev.end
            waiting = Calendar.from_ical(await w.service.ics(w.people["v2"], ev.id, "zh"))
            (item,) = [c for c in waiting.walk("VEVENT")]
            assert (str(item["summary"]), str(item["status"])) == ("新品发布会", "TENTATIVE")
            assert "候补第 1 位" in str(item["description"])
    run(go())


def test_who_may_attend(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(quota=1))
            await w.service.register(w.people["v1"], ev.id)
            await w.service.register(w.people["v2"], ev.id)
            assert await w.service.may_attend(w.people["v1"], ev.id)
            assert not await w.service.may_attend(w.people["v2"], ev.id)  # waitlisted
            assert await w.service.may_attend(w.people["pam"], ev.id)  # a presenter
            assert await w.service.may_attend(w.people["olga"], ev.id)
            open_ev = await w.service.schedule(w.people["olga"], w.draft(18, 60, registration="open"))
            assert await w.service.may_attend(w.people["v5"], open_ev.id)
    run(go())


def test_my_events_and_the_organizers_list(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            late = await w.service.schedule(w.people["olga"], w.draft(18, 60, quota=1))
            early = await w.service.schedule(w.people["otto"], w.draft(10, 60, presenters=("olga",)))
            await w.service.register(w.people["v2"], late.id)
            await w.service.register(w.people["v1"], late.id)
            await w.service.register(w.people["v1"], early.id)
            mine = await w.service.registered_events("v1")
            assert [(e.id, r.state, r.place) for e, r in mine] == [(early.id, "confirmed", 0),
                                                                   (late.id, "waitlisted", 1)]
            await w.service.unregister(w.people["v1"], early.id)
            assert [e.id for e, _ in await w.service.registered_events("v1")] == [late.id]
            assert [e.id for e in await w.service.organized("olga")] == [late.id, early.id]  # presenting counts
            assert [e.id for e in await w.service.organized("otto")] == [early.id]
    run(go())
