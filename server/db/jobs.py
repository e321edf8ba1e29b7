"""Durable jobs for the scheduler: work due at a time, claimed by one worker.

A job is scheduled under a unique ``key`` (say ``"reminder:booking:42"``), so
scheduling twice is harmless. ``claim_due`` marks the jobs it returns ``claimed`` in
the same statement that picks them: two processes claiming at once never get the
same job (SQLite: the writer's transaction holds the file's write lock; PostgreSQL:
``FOR UPDATE SKIP LOCKED``, so the other claimer takes the next jobs instead of
waiting). A worker reports the outcome with ``finish``; a claim whose worker died
can be put back with ``requeue_stale``. A worker claims only the kinds it can run
(``kinds``): a job is never taken by a process without a handler for it.

Rescheduling: a key whose job is pending or claimed is left alone (``schedule``
returns False); a key whose job is done or failed is scheduled afresh (pending again,
new kind, due time and payload; the earlier outcome is overwritten).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.tables import jobs


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    key: str
    due: float
    payload: dict[str, Any]
    state: str  # pending, claimed, done, failed
    claimed_by: str
    claimed_at: float | None
    finished_at: float | None
    error: str


def _job(row: Row[Any]) -> Job:
    return Job(int(row.id), row.kind, row.key, float(row.due), json.loads(row.payload), row.state,
               row.claimed_by, row.claimed_at, row.finished_at, row.error)


async def _claim(conn: AsyncConnection, now: float, worker: str, limit: int,
                 kinds: Sequence[str] | None) -> list[Job]:
    due = select(jobs.c.id).where(jobs.c.state == "pending", jobs.c.due <= now)
    if kinds is not None:
        due = due.where(jobs.c.kind.in_(list(kinds)))
    due = due.order_by(jobs.c.due, jobs.c.id).limit(limit)
    claim = update(jobs).values(state="claimed", claimed_by=worker, claimed_at=now)
    if conn.dialect.name == "postgresql":
        # lock the picked rows, skip those another claimer holds; the CTE runs once
        picked = due.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
        stmt = claim.where(jobs.c.id == picked.c.id, jobs.c.state == "pending")
    else:  # the writer's BEGIN IMMEDIATE already holds the file's write lock
        stmt = claim.where(jobs.c.id.in_(due.scalar_subquery()), jobs.c.state == "pending")
    rows = (await conn.execute(stmt.returning(*jobs.c))).all()
    return sorted((_job(r) for r in rows), key=lambda j: (j.due, j.id))


async def schedule_in(conn: AsyncConnection, kind: str, key: str, due: float, payload: dict[str, Any]) -> bool:
    """``JobRepo.schedule`` inside a write of the caller's (a booking and its release job
    in one transaction)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    stmt = insert(conn, jobs).values(kind=kind, key=key, due=due, payload=text)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={"kind": stmt.excluded.kind, "due": stmt.excluded.due, "payload": stmt.excluded.payload,
              "state": "pending", "claimed_by": "", "claimed_at": None, "finished_at": None, "error": ""},
        where=jobs.c.state.in_(("done", "failed")))
    return (await conn.execute(stmt.returning(jobs.c.id))).first() is not None


async def due_in(conn: AsyncConnection, key: str, due: float) -> bool:
    """A pending job's new due time (a booking moved); False when ``key`` is not pending."""
    return (await conn.execute(update(jobs).where(jobs.c.key == key, jobs.c.state == "pending")
                               .values(due=due))).rowcount == 1


class JobRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def schedule(self, kind: str, key: str, due: float, payload: dict[str, Any]) -> bool:
        """True when the job is now pending with these values; False when ``key`` is
        already pending or claimed (nothing changed)."""
        return await self.db.commit(lambda conn: schedule_in(conn, kind, key, due, payload))

    async def claim_due(self, now: float, worker: str, limit: int = 16,
                        kinds: Sequence[str] | None = None) -> list[Job]:
        """Up to ``limit`` pending jobs due by ``now``, earliest first, now claimed by
        ``worker``; only jobs of ``kinds`` when given (those its process can run)."""
        if kinds is not None and not kinds:
            return []
        return await self.db.commit(lambda conn: _claim(conn, now, worker, limit, kinds))

    async def finish(self, job_id: int, ok: bool, error: str = "", *, now: float | None = None) -> bool:
        """Record a claimed job's outcome (done, or failed with ``error``); False when the
        job is not claimed (unknown, finished already, or requeued)."""
        at = time.time() if now is None else now

        async def run(conn: AsyncConnection) -> bool:
            result = await conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.state == "claimed")
                                        .values(state="done" if ok else "failed", finished_at=at,
                                                error="" if ok else error))
            return result.rowcount == 1
        return await self.db.commit(run)

    async def requeue_stale(self, claimed_before: float) -> int:
        """Put jobs claimed before ``claimed_before`` (their worker died) back to pending."""
        async def run(conn: AsyncConnection) -> int:
            result = await conn.execute(update(jobs).where(jobs.c.state == "claimed",
                                                           jobs.c.claimed_at < claimed_before)
                                        .values(state="pending", claimed_by="", claimed_at=None))
            return int(result.rowcount)
        return await self.db.commit(run)

    async def next_due(self, kinds: Sequence[str] | None = None) -> float | None:
        """When the earliest pending job (of ``kinds`` when given) is due (None: nothing pending)."""
        stmt = select(func.min(jobs.c.due)).where(jobs.c.state == "pending")
        if kinds is not None:
            stmt = stmt.where(jobs.c.kind.in_(list(kinds)))
        row = await self.db.row(stmt)
        return None if row is None or row[0] is None else float(row[0])

    async def get(self, job_id: int) -> Job | None:
        row = await self.db.row(select(jobs).where(jobs.c.id == job_id))
        return None if row is None else _job(row)
