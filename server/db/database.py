"""The database: one writer task for every write, pooled connections for reads.

Writes are functions ``async (AsyncConnection) -> T`` queued to a single writer task,
which runs up to ``BATCH_MAX`` of them per transaction, each inside its own SAVEPOINT
(a lone write needs none): a write that raises is rolled back alone and its caller
gets the exception, the rest of the batch commits. When the COMMIT itself fails,
every write of the batch fails with that error and the next batch gets a fresh
connection. ``commit(fn)`` resolves only after the transaction holding
``fn`` has committed (SQLite: ``synchronous=FULL`` in WAL mode; PostgreSQL: the
default ``synchronous_commit=on``), so an acknowledged write survives a crash of the
process. ``post(fn)`` queues a write nobody waits on: it never blocks and is safe to
call from a synchronous tick. Reads run on other pooled connections, each in its own
transaction (a snapshot), and see committed data only.

On SQLite the writer opens each transaction with ``BEGIN IMMEDIATE``: it takes the
file's write lock up front, so two processes writing one file queue up behind
``busy_timeout`` instead of failing half way through a batch.

On PostgreSQL two processes' writers can still meet: two inserts racing through an
exclusion constraint (the bookings' no-overlap guarantee) may deadlock, and PostgreSQL
then aborts one of them (SQLSTATE 40P01; 40001 for a serialization failure). Such a
write is run again (``TRANSIENT_TRIES`` times, after a short random pause): it then sees
what the other committed and answers as it would have (a booking: "taken"), never
handing the caller an engine error for a race it lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Executable, Row, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from server.db.migrate import upgrade

log = logging.getLogger(__name__)

T = TypeVar("T")
Work = Callable[[AsyncConnection], Awaitable[T]]
BATCH_MAX = 256
TRANSIENT_TRIES = 5  # runs of a write PostgreSQL aborted for a deadlock or a serialization failure
TRANSIENT_STATES = frozenset({"40P01", "40001"})
BUSY_TIMEOUT_MS = 5000
READ_POOL = 5


class StoreClosed(RuntimeError):
    """A write (or read) arrived after ``close`` began."""


@dataclass(slots=True)
class _Write:
    run: Work[Any]
    future: asyncio.Future[Any] | None


def _sqlite_engine(url: URL, *, writer: bool) -> AsyncEngine:
    # The writer has one connection; sqlite3's own transaction handling is switched
    # off (isolation_level None) so that BEGIN, SAVEPOINT and DDL behave as written.
    engine = create_async_engine(url, pool_size=1 if writer else READ_POOL, max_overflow=0 if writer else 10)
    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        pragmas = ["synchronous=FULL", "foreign_keys=ON", f"busy_timeout={BUSY_TIMEOUT_MS}"]
        for pragma in (["journal_mode=WAL"] if writer else []) + pragmas:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


def _postgresql_engine(url: URL, *, writer: bool) -> AsyncEngine:
    if writer:
        return create_async_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
    # a read of several statements (booth statistics) sees one snapshot
    return create_async_engine(url, pool_size=READ_POOL, max_overflow=10, pool_pre_ping=True,
                               isolation_level="REPEATABLE READ")


ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(url: str) -> URL:
    """``url`` parsed, with the async driver filled in when it names none."""
    parsed = make_url(url)
    return parsed.set(drivername=ASYNC_DRIVERS.get(parsed.drivername, parsed.drivername))


def _engines(url: URL) -> tuple[AsyncEngine, AsyncEngine]:
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            raise ValueError(f"{url}: SQLite needs a file path (the writer and the readers share it)")
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_engine(url, writer=True), _sqlite_engine(url, writer=False)
    if backend == "postgresql":
        return _postgresql_engine(url, writer=True), _postgresql_engine(url, writer=False)
    raise ValueError(f"{url.render_as_string(hide_password=True)}: only sqlite and postgresql are supported")


class Database:
    """Open with ``await Database.open(url)``; ``close()`` when done."""

    def __init__(self, url: URL, writer: AsyncEngine, reader: AsyncEngine) -> None:
        self._url = url
        self._writer = writer
        self._reader = reader
        self._queue: asyncio.Queue[_Write | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._closed = asyncio.Event()
        self.commits = 0  # transactions the writer committed (or tried to)
        self.writes = 0  # writes it ran

    @classmethod
    async def open(cls, url: str) -> Database:
        """Create the SQLite file's folder, migrate to the newest schema, start the writer."""
        parsed = async_url(url)
        writer, reader = _engines(parsed)
        try:
            await upgrade(writer)
        except BaseException:
            await writer.dispose()
            await reader.dispose()
            raise
        db = cls(parsed, writer, reader)
        db._task = asyncio.create_task(db._write_loop(), name="db-writer")
        return db

    @property
    def url(self) -> str:
        return self._url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._url.get_backend_name()

    async def close(self) -> None:
        """Write everything queued, then release every connection. Safe to call twice."""
        if self._closing:
            await self._closed.wait()
            return
        self._closing = True
        try:
            if self._task is not None:
                self._queue.put_nowait(None)
                await self._task
        finally:
            await self._writer.dispose()
            await self._reader.dispose()
            self._closed.set()

    # --- writes ---------------------------------------------------------------------

    def post(self, fn: Work[Any]) -> None:
        """Queue a write nobody waits on. Never blocks; a failure is logged."""
        if self._closing:
            log.warning("database closing: dropped a late unacknowledged write")
            return
        self._queue.put_nowait(_Write(fn, None))

    async def commit(self, fn: Work[T]) -> T:
        """Queue a write; returns its result once its transaction has committed, or
        raises what it raised (only it was rolled back) or what the commit raised."""
        if self._closing:
            raise StoreClosed("the database is closing")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Write(fn, future))
        return await asyncio.shield(future)  # a cancelled caller does not cancel the write

    async def flush(self) -> None:
        """Wait until every write queued before this call has committed."""
        await self.commit(_nothing)

    async def _write_loop(self) -> None:
        stop = False
        while not stop:
            first = await self._queue.get()
            batch: list[_Write] = []
            if first is None:
                stop = True
            else:
                batch.append(first)
            while len(batch) < BATCH_MAX and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stop = True
                    continue
                batch.append(item)
            if stop:  # drain whatever is still queued behind the stop marker
                while not self._queue.empty():
                    item = self._queue.get_nowait()
                    if item is not None:
                        batch.append(item)
            for start in range(0, len(batch), BATCH_MAX):
                await self._run_batch(batch[start:start + BATCH_MAX])

    async def _run_batch(self, batch: list[_Write]) -> None:
        try:
            async with self._writer.connect() as conn:
                try:
                    outcomes = await self._transaction(conn, batch)
                except Exception:
                    # the connection's state is unknown (SQLite keeps a transaction open
                    # after a failed COMMIT): the next batch gets a fresh one
                    with contextlib.suppress(Exception):
                        await conn.invalidate()
                    raise
        except Exception as exc:  # e.g. disk full, connection lost: every waiter hears it
            log.error("database: commit of %d writes failed: %s", len(batch), exc)
            outcomes = [(False, exc)] * len(batch)
        self.commits += 1
        self.writes += len(batch)
        for write, (ok, value) in zip(batch, outcomes, strict=True):
            if write.future is None or write.future.done():
                continue
            if ok:
                write.future.set_result(value)
            else:
                write.future.set_exception(value)

    @staticmethod
    async def _transaction(conn: AsyncConnection, batch: list[_Write]) -> list[tuple[bool, Any]]:
        """Run the batch in one transaction: (ok, result or exception) per write."""
        outcomes: list[tuple[bool, Any]] = []
        if len(batch) == 1:  # a lone write needs no savepoint: the transaction is its own
            for attempt in range(TRANSIENT_TRIES):
                transaction = await conn.begin()
                try:
                    result = await batch[0].run(conn)
                except Exception as exc:
                    await transaction.rollback()
                    if transient(exc) and attempt + 1 < TRANSIENT_TRIES:
                        await _pause(attempt)
                        continue
                    _failed(batch[0], exc)
                    return [(False, exc)]
                try:
                    await transaction.commit()
                except Exception as exc:  # a failed COMMIT: only a lost race is run again
                    if not (transient(exc) and attempt + 1 < TRANSIENT_TRIES):
                        raise
                    with contextlib.suppress(Exception):
                        await transaction.rollback()
                    await _pause(attempt)
                    continue
                return [(True, result)]
        # Optimistic first: the whole batch in one transaction without savepoints (about
        # half the cost of a write). If any write raises, that transaction is rolled back
        # (nothing of it was committed, so running the writes again is safe) and the batch
        # runs again with a savepoint per write, so one bad write does not sink the rest.
        transaction = await conn.begin()
        try:
            for write in batch:
                outcomes.append((True, await write.run(conn)))
        except Exception:
            await transaction.rollback()
            outcomes = []
        else:
            await transaction.commit()
            return outcomes
        async with conn.begin():
            for write in batch:
                for attempt in range(TRANSIENT_TRIES):
                    try:
                        async with conn.begin_nested():
                            result = await write.run(conn)
                    except Exception as exc:  # one bad write does not sink the batch
                        if transient(exc) and attempt + 1 < TRANSIENT_TRIES:
                            await _pause(attempt)
                            continue
                        outcomes.append((False, exc))
                        _failed(write, exc)
                    else:
                        outcomes.append((True, result))
                    break
        return outcomes

    # --- reads -------------------------------------------------------------------------

    async def read(self, fn: Work[T]) -> T:
        """Run ``fn`` on a pooled read connection, in a transaction of its own."""
        if self._closing:
            raise StoreClosed("the database is closing")
        async with self._reader.connect() as conn, conn.begin():
            return await fn(conn)

    async def analyze(self) -> None:
        """Refresh the query planner's statistics (after a bulk load: the planner picks
        the search indexes from them). Runs as a write, between other writes."""
        async def run(conn: AsyncConnection) -> None:
            await conn.exec_driver_sql("ANALYZE")
        await self.commit(run)

    async def rows(self, stmt: Executable) -> Sequence[Row[Any]]:
        async def run(conn: AsyncConnection) -> Sequence[Row[Any]]:
            return (await conn.execute(stmt)).all()
        return await self.read(run)

    async def row(self, stmt: Executable) -> Row[Any] | None:
        async def run(conn: AsyncConnection) -> Row[Any] | None:
            return (await conn.execute(stmt)).first()
        return await self.read(run)


async def _nothing(conn: AsyncConnection) -> None:
    return None


def transient(exc: BaseException) -> bool:
    """Whether ``exc`` is PostgreSQL aborting a transaction that lost a race (a deadlock,
    a serialization failure): running it again is right."""
    seen: BaseException | None = exc
    for _ in range(4):  # SQLAlchemy's error -> the adapter's -> asyncpg's
        if seen is None:
            return False
        if getattr(seen, "sqlstate", None) in TRANSIENT_STATES or getattr(seen, "pgcode", None) in TRANSIENT_STATES:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


async def _pause(attempt: int) -> None:
    await asyncio.sleep(random.uniform(0.005, 0.02) * (attempt + 1))  # noqa: S311 - jitter, not secrets


def _failed(write: _Write, exc: Exception) -> None:
    if write.future is None:
        log.warning("database: unacknowledged write failed: %s", exc)
