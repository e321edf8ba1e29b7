"""Durable jobs: idempotent scheduling by key, claims that never hand a job out twice."""

from __future__ import annotations

import asyncio

from server.db import Store
from server.db.jobs import Job
from tests.server.db.conftest import opened, run


def test_schedule_is_idempotent_by_key_and_a_finished_key_may_run_again(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            jobs = store.jobs
            assert await jobs.schedule("reminder", "booking:1", 10.0, {"booking": 1, "to": ["ana"]})
            assert not await jobs.schedule("reminder", "booking:1", 99.0, {"other": True})  # pending: unchanged
            (job,) = await jobs.claim_due(10.0, "w1", 5)
            assert job == Job(job.id, "reminder", "booking:1", 10.0, {"booking": 1, "to": ["ana"]}, "claimed",
                              "w1", 10.0, None, "")
            assert not await jobs.schedule("reminder", "booking:1", 20.0, {})  # claimed: unchanged
            assert await jobs.finish(job.id, ok=False, error="smtp down", now=11.0)
            assert await jobs.get(job.id) == Job(job.id, "reminder", "booking:1", 10.0, {"booking": 1, "to": ["ana"]},
                                                 "failed", "w1", 10.0, 11.0, "smtp down")
            assert await jobs.schedule("reminder", "booking:1", 30.0, {"retry": 1})  # failed: scheduled afresh
            assert await jobs.get(job.id) == Job(job.id, "reminder", "booking:1", 30.0, {"retry": 1}, "pending", "",
                                                 None, None, "")
    run(go())


def test_claims_take_due_jobs_earliest_first_up_to_the_limit(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            jobs = store.jobs
            assert await jobs.next_due() is None
            for key, due in (("a", 5.0), ("b", 1.0), ("c", 3.0), ("d", 10.0)):
                await jobs.schedule("k", key, due, {})
            assert await jobs.next_due() == 1.0
            assert [j.key for j in await jobs.claim_due(4.0, "w", limit=1)] == ["b"]
            assert [j.key for j in await jobs.claim_due(4.0, "w", limit=5)] == ["c"]
            assert await jobs.claim_due(4.0, "w", limit=5) == []
            assert await jobs.next_due() == 5.0
            (a,) = await jobs.claim_due(6.0, "w", limit=5)
            assert await jobs.finish(a.id, ok=True, now=7.0)
            assert not await jobs.finish(a.id, ok=True, now=8.0)  # finished already
            assert not await jobs.finish(12345, ok=True)
            assert (await jobs.get(a.id)).state == "done"  # type: ignore[union-attr]
    run(go())


def test_a_claim_whose_worker_died_can_be_requeued(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            jobs = store.jobs
            await jobs.schedule("k", "x", 1.0, {})
            await jobs.schedule("k", "y", 1.0, {})
            x, y = await jobs.claim_due(2.0, "dead", 5)
            await jobs.claim_due(2.0, "dead", 5)
            assert await jobs.finish(y.id, ok=True, now=3.0)
            assert await jobs.requeue_stale(claimed_before=2.5) == 1
            assert not await jobs.finish(x.id, ok=True)  # its claim is gone
            assert [j.id for j in await jobs.claim_due(4.0, "alive", 5)] == [x.id]
    run(go())


def test_two_databases_claiming_at_once_never_get_the_same_job(url: str) -> None:
    per_round, rounds = 100, 3

    async def drain(store: Store, worker: str) -> list[int]:
        got: list[int] = []
        while True:  # several claims in flight at once: they share one transaction
            claims = await asyncio.gather(*(store.jobs.claim_due(100.0, worker, 4) for _ in range(3)))
            ids = [j.id for claim in claims for j in claim]
            if not ids:
                return got
            assert all(j.claimed_by == worker for claim in claims for j in claim)
            got.extend(ids)

    async def go() -> None:
        async with opened(url) as one, opened(url) as two:
            for r in range(rounds):
                await asyncio.gather(*(one.jobs.schedule("k", f"{r}:{i}", float(i % 7), {"i": i})
                                       for i in range(per_round)))
                a, b = await asyncio.gather(drain(one, "one"), drain(two, "two"))
                assert len(a) + len(b) == per_round
                assert len(set(a) | set(b)) == per_round  # every job once, none twice
                for job_id in a[:3] + b[:3]:
                    job = await one.jobs.get(job_id)
                    assert job is not None and job.claimed_by == ("one" if job_id in a else "two")
    run(go())
