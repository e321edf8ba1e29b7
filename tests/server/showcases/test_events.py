"""Scheduling showcases on both engines with a ManualClock: the stage is a bookable space
booked through the booking service (one conflict checker: two events never overlap on a
stage, also when organizers race on two stores), bad input named field by field with
nothing written, moving and cancelling (the booking follows), going live checks the
stage in, and the reminder / start / end jobs."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.db import Store
from server.db.tables import bookings, jobs, showcase_events, spaces
from server.showcases.service import ShowcaseRefused
from tests.server.db.conftest import run
from tests.server.showcases.world import (
    MONDAY,
    OTHER_PARK,
    PARK,
    RecordingBus,
    World,
    services,
    world,
)


async def count(w: World, table: object, *where: object) -> int:
    row = await w.store.db.row(select(func.count()).select_from(table).where(*where))  # type: ignore[arg-type]
    return int(row[0]) if row else 0


def test_an_event_books_its_stage_once_and_tells_the_park(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(14, presenters=("pam", "v1")))
            assert (ev.state, ev.organizer, ev.presenters, ev.park_id, ev.stage_id) == (
                "scheduled", "olga", ("pam", "v1"), PARK, "main")
            space = await w.store.spaces.get(ev.space_id)  # type: ignore[arg-type]
            assert space is not None and (space.kind, space.venue_id) == ("stage", "stage:main")
            booking = await w.store.bookings.get(ev.booking_id)  # type: ignore[arg-type]
            assert booking is not None and booking.state == "confirmed" and booking.booked_by == "olga"
            assert (booking.start, booking.end) == (ev.start, ev.end)
            later = await w.service.schedule(w.people["olga"], w.draft(17, 60))
            assert later.space_id == ev.space_id  # the stage's space is made once
            assert await count(w, spaces, spaces.c.kind == "stage") == 1
            assert w.bus.of("stage.changed")[:2] == [{"park": PARK, "event": ev.id}, {"park": PARK, "event": later.id}]
            kinds = sorted(r.kind for r in await w.store.db.rows(select(jobs.c.kind).where(
                jobs.c.key.like(f"showcase.%:{ev.id}:%"))))
            assert kinds == ["showcase.end", "showcase.remind", "showcase.start"]
            assert [e.id for e in await w.service.upcoming(park_id=PARK)] == [ev.id, later.id]
            # the stage's booking is the event's: no booking notice or check-in reminder for it
            assert [n.notice.kind for n in await w.store.inbox.page("olga")].count("booking") == 0
            assert await count(w, jobs, jobs.c.kind == "booking.remind") == 0
    run(go())


def test_two_events_never_overlap_on_one_stage(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            first = await w.service.schedule(w.people["olga"], w.draft(14, 120))
            with pytest.raises(ShowcaseRefused) as taken:
                await w.service.schedule(w.people["otto"], w.draft(15, 60))
            assert (taken.value.code, taken.value.problems[0].field) == ("taken", "start")
            assert taken.value.alternatives and w.at(MONDAY, 16) in taken.value.alternatives
            back_to_back = await w.service.schedule(w.people["otto"], w.draft(16, 60))
            elsewhere = await w.service.schedule(w.people["otto"], w.draft(14, 120, park=OTHER_PARK))
            assert back_to_back.booking_id and elsewhere.booking_id and first.booking_id
            assert await count(w, showcase_events) == 3
    run(go())


def test_organizers_racing_for_one_stage_on_two_stores_book_it_once(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            other = await Store.open(database_url)
            try:
                _, second = services(other, w.clock, RecordingBus())
                tries = [(w.service if i % 2 else second).schedule(
                    w.people["olga" if i % 3 else "otto"], w.draft(14, 90, title_en=f"Launch {i}"))
                    for i in range(8)]
                got = await asyncio.gather(*tries, return_exceptions=True)
            finally:
                await other.close()
            won = [g for g in got if not isinstance(g, BaseException)]
            lost = [g for g in got if isinstance(g, BaseException)]
            assert len(won) == 1 and len(lost) == 7
            assert all(isinstance(e, ShowcaseRefused) and e.code == "taken" for e in lost), lost
            assert await count(w, showcase_events) == 1
            assert await count(w, bookings, bookings.c.state == "confirmed") == 1
    run(go())


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"minutes": -30}, "end", "bad_range"),
    ({"capacity": 0}, "capacity", "capacity"),
    ({"capacity": -1}, "capacity", "capacity"),
    ({"capacity": 10, "quota": 11}, "quota", "quota"),
    ({"title_zh": "  "}, "title_zh", "required"),
    ({"title_en": "x" * 121}, "title_en", "too_long"),
    ({"park": "nowhere"}, "park_id", "unknown_park"),
    ({"stage_id": "east"}, "stage_id", "unknown_stage"),
    ({"presenters": ("nobody",)}, "presenters", "presenters"),
    ({"registration": "vip"}, "registration", "registration"),
    ({"day": MONDAY - timedelta(days=10)}, "start", "past"),
])
def test_bad_input_is_named_and_nothing_is_written(database_url: str, changes: dict[str, object], field: str,
                                                    code: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            kw = dict(changes)
            hour_minutes = {k: kw.pop(k) for k in ("minutes",) if k in kw}
            with pytest.raises(ShowcaseRefused) as refused:
                await w.service.schedule(w.people["olga"], w.draft(14, hour_minutes.get("minutes", 120),  # type: ignore[arg-type]
                                                                   **kw))
            assert (refused.value.problems[0].field, refused.value.problems[0].code) == (field, code)
            assert await count(w, showcase_events) == 0 and await count(w, bookings) == 0
            assert w.bus.of("stage.changed") == []
    run(go())


def test_a_bad_stream_url_and_bad_words_are_refused(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            with pytest.raises(ShowcaseRefused) as refused:
                await w.service.schedule(w.people["olga"], w.draft(), stream_url="ftp://x/live.m3u8",
                                         words=["y" * 41])
            assert [p.field for p in refused.value.problems] == ["words", "stream_url"]
            ok = await w.service.schedule(w.people["olga"], w.draft(), stream_url="https://cdn.example/live.m3u8")
            assert ok.stream_url == "https://cdn.example/live.m3u8"
    run(go())


def test_moving_an_event_books_the_new_time_and_frees_the_old(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(14, 120))
            blocker = await w.service.schedule(w.people["otto"], w.draft(18, 60))
            await w.service.register(w.people["v1"], ev.id)
            moved = await w.service.edit(w.people["olga"], ev.id, w.draft(15, 120))  # overlaps its old time
            assert moved.start == w.at(MONDAY, 15).timestamp() and moved.booking_id != ev.booking_id
            old = await w.store.bookings.get(ev.booking_id)  # type: ignore[arg-type]
            new = await w.store.bookings.get(moved.booking_id)  # type: ignore[arg-type]
            assert old is not None and new is not None and (old.state, new.state) == ("cancelled", "confirmed")
            assert "showcase.notice.moved.title" in await w.inbox("v1")
            away = await w.service.edit(w.people["olga"], ev.id, w.draft(10, 60))  # no overlap: booked first
            assert away.start == w.at(MONDAY, 10).timestamp()
            with pytest.raises(ShowcaseRefused) as taken:
                await w.service.edit(w.people["olga"], ev.id, w.draft(18, 30))
            assert taken.value.code == "taken"
            still = await w.service.event(ev.id)
            assert still.start == away.start and still.booking_id == away.booking_id  # nothing changed
            assert (await w.store.bookings.get(away.booking_id)).state == "confirmed"  # type: ignore[arg-type,union-attr]
            assert blocker.booking_id is not None
            # the old time's reminder does nothing; the new one reminds the registered
            s = w.scheduler()
            w.clock.advance(w.at(MONDAY, 9, 30).timestamp() - w.clock.now())
            await s.run_due()
            assert (await w.inbox("v1")).count("showcase.notice.remind.title") == 1
            w.clock.advance(w.at(MONDAY, 13, 30).timestamp() - w.clock.now())  # the first time's reminder
            await s.run_due()
            assert (await w.inbox("v1")).count("showcase.notice.remind.title") == 1
    run(go())


def test_cancelling_releases_the_stage_and_tells_the_registered(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(14, 120))
            await w.service.register(w.people["v1"], ev.id)
            gone = await w.service.cancel(w.people["olga"], ev.id, "speaker ill")
            assert gone.state == "cancelled" and gone.note == "speaker ill"
            assert (await w.store.bookings.get(ev.booking_id)).state == "cancelled"  # type: ignore[arg-type,union-attr]
            inbox = await w.store.inbox.page("v1")
            assert inbox[0].notice.title_key == "showcase.notice.cancelled.title"
            assert inbox[0].notice.params["reason"] == "speaker ill"
            again = await w.service.schedule(w.people["otto"], w.draft(14, 120))  # the stage is free again
            assert again.booking_id is not None
            with pytest.raises(ShowcaseRefused, match="a cancelled event cannot be cancelled"):
                await w.service.cancel(w.people["olga"], ev.id)
            with pytest.raises(ShowcaseRefused, match="cancelled"):
                await w.service.register(w.people["v2"], ev.id)
    run(go())


def test_the_jobs_remind_start_and_end_and_the_stage_is_never_released(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(14, 120, quota=1))
            await w.service.register(w.people["v1"], ev.id)
            await w.service.register(w.people["v2"], ev.id)  # waitlisted: no reminder
            s = w.scheduler()
            w.clock.advance(w.at(MONDAY, 13, 30).timestamp() - w.clock.now())
            await s.run_due()
            assert "showcase.notice.remind.title" in await w.inbox("v1")
            assert "showcase.notice.remind.title" in await w.inbox("pam")  # presenters too
            assert "showcase.notice.remind.title" not in await w.inbox("v2")
            w.clock.advance(30 * 60)
            await s.run_due()
            live = await w.service.event(ev.id)
            assert live.state == "live"
            assert (await w.store.bookings.get(ev.booking_id)).state == "checked_in"  # type: ignore[arg-type,union-attr]
            await w.service.joined(ev.id, "v1", "main")
            w.clock.advance(3 * 3600)  # past the end and the no-show release's grace
            await s.run_due()
            assert (await w.service.event(ev.id)).state == "ended"
            assert (await w.store.bookings.get(ev.booking_id)).state == "checked_in"  # type: ignore[arg-type,union-attr]
            (visit,) = await w.store.showcases.attendance(ev.id)
            assert visit.left == ev.end  # closed at the end
            assert s.failed == 0
    run(go())


def test_going_live_and_ending_by_hand(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(14, 120))
            w.clock.advance(w.at(MONDAY, 13, 40).timestamp() - w.clock.now())
            with pytest.raises(ShowcaseRefused) as early:
                await w.service.start(ev.id)
            assert early.value.code == "too_early"
            w.clock.advance(10 * 60)  # 13:50: within 15 minutes of the start
            live = await w.service.start(ev.id)
            assert live.state == "live"
            with pytest.raises(ShowcaseRefused, match="a live event's start cannot move"):
                await w.service.edit(w.people["olga"], ev.id, w.draft(15, 60))
            with pytest.raises(ShowcaseRefused, match="a live event's end cannot move"):
                await w.service.edit(w.people["olga"], ev.id, w.draft(14, 150))
            retitled = await w.service.edit(w.people["olga"], ev.id, w.draft(14, 120, title_en="Launch, live"))
            assert retitled.title_en == "Launch, live" and retitled.end == ev.end
            with pytest.raises(ShowcaseRefused, match="a live event cannot be cancelled"):
                await w.service.cancel(w.people["olga"], ev.id)
            assert (await w.service.end(ev.id)).state == "ended"
            with pytest.raises(ShowcaseRefused, match="an ended event cannot be changed"):
                await w.service.edit(w.people["olga"], ev.id, w.draft(14, 120))
            hints = w.bus.of("stage.changed")
            assert len(hints) == 4 and {h["event"] for h in hints} == {ev.id}
            streamed = await w.service.set_stream(ev.id, "ended", url="/streams/1/replay.m3u8")
            assert (streamed.stream_state, streamed.stream_url) == ("ended", "/streams/1/replay.m3u8")
            with pytest.raises(ShowcaseRefused):
                await w.service.set_stream(ev.id, "paused")
            _ = dataclasses
    run(go())
