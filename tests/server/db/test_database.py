"""The writer: acknowledged writes are committed writes; batches survive one bad write;
``post`` never blocks; ``close`` drains; reads see committed data only."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db import Database, StoreClosed
from server.db.database import BATCH_MAX
from server.db.tables import positions, tokens, visits
from tests.server.db.conftest import run


def _visit(i: int) -> dict[str, object]:
    return {"park": "p", "booth": "b", "user": f"u{i}", "name": "N", "entered": 0.0, "left": 1.0, "dwell": 1.0}


def _add(i: int):  # type: ignore[no-untyped-def]
    async def write(conn: AsyncConnection) -> int:
        await conn.execute(insert(visits).values(**_visit(i)))
        return i
    return write


async def _count(db: Database) -> int:
    row = await db.row(select(func.count()).select_from(visits))
    assert row is not None
    return int(row[0])


class Gate:
    """A write that holds the writer until released, so the next writes queue up."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def __call__(self, conn: AsyncConnection) -> str:
        self.entered.set()
        await self.release.wait()
        return "gate"


def test_open_migrates_and_names_the_engine(url: str) -> None:
    async def go() -> None:
        db = await Database.open(url)
        try:
            assert db.dialect == url.split("+")[0]
            assert db.url == url
            assert await _count(db) == 0
        finally:
            await db.close()
    run(go())


def test_sqlite_file_is_wal_full_sync_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "cp.sqlite3"

    async def go() -> None:
        db = await Database.open(f"sqlite+aiosqlite:///{path}")
        try:
            async def pragmas(conn: AsyncConnection) -> tuple[object, ...]:
                return tuple([(await conn.exec_driver_sql(f"PRAGMA {p}")).scalar()
                              for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")])
            assert await db.commit(pragmas) == ("wal", 2, 1, 5000)  # 2 = FULL
            assert await db.read(pragmas) == ("wal", 2, 1, 5000)
        finally:
            await db.close()
    run(go())
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_sqlite_in_memory_is_refused() -> None:
    with pytest.raises(ValueError, match="file path"):
        run(Database.open("sqlite+aiosqlite:///:memory:"))


def test_an_acknowledged_write_is_visible_to_another_database_at_once(url: str) -> None:
    async def go() -> None:
        db, other = await Database.open(url), await Database.open(url)
        try:
            assert await db.commit(_add(1)) == 1
            assert await _count(other) == 1
        finally:
            await db.close()
            await other.close()
    run(go())


def test_one_failing_write_does_not_sink_its_batch(url: str) -> None:
    async def go() -> None:
        db = await Database.open(url)
        try:
            commits = db.commits
            gate = Gate()
            first = asyncio.ensure_future(db.commit(gate))
            await gate.entered.wait()  # the writer is busy: what follows queues into one batch

            async def duplicate_key(conn: AsyncConnection) -> None:
                row = {"user": "x", "park": "p", "x": 0.0, "y": 0.0, "yaw": 0.0, "ts": 0.0}
                await conn.execute(insert(positions).values(**row))
                await conn.execute(insert(positions).values(**row))

            async def bug(conn: AsyncConnection) -> None:
                await conn.execute(insert(visits).values(**_visit(99)))  # rolled back with its savepoint
                raise ValueError("a bug in one write")

            writes = [asyncio.ensure_future(db.commit(w))
                      for w in (_add(1), duplicate_key, _add(2), bug, _add(3))]
            db.post(_add(4))
            db.post(bug)
            await asyncio.sleep(0)  # every commit above is queued now
            pending = asyncio.gather(*writes, return_exceptions=True)
            gate.release.set()
            assert await first == "gate"
            one, dup, two, err, three = await pending
            assert (one, two, three) == (1, 2, 3)
            assert isinstance(dup, IntegrityError) and isinstance(err, ValueError)
            assert db.commits == commits + 2  # the gate's, then all of them in one transaction
            rows = await db.rows(select(visits.c.user).order_by(visits.c.user))
            assert [r.user for r in rows] == ["u1", "u2", "u3", "u4"]
            assert await db.row(select(positions)) is None
        finally:
            await db.close()
    run(go())


def test_post_never_blocks_even_while_the_writer_is_stuck(url: str) -> None:
    n = BATCH_MAX + 7  # more than one batch

    async def go() -> None:
        db = await Database.open(url)
        try:
            gate = Gate()
            held = asyncio.ensure_future(db.commit(gate))
            await gate.entered.wait()

            def tick() -> None:  # a synchronous tick: it cannot await anything
                for i in range(n):
                    db.post(_add(i))

            tick()
            assert await _count(db) == 0  # queued, not yet written
            gate.release.set()
            await held
            await db.flush()
            assert await _count(db) == n
        finally:
            await db.close()
    run(go())


def test_reads_see_committed_data_only(url: str) -> None:
    async def go() -> None:
        db = await Database.open(url)
        try:
            written, release = asyncio.Event(), asyncio.Event()

            async def slow(conn: AsyncConnection) -> None:
                await conn.execute(insert(visits).values(**_visit(1)))
                written.set()
                await release.wait()

            done = asyncio.ensure_future(db.commit(slow))
            await written.wait()
            assert await _count(db) == 0  # inserted, not committed
            release.set()
            await done
            assert await _count(db) == 1
        finally:
            await db.close()
    run(go())


def test_close_drains_the_queue_and_is_safe_twice(url: str) -> None:
    async def go() -> None:
        db = await Database.open(url)
        for i in range(200):
            db.post(_add(i))
        acked = asyncio.ensure_future(db.commit(_add(1000)))
        await asyncio.sleep(0)
        await asyncio.gather(db.close(), db.close())
        assert await acked == 1000
        await db.close()
        with pytest.raises(StoreClosed):
            await db.commit(_add(2000))
        with pytest.raises(StoreClosed):
            await _count(db)
        db.post(_add(3000))  # dropped with a warning, never raises
        again = await Database.open(url)
        try:
            assert await _count(again) == 201
        finally:
            await again.close()
    run(go())


def test_a_failed_commit_reaches_every_waiter_and_the_writer_carries_on(url: str) -> None:
    async def poison(conn: AsyncConnection) -> None:
        """Succeeds itself but makes its whole transaction fail."""
        if conn.dialect.name == "sqlite":  # a foreign key broken only at COMMIT
            await conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            await conn.execute(insert(tokens).values(hash=b"t", user="nobody", created=0.0, expires=1.0))
        else:  # the connection dies under the batch
            await conn.exec_driver_sql("SELECT pg_terminate_backend(pg_backend_pid())")

    async def go() -> None:
        db = await Database.open(url)
        try:
            gate = Gate()
            held = asyncio.ensure_future(db.commit(gate))
            await gate.entered.wait()
            batch = [asyncio.ensure_future(db.commit(w)) for w in (_add(1), poison, _add(2))]
            await asyncio.sleep(0)
            gate.release.set()
            await held
            results = await asyncio.gather(*batch, return_exceptions=True)
            assert all(isinstance(r, Exception) for r in results), results
            assert await _count(db) == 0
            assert await db.commit(_add(3)) == 3  # a fresh transaction (and connection) works
            assert await _count(db) == 1
        finally:
            await db.close()
    run(go())


def test_a_lone_failing_write_fails_alone(url: str) -> None:
    async def go() -> None:
        db = await Database.open(url)
        try:
            async def bad(conn: AsyncConnection) -> None:
                await conn.execute(insert(visits).values(**_visit(1)))
                raise LookupError("nope")
            with pytest.raises(LookupError):
                await db.commit(bad)
            assert await db.commit(_add(2)) == 2
            assert [r.user for r in await db.rows(select(visits.c.user))] == ["u2"]
        finally:
            await db.close()
    run(go())


def test_urls_without_a_driver_get_the_async_one(tmp_path: Path) -> None:
    async def go() -> None:
        db = await Database.open(f"sqlite:///{tmp_path / 'cp.sqlite3'}")
        try:
            assert db.url.startswith("sqlite+aiosqlite:///") and db.dialect == "sqlite"
        finally:
            await db.close()
    run(go())


class LostRace(Exception):
    """What PostgreSQL raises when it aborts a transaction for a deadlock."""

    sqlstate = "40P01"


def test_a_write_that_lost_a_race_is_run_again_and_a_bug_is_not(url: str) -> None:
    """A deadlock (two processes' inserts through one exclusion constraint) aborts one
    transaction; its write runs again and then answers for itself, alone and in a batch.
    An ordinary error is never retried."""
    async def go() -> None:
        db = await Database.open(url)
        try:
            tries: list[str] = []

            def flaky(name: str, fails: int):  # type: ignore[no-untyped-def]
                async def run(conn: AsyncConnection) -> str:
                    tries.append(name)
                    await conn.execute(insert(visits).values(**_visit(len(tries) + 100)))
                    if tries.count(name) <= fails:
                        raise LostRace("deadlock detected")
                    return name
                return run

            assert await db.commit(flaky("alone", 2)) == "alone" and tries.count("alone") == 3
            gate = Gate()
            first = asyncio.ensure_future(db.commit(gate))
            await gate.entered.wait()  # what follows queues into one batch
            batch = [asyncio.ensure_future(db.commit(flaky(n, 1))) for n in ("a", "b")]

            async def bug(conn: AsyncConnection) -> None:
                tries.append("bug")
                raise ValueError("a bug")

            wrong = asyncio.ensure_future(db.commit(bug))
            await asyncio.sleep(0)
            gate.release.set()
            await first
            assert await asyncio.gather(*batch) == ["a", "b"]
            with pytest.raises(ValueError):
                await wrong
            assert tries.count("bug") == 1
            with pytest.raises(LostRace):  # lost every time: the caller hears it in the end
                await db.commit(flaky("never", 99))
            assert tries.count("never") == 5
            # only the runs that committed left a visit behind
            assert await db.row(select(func.count()).select_from(visits)) == (3,)
        finally:
            await db.close()
    run(go())
