"""The durable scheduler: due times in the database, the injected clock decides when,
recurring jobs reschedule, failures are recorded, and two processes never fire one job twice."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from server.clock import ManualClock
from server.db import Store
from server.scheduler import Scheduler


def _url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'jobs.sqlite3'}"


def test_a_job_runs_once_when_its_time_comes_and_a_recurring_one_comes_back(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store.open(_url(tmp_path))
        clock = ManualClock()
        ran: list[tuple[str, float]] = []
        s = Scheduler(store.jobs, clock, "w1")

        async def remind(payload: dict[str, Any], now: float) -> None:
            ran.append((payload["who"], now))

        async def tidy(payload: dict[str, Any], now: float) -> float:
            ran.append(("tidy", now))
            return now + 60.0

        s.handle("remind", remind)
        s.handle("tidy", tidy)
        t0 = clock.now()
        assert await s.schedule("remind", "remind:ada", t0 + 10.0, {"who": "ada"})
        assert not await s.schedule("remind", "remind:ada", t0 + 99.0, {"who": "ada"})  # one pending per key
        await s.schedule("tidy", "tidy", t0)
        assert await s.run_due() == 1 and ran == [("tidy", t0)]
        clock.advance(9.9)
        assert await s.run_due() == 0
        clock.advance(0.2)
        assert await s.run_due() == 1 and ran[-1][0] == "ada" and abs(ran[-1][1] - (t0 + 10.1)) < 1e-6
        clock.advance(50.0)
        assert await s.run_due() == 1 and ran[-1][0] == "tidy"  # came back 60 s after it ran
        assert await s.run_due() == 0
        assert abs(await store.jobs.next_due() - (t0 + 120.1)) < 1e-6
        with pytest.raises(KeyError):
            await s.schedule("unknown", "k", t0)
        await store.close()
    asyncio.run(go())


def test_a_failing_job_is_recorded_and_not_fired_again(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store.open(_url(tmp_path))
        clock = ManualClock()
        s = Scheduler(store.jobs, clock, "w1")
        calls = 0

        async def broken(payload: dict[str, Any], now: float) -> None:
            nonlocal calls
            calls += 1
            raise ValueError("device unreachable")

        s.handle("broken", broken)
        await s.schedule("broken", "b", clock.now())
        await s.run_due()
        clock.advance(5)
        await s.run_due()
        assert calls == 1 and s.failed == 1
        await store.close()
    asyncio.run(go())


def test_two_processes_on_one_database_never_fire_a_job_twice(tmp_path: Path) -> None:
    async def go() -> None:
        one, two = await Store.open(_url(tmp_path)), await Store.open(_url(tmp_path))
        clock = ManualClock()
        fired: list[str] = []

        async def job(payload: dict[str, Any], now: float) -> None:
            fired.append(payload["n"])
            await asyncio.sleep(0)

        schedulers = [Scheduler(one.jobs, clock, "a", batch=7), Scheduler(two.jobs, clock, "b", batch=5)]
        for s in schedulers:
            s.handle("job", job)
        for n in range(200):
            await schedulers[n % 2].schedule("job", f"job:{n}", clock.now() + n % 10, {"n": str(n)})
        clock.advance(10)
        await asyncio.gather(*(s.run_due() for s in schedulers for _ in range(3)))
        assert sorted(fired, key=int) == [str(n) for n in range(200)]  # every job, each exactly once
        assert schedulers[0].fired + schedulers[1].fired == 200
        await one.close()
        await two.close()
    asyncio.run(go())


def test_restarts_never_multiply_a_recurring_chain_and_a_failing_run_does_not_end_it(tmp_path: Path) -> None:
    async def go() -> None:
        clock = ManualClock()
        runs: list[float] = []

        async def tidy(payload: dict[str, Any], now: float) -> float:
            runs.append(now)
            if len(runs) == 2:
                raise OSError("disk busy")
            return now + 60.0

        for _ in range(4):  # four starts of the server, each scheduling its recurring job
            store = await Store.open(_url(tmp_path))
            s = Scheduler(store.jobs, clock, "w")
            s.handle("tidy", tidy, every=60.0)
            await s.recover()
            await s.schedule("tidy", "tidy", clock.now())
            await s.run_due()
            clock.advance(61)
            await store.close()
        store = await Store.open(_url(tmp_path))
        s = Scheduler(store.jobs, clock, "w")
        s.handle("tidy", tidy, every=60.0)
        await s.run_due()
        assert len(runs) == 5  # one run per minute that passed, the failed one included, never two at once
        pending = await store.jobs.next_due()
        assert pending is not None and pending > clock.now()
        await store.close()
    asyncio.run(go())


def test_a_process_claims_only_the_job_kinds_it_has_handlers_for(tmp_path: Path) -> None:
    """A booking's release job written by the web process waits for a process that can
    run it: a scheduler without the handler neither claims nor fails it."""
    async def go() -> None:
        one, two = await Store.open(_url(tmp_path)), await Store.open(_url(tmp_path))
        clock = ManualClock()
        chat_only, bookings = Scheduler(one.jobs, clock, "chat-only"), Scheduler(two.jobs, clock, "bookings")
        ran: list[str] = []

        async def noop(payload: dict[str, Any], now: float) -> None:
            ran.append(payload["k"])

        chat_only.handle("chat.retention", noop)
        bookings.handle("booking.release", noop)
        t0 = clock.now()
        await one.jobs.schedule("booking.release", "booking.release:1", t0, {"k": "release"})
        await one.jobs.schedule("chat.retention", "chat.retention", t0 + 5, {"k": "chat"})
        assert await chat_only.run_due() == 0 and chat_only.failed == 0
        assert await one.jobs.next_due(kinds=("chat.retention",)) == t0 + 5  # not woken by the other kind
        (job,) = [j for j in [await one.jobs.get(1)] if j is not None]
        assert (job.kind, job.state) == ("booking.release", "pending")  # left for a process that can run it
        assert await bookings.run_due() == 1 and ran == ["release"]
        assert await one.jobs.claim_due(t0 + 10, "nobody", 10, kinds=()) == []
        clock.advance(6)
        assert await bookings.run_due() == 0  # the chat job is not its kind
        assert await chat_only.run_due() == 1 and ran == ["release", "chat"]
        assert (await one.jobs.get(1)).state == "done"  # type: ignore[union-attr]
        await one.close()
        await two.close()
    asyncio.run(go())
