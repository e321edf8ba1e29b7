"""The database itself refuses overlapping holding bookings of one space, on both
engines: the exclusion constraint (PostgreSQL) and the triggers (SQLite) named
``bookings_no_overlap``; also a row written with raw SQL by another process, and many
writers racing for one slot. Without the guard the same race writes several rows."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from server.accounts import Accounts
from server.db import Database, Store
from server.db.bookings import Overlap, insert_booking, move
from server.db.spaces import Space
from tests.server.db.conftest import opened, run

H = 3600.0
T = 1_800_000_000.0  # some hour in 2027


async def _setup(store: Store) -> int:
    await Accounts(store, scrypt_n=2**10).create("ana", "correct horse 1", "Ana", "visitor", now=1.0)
    return await store.spaces.add(Space("e9", "room-1", "Room 1", "meeting", 8))


def _write(space: int, start: float, end: float, state: str = "confirmed", before: float = 0.0,
           after: float = 0.0) -> Any:
    async def go(conn: AsyncConnection) -> int:
        return await insert_booking(conn, space_id=space, org_id=None, booked_by="ana", for_user="ana", people=1,
                                    start=start, end=end, occ_start=start - before, occ_end=end + after,
                                    state=state, now=1.0)
    return go


def test_overlapping_holding_bookings_are_refused_by_the_database(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            room = await _setup(store)
            first = await store.db.commit(_write(room, T, T + H, before=600, after=900))
            for start, end in ((T, T + H), (T - H + 1, T + 1), (T + H + 899, T + 2 * H)):  # the buffers count
                with pytest.raises(Overlap):
                    await store.db.commit(_write(room, start, end))
            await store.db.commit(_write(room, T + H + 900, T + 2 * H))  # right after the clean-up: fine
            await store.db.commit(_write(room, T - H, T - 600))  # ends where the set-up begins: fine
            for state in ("pending", "offered", "checked_in"):  # every holding state holds
                with pytest.raises(Overlap):
                    await store.db.commit(_write(room, T, T + H, state=state))
            await store.db.commit(_write(room, T, T + H, state="cancelled"))  # a dead one holds nothing
            # cancelling the first frees the time; bringing it back over a new one is refused
            await store.db.commit(lambda c: move(c, first, ("confirmed",), "cancelled", 2.0))
            await store.db.commit(_write(room, T, T + H))
            with pytest.raises(Overlap):
                await store.db.commit(lambda c: move(c, first, ("cancelled",), "confirmed", 3.0))
            other = await store.spaces.add(Space("e9", "room-2", "Room 2", "meeting", 8))
            await store.db.commit(_write(other, T, T + H))  # another space: no clash
            assert len(await store.bookings.holding(room, 0, 2 * T)) == 3
    run(go())


RAW_SQLITE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
try:
    db.execute("INSERT INTO bookings (space_id, booked_by, for_user, start_at, end_at, occ_start, occ_end, state,"
               " created, updated) VALUES (?, 'ana', 'ana', ?, ?, ?, ?, 'confirmed', 1, 1)",
               (int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[3]), float(sys.argv[4])))
    db.commit()
    print("written")
except sqlite3.IntegrityError as exc:
    print("refused:", exc)
"""
RAW_POSTGRESQL = """
import asyncio, sys, asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1])
    try:
        await conn.execute("INSERT INTO bookings (space_id, booked_by, for_user, start_at, end_at, occ_start, occ_end,"
                           " state, created, updated) VALUES ($1, 'ana', 'ana', $2, $3, $2, $3, 'confirmed', 1, 1)",
                           int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]))
        print("written")
    except asyncpg.exceptions.ExclusionViolationError as exc:
        print("refused:", exc)
    finally:
        await conn.close()
asyncio.run(main())
"""


def _raw(url: str, space: int, start: float, end: float) -> str:
    if url.startswith("sqlite"):
        code, target = RAW_SQLITE, url.split("///", 1)[1]
    else:
        code, target = RAW_POSTGRESQL, url.replace("postgresql+asyncpg://", "postgresql://", 1)
    done = subprocess.run([sys.executable, "-c", code, target, str(space), str(start), str(end)],
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


def test_a_row_written_with_raw_sql_from_another_process_is_refused_too(url: str) -> None:
    async def go() -> int:
        async with opened(url) as store:
            room = await _setup(store)
            await store.db.commit(_write(room, T, T + H))
            return room
    room = run(go())
    refused = _raw(url, room, T + 1800, T + 2 * H)
    assert refused.startswith("refused:") and "bookings_no_overlap" in refused
    assert _raw(url, room, T + H, T + 2 * H) == "written"


async def _race(url: str, writers: int) -> tuple[int, int]:
    """``writers`` databases (each its own writer, as separate processes have) insert
    the same hour at once: (rows written, refusals)."""
    dbs = [await Database.open(url) for _ in range(writers)]
    try:
        room = 1
        results = await asyncio.gather(*(db.commit(_write(room, T, T + H)) for db in dbs), return_exceptions=True)
    finally:
        for db in dbs:
            await db.close()
    refused = sum(isinstance(r, Overlap) for r in results)
    assert all(isinstance(r, int | Overlap) for r in results), results
    return len(results) - refused, refused


def _drop_guard(url: str) -> Any:
    async def go(conn: AsyncConnection) -> None:
        if url.startswith("sqlite"):
            await conn.exec_driver_sql("DROP TRIGGER bookings_no_overlap_insert")
        else:
            await conn.exec_driver_sql("ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap")
    return go


@pytest.mark.parametrize("guarded", [True, False], ids=["guarded", "guard_dropped"])
def test_many_writers_racing_for_one_slot_exactly_one_wins(url: str, guarded: bool) -> None:
    async def go() -> tuple[int, int]:
        async with opened(url) as store:
            assert await _setup(store) == 1
            if not guarded:
                await store.db.commit(_drop_guard(url))
        return await _race(url, 8)
    won, refused = run(go())
    if guarded:
        assert (won, refused) == (1, 7)
    else:  # the check is the database's: without it every writer gets the same hour
        assert won == 8
