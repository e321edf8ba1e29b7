"""One durable scheduler: jobs whose due times live in the database.

Every service that needs a timer (chat retention today; booking release, event
reminders, offline devices later) schedules a *job*: a kind, a unique key, a due
time and a small JSON payload, stored by ``server.db.jobs``. ``run_due`` claims the
jobs that are due with one atomic update per job, so when several processes run
schedulers on one database each job is claimed by exactly one of them; a claimed job
is never handed out again (at most once: a process that dies while running one
leaves it ``claimed``, visible, instead of firing it twice).

Time comes from the injected clock: tests call ``run_due`` after moving a
``ManualClock``; the server runs ``run_forever``, which wakes at the next due time
(at most ``poll_s`` later, since another process may add an earlier job).

A handler returns ``None`` or the next due time of the same job (a recurring job),
which is scheduled again under the same key (so restarts and several processes never
multiply a chain: scheduling a key that is pending changes nothing). A recurring kind
registered with ``every`` is rescheduled that much later even when its handler fails.
A job claimed by a process that died while running it is put back after
``STALE_CLAIM_S`` (``recover``, at start): handlers must be idempotent. A scheduler
claims only the kinds it has handlers for, so a job written by one service (a booking's
release, in the web process's transaction) waits, pending, for a process that can run
it instead of being taken and failed by one that cannot.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from server.clock import Clock

log = logging.getLogger("cloudpark.scheduler")

Handler = Callable[[dict[str, Any], float], Awaitable[float | None]]
STALE_CLAIM_S = 3600.0


class Job(Protocol):
    id: int
    kind: str
    key: str
    due: float
    payload: dict[str, Any]


class Jobs(Protocol):
    async def schedule(self, kind: str, key: str, due: float, payload: dict[str, Any]) -> bool: ...
    async def claim_due(self, now: float, worker: str, limit: int,
                        kinds: Sequence[str] | None = None) -> list[Any]: ...
    async def finish(self, job_id: int, ok: bool, error: str = "") -> None: ...
    async def next_due(self, kinds: Sequence[str] | None = None) -> float | None: ...
    async def requeue_stale(self, claimed_before: float) -> int: ...


class Scheduler:
    def __init__(self, jobs: Jobs, clock: Clock, worker: str, *, poll_s: float = 1.0, batch: int = 50) -> None:
        self.jobs = jobs
        self.clock = clock
        self.worker = worker
        self.poll_s = poll_s
        self.batch = batch
        self.handlers: dict[str, Handler] = {}
        self.every: dict[str, float] = {}
        self.fired = 0
        self.failed = 0
        self._wake = asyncio.Event()
        self._running = True

    def handle(self, kind: str, handler: Handler, every: float | None = None) -> None:
        self.handlers[kind] = handler
        if every is not None:
            self.every[kind] = every

    async def recover(self) -> int:
        """Put back jobs claimed over ``STALE_CLAIM_S`` ago (their process died)."""
        return await self.jobs.requeue_stale(self.clock.now() - STALE_CLAIM_S)

    async def schedule(self, kind: str, key: str, due: float, payload: dict[str, Any] | None = None) -> bool:
        """Add a job (False: a pending job with that key exists already)."""
        if kind not in self.handlers:
            raise KeyError(f"no handler for job kind {kind!r}")
        added = await self.jobs.schedule(kind, key, due, payload or {})
        self._wake.set()
        return added

    async def run_due(self) -> int:
        """Claim and run every job due now; returns how many ran."""
        ran = 0
        while True:
            now = self.clock.now()
            claimed = await self.jobs.claim_due(now, self.worker, self.batch, kinds=tuple(sorted(self.handlers)))
            for job in claimed:
                await self._run(job, now)
                ran += 1
            if len(claimed) < self.batch:
                return ran

    async def _run(self, job: Any, now: float) -> None:
        handler = self.handlers.get(job.kind)
        if handler is None:
            await self.jobs.finish(job.id, False, f"no handler for job kind {job.kind!r} in this process")
            self.failed += 1
            return
        try:
            again = await handler(job.payload, now)
        except Exception as exc:  # a failed job is recorded with its error, never retried blindly
            log.exception("job %s (%s) failed", job.key, job.kind)
            await self.jobs.finish(job.id, False, f"{type(exc).__name__}: {exc}"[:500])
            self.failed += 1
            every = self.every.get(job.kind)
            if every is not None:  # a recurring chain survives one bad run
                await self.jobs.schedule(job.kind, job.key, now + every, job.payload)
            return
        await self.jobs.finish(job.id, True)
        self.fired += 1
        if again is not None:
            await self.jobs.schedule(job.kind, job.key, again, job.payload)

    async def run_forever(self) -> None:
        while self._running:
            try:
                await self.run_due()
                nxt = await self.jobs.next_due(kinds=tuple(sorted(self.handlers)))
            except Exception:  # the database going away under us: log, wait, try again
                log.exception("scheduler pass failed")
                nxt = None
            wait = self.poll_s if nxt is None else min(self.poll_s, max(0.0, nxt - self.clock.now()))
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._running = False
        self._wake.set()
