"""The booking service on both engines, driven by an injected ManualClock: one click,
the race for one slot (exactly one wins, the others get alternatives; without the
database's guard several would), refusals that write nothing, approval, the waitlist
offered in turn, no-show release and hold expiry as scheduler jobs that survive a
restart, check-in codes, quotas, cancellation deadlines and a weekly series across
the daylight saving change in Europe/Berlin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.accounts import Accounts
from server.bookings.codes import code_hash
from server.bookings.service import BookingRefused, BookingService
from server.clock import ManualClock
from server.db import Store
from server.db.spaces import Space
from server.db.tables import bookings, jobs
from server.scheduler import Scheduler
from tests.server.db.conftest import run
from world.people import Person

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
SECRET = b"k" * 32
PARK = "798-art-zone"


@dataclass
class World:
    store: Store
    clock: ManualClock
    service: BookingService
    people: dict[str, Person]
    room: int

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.service.tz).astimezone(UTC)

    async def count(self, state: str | None = None) -> int:
        stmt = select(func.count()).select_from(bookings)
        if state:
            stmt = stmt.where(bookings.c.state == state)
        row = await self.store.db.row(stmt)
        return int(row[0]) if row else 0


async def _people(store: Store) -> dict[str, Person]:
    accounts = Accounts(store, scrypt_n=2**10)
    await accounts.create("ana", "correct horse 1", "Ana", "enterprise", company="Acme Design", now=1.0)
    await accounts.create("zed", "correct horse 1", "Zed", "enterprise", company="Zeta Media", now=1.0)
    for user in ("bob", "cai"):
        await accounts.create(user, "correct horse 1", user.title(), "visitor", now=1.0)
    await accounts.create("pam", "correct horse 1", "Pam", "park_staff", parks=(PARK,), now=1.0)
    acme = (await store.orgs.named("Acme Design"))[0]
    for user in ("bob", "cai"):
        await store.orgs.add_member(acme.id, user, "member", 1.0)
    out = {}
    for user in ("ana", "zed", "bob", "cai", "pam"):
        account = await store.accounts.get(user)
        assert account is not None
        out[user] = await accounts.person(account)
    return out


@asynccontextmanager
async def world(url: str, rules: dict[str, Any] | None = None, tz: ZoneInfo = SHANGHAI,
                clock: ManualClock | None = None, fresh: bool = True) -> AsyncIterator[World]:
    store = await Store.open(url)
    try:
        clock = clock or ManualClock()  # 2026-01-01T00:00Z
        if fresh:
            people = await _people(store)
            room = await store.spaces.add(Space(PARK, "room-1", "Room 1", "meeting", 8,
                                                rules={"audience": "zone", **(rules or {})}))
        else:
            accounts = Accounts(store, scrypt_n=2**10)
            people = {u: await accounts.person(a) for u in ("ana", "bob", "cai", "zed", "pam")
                      if (a := await store.accounts.get(u)) is not None}
            room = (await store.spaces.of_park(PARK))[0].id
        yield World(store, clock, BookingService(store, clock, tz, SECRET), people, room)
    finally:
        await store.close()


MONDAY = date(2026, 1, 5)


def test_one_click_books_a_free_slot_with_a_check_in_code_and_tells_the_booker(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            got = await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11), 4)
            assert got.state == "confirmed" and got.for_user == "ana" and got.org_id is not None
            assert await w.store.bookings.by_code_hash(code_hash(w.service.code(got.id))) == got
            assert (await w.service.by_code(w.service.code(got.id).lower())).id == got.id
            inbox = await w.store.inbox.page("ana")
            assert [n.notice.title_key for n in inbox] == ["booking.notice.confirmed.title"]
            assert inbox[0].notice.params["start"] == "10:00" and inbox[0].notice.params["day"] == "2026-01-05"
            # the same hour again: taken, with the nearest free times of the same length
            with pytest.raises(BookingRefused) as taken:
                await w.service.book(w.people["bob"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
            assert taken.value.code == "taken"
            assert taken.value.alternatives[:2] == (w.at(MONDAY, 9), w.at(MONDAY, 11))  # nearest, earlier first
            # booked on behalf of a colleague; a stranger cannot be booked for
            for_bob = await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 12), w.at(MONDAY, 13),
                                           for_user="bob")
            assert (for_bob.booked_by, for_bob.for_user) == ("ana", "bob")
            assert [n.notice.title_key for n in await w.store.inbox.page("bob")] == ["booking.notice.confirmed.title"]
            with pytest.raises(BookingRefused) as stranger:
                await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 14), w.at(MONDAY, 15), for_user="zed")
            assert stranger.value.problems[0].field == "for_user"
            assert await w.count() == 2
    run(go())


def test_bad_requests_are_refused_with_the_rule_and_nothing_is_written(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"horizon_days": 30}) as w:
            ana = w.people["ana"]
            cases = [
                ((w.at(date(2025, 12, 31), 10), w.at(date(2025, 12, 31), 11), 1), "past", "start"),
                ((w.at(date(2026, 3, 2), 10), w.at(date(2026, 3, 2), 11), 1), "beyond_horizon", "start"),
                ((w.at(MONDAY, 10), w.at(MONDAY, 10), 1), "bad_range", "end"),
                ((w.at(MONDAY, 11), w.at(MONDAY, 10), 1), "bad_range", "end"),
                ((w.at(MONDAY, 10), w.at(MONDAY, 11), 9), "capacity", "people"),
                ((w.at(MONDAY, 10), w.at(MONDAY, 11), 0), "people", "people"),
                ((w.at(MONDAY, 10), w.at(MONDAY, 10, 10), 1), "too_short", "end"),
            ]
            for (start, end, people), code, field in cases:
                with pytest.raises(BookingRefused) as refused:
                    await w.service.book(ana, w.room, start, end, people)
                assert (refused.value.problems[0].code, refused.value.problems[0].field) == (code, field), code
            with pytest.raises(BookingRefused) as unknown:
                await w.service.book(ana, 99_999, w.at(MONDAY, 10), w.at(MONDAY, 11))
            assert unknown.value.code == "unknown_space"
            with pytest.raises(BookingRefused) as private:  # audience "zone": a person of no enterprise
                await w.service.book(Person("vera", "Vera", "visitor", registered=True), w.room,
                                     w.at(MONDAY, 10), w.at(MONDAY, 11))
            assert private.value.code == "audience"
            space = await w.store.spaces.get(w.room)
            assert space is not None
            await w.store.spaces.save(replace(space, retired=True))
            with pytest.raises(BookingRefused) as retired:
                await w.service.book(ana, w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
            assert retired.value.code == "retired"
            assert await w.count() == 0
            assert int((await w.store.db.row(select(func.count()).select_from(jobs)))[0]) == 0  # type: ignore[index]
    run(go())


def test_racing_bookers_on_two_servers_exactly_one_wins_the_rest_get_alternatives(database_url: str) -> None:
    async def go(guarded: bool) -> tuple[int, list[Any]]:
        async with world(database_url) as w:
            if not guarded:
                await w.store.db.commit(_drop_guard(database_url))
            second = await Store.open(database_url)  # another web process on the same database
            try:
                other = BookingService(second, w.clock, SHANGHAI, SECRET)
                services = [w.service, other] * 6
                who = [w.people[u] for u in ("ana", "bob", "cai")] * 4
                results = await asyncio.gather(*(
                    s.book(p, w.room, w.at(MONDAY, 10), w.at(MONDAY, 11)) for s, p in zip(services, who, strict=True)),
                    return_exceptions=True)
            finally:
                await second.close()
            confirmed = await w.count("confirmed")
            await w.store.db.commit(_empty_bookings)
            return confirmed, results

    won, results = run(go(True))
    assert won == 1
    losers = [r for r in results if isinstance(r, BookingRefused)]
    odd = [r for r in results if isinstance(r, BaseException) and not isinstance(r, BookingRefused)]
    assert not odd, odd  # a racing booker is told "taken", never handed an engine error
    assert len(losers) == 11 and all(r.code == "taken" and r.alternatives for r in losers)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, BookingRefused)]


async def _empty_bookings(conn: Any) -> None:
    await conn.execute(bookings.delete())


def _drop_guard(url: str) -> Any:
    async def go(conn: Any) -> None:
        if url.startswith("sqlite"):
            await conn.exec_driver_sql("DROP TRIGGER bookings_no_overlap_insert")
        else:
            await conn.exec_driver_sql("ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap")
    return go


def test_the_race_is_won_by_several_without_the_database_guard(database_url: str) -> None:
    """The Python check alone reads before the others write: it cannot settle a race."""
    async def go() -> int:
        async with world(database_url) as w:
            await w.store.db.commit(_drop_guard(database_url))
            second = await Store.open(database_url)
            try:
                services = [w.service, BookingService(second, w.clock, SHANGHAI, SECRET)] * 6
                await asyncio.gather(*(s.book(w.people["ana"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
                                       for s in services), return_exceptions=True)
            finally:
                await second.close()
            return await w.count("confirmed")
    assert run(go()) > 1


def test_approval_then_hold_expiry_by_the_scheduler(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"approval": True, "hold_minutes": 60}) as w:
            scheduler = Scheduler(w.store.jobs, w.clock, "w1")
            w.service.register(scheduler)
            first = await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
            assert first.state == "pending" and first.hold_until == w.clock.now() + 3600
            assert [n.notice.title_key for n in await w.store.inbox.page("pam")] == ["booking.notice.approval.title"]
            with pytest.raises(BookingRefused):  # a pending request holds the slot
                await w.service.book(w.people["bob"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
            approved = await w.service.approve(w.people["pam"], first.id)
            assert approved.state == "confirmed" and approved.hold_until is None
            assert (await w.store.audit.page(target=f"booking:{first.id}"))[0].action == "booking.approve"
            with pytest.raises(BookingRefused) as twice:
                await w.service.approve(w.people["pam"], first.id)
            assert twice.value.code == "state"
            second = await w.service.book(w.people["bob"], w.room, w.at(MONDAY, 14), w.at(MONDAY, 15))
            w.clock.advance(3599)
            await scheduler.run_due()
            assert (await w.store.bookings.get(second.id)).state == "pending"  # type: ignore[union-attr]
            w.clock.advance(2)
            await scheduler.run_due()
            assert (await w.store.bookings.get(second.id)).state == "expired"  # type: ignore[union-attr]
            assert (await w.store.inbox.page("bob"))[0].notice.title_key == "booking.notice.expired.title"
            again = await w.service.book(w.people["cai"], w.room, w.at(MONDAY, 14), w.at(MONDAY, 15))
            declined = await w.service.decline(w.people["pam"], again.id, "a private event")
            assert declined.state == "declined" and declined.note == "a private event"
            assert (await w.store.inbox.page("cai"))[0].notice.params["reason"] == "a private event"
    run(go())


def test_the_waitlist_is_offered_in_turn_and_a_lapsed_offer_goes_to_the_next(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"hold_minutes": 30, "cancel_deadline_minutes": 60}) as w:
            scheduler = Scheduler(w.store.jobs, w.clock, "w1")
            w.service.register(scheduler)
            start, end = w.at(MONDAY, 10), w.at(MONDAY, 11)
            mine = await w.service.book(w.people["ana"], w.room, start, end)
            with pytest.raises(BookingRefused) as free:
                await w.service.wait(w.people["bob"], w.room, w.at(MONDAY, 12), w.at(MONDAY, 13))
            assert free.value.code == "free"
            await w.service.wait(w.people["bob"], w.room, start, end)
            await w.service.wait(w.people["cai"], w.room, start, end)
            await w.service.cancel(w.people["ana"], mine.id)
            offered = [b for b in await w.store.bookings.holding(w.room, 0, 2e9) if b.state == "offered"]
            assert [b.for_user for b in offered] == ["bob"]
            assert (await w.store.inbox.page("bob"))[0].notice.title_key == "booking.notice.offered.title"
            w.clock.advance(31 * 60)  # bob lets it lapse: cai is offered
            await scheduler.run_due()
            assert (await w.store.bookings.get(offered[0].id)).state == "expired"  # type: ignore[union-attr]
            cai = [b for b in await w.store.bookings.holding(w.room, 0, 2e9) if b.state == "offered"]
            assert [b.for_user for b in cai] == ["cai"]
            with pytest.raises(BookingRefused):
                await w.service.accept(w.people["bob"], offered[0].id)
            accepted = await w.service.accept(w.people["cai"], cai[0].id)
            assert accepted.state == "confirmed"
            assert await w.count("confirmed") == 1
    run(go())


def test_a_no_show_is_released_by_a_job_that_survives_a_restart(database_url: str) -> None:
    clock = ManualClock()

    async def before() -> tuple[int, str]:
        async with world(database_url, {"check_in_grace_minutes": 15}, clock=clock) as w:
            booked = await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 10), w.at(MONDAY, 11))
            await w.service.wait(w.people["bob"], w.room, w.at(MONDAY, 10, 30), w.at(MONDAY, 11))
            other = await w.service.book(w.people["cai"], w.room, w.at(MONDAY, 14), w.at(MONDAY, 15))
            return booked.id, w.service.code(other.id)

    booked_id, cai_code = run(before())  # the process stops; the jobs are in the database

    async def after() -> None:
        async with world(database_url, clock=clock, fresh=False) as w:
            scheduler = Scheduler(w.store.jobs, w.clock, "after-restart")
            w.service.register(scheduler)
            await scheduler.recover()
            start = w.at(MONDAY, 10)
            clock.advance(start.timestamp() + 15 * 60 - clock.now() - 1)
            await scheduler.run_due()  # reminder only: still inside the grace period
            assert (await w.store.bookings.get(booked_id)).state == "confirmed"  # type: ignore[union-attr]
            assert (await w.store.inbox.page("ana"))[0].notice.title_key == "booking.notice.remind.title"
            clock.advance(2)
            await scheduler.run_due()
            assert (await w.store.bookings.get(booked_id)).state == "released"  # type: ignore[union-attr]
            assert await w.store.bookings.no_shows("ana") == 1
            assert (await w.store.inbox.page("ana"))[0].notice.title_key == "booking.notice.released.title"
            offered = [b for b in await w.store.bookings.holding(w.room, 0, 2e9) if b.state == "offered"]
            assert [b.for_user for b in offered] == ["bob"]
            # check-in with the code: too early, then in the window
            with pytest.raises(BookingRefused) as early:
                await w.service.check_in((await w.service.by_code(cai_code)).id)
            assert early.value.code == "too_early"
            clock.advance(w.at(MONDAY, 13, 50).timestamp() - clock.now())
            done = await w.service.check_in((await w.service.by_code(cai_code)).id)
            assert done.state == "checked_in"
            clock.advance(3600)
            await scheduler.run_due()  # its release job finds it checked in: nothing happens
            assert (await w.store.bookings.get(done.id)).state == "checked_in"  # type: ignore[union-attr]
            assert await w.store.bookings.no_shows("cai") == 0
    run(after())


def test_quota_per_enterprise_and_week_and_the_cancellation_deadline(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"weekly_quota_minutes": 120, "cancel_deadline_minutes": 120}) as w:
            await w.service.book(w.people["ana"], w.room, w.at(MONDAY, 9), w.at(MONDAY, 10))
            second = await w.service.book(w.people["bob"], w.room, w.at(MONDAY, 12), w.at(MONDAY, 13))
            with pytest.raises(BookingRefused) as quota:  # the same enterprise, the same week
                await w.service.book(w.people["cai"], w.room, w.at(MONDAY + timedelta(days=6), 9),
                                     w.at(MONDAY + timedelta(days=6), 10))
            assert quota.value.code == "quota"
            await w.service.book(w.people["cai"], w.room, w.at(MONDAY + timedelta(days=7), 9),
                                 w.at(MONDAY + timedelta(days=7), 10))  # next week
            await w.service.book(w.people["zed"], w.room, w.at(MONDAY, 15), w.at(MONDAY, 17))  # another enterprise
            w.clock.advance(w.at(MONDAY, 11).timestamp() - w.clock.now())
            with pytest.raises(BookingRefused) as late:
                await w.service.cancel(w.people["bob"], second.id)
            assert late.value.code == "deadline"
            cancelled = await w.service.cancel(w.people["pam"], second.id, reason="water leak", by_office=True)
            assert cancelled.state == "cancelled"
            assert (await w.store.audit.page(target=f"booking:{second.id}"))[0].detail["reason"] == "water leak"
            assert (await w.store.inbox.page("bob"))[0].notice.params["reason"] == "water leak"
    run(go())


def test_a_weekly_series_keeps_berlin_wall_clock_time_across_dst_and_reports_each_clash(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url, {"horizon_days": 180}, tz=BERLIN) as w:
            first = date(2026, 3, 16)  # Mondays 16, 23 March (CET), 30 March, 6 April (CEST)
            blocker = await w.service.book(w.people["zed"], w.room, w.at(date(2026, 3, 30), 10),
                                           w.at(date(2026, 3, 30), 11))
            series = await w.service.book_weekly(w.people["ana"], w.room, w.at(first, 10), w.at(first, 11), 4)
            starts = [b.start for b in series.booked]
            assert [datetime.fromtimestamp(s, UTC).hour for s in starts] == [9, 9, 8]
            assert all(datetime.fromtimestamp(s, UTC).astimezone(BERLIN).hour == 10 for s in starts)
            assert [(c.day, [p.code for p in c.problems]) for c in series.clashes] == [(date(2026, 3, 30), ["taken"])]
            stored = await w.store.bookings.series(series.id)
            assert stored is not None and stored["clashes"] == [{"day": "2026-03-30", "codes": ["taken"]}]
            with pytest.raises(BookingRefused) as overlapping:  # the same series again: every week clashes
                await w.service.book_weekly(w.people["bob"], w.room, w.at(first, 10, 30), w.at(first, 11, 30), 4)
            assert overlapping.value.code == "series"
            assert await w.count("confirmed") == 4 and blocker.state == "confirmed"
    run(go())
