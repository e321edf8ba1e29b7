"""Persistence: one SQLite file (WAL) behind a single writer task.

The tick never awaits disk: it calls ``post`` (a queue put) for writes nobody waits
on (visits, chat, last positions). A write the client is told about (account, like,
card, booth edit) goes through ``commit``, which resolves only after the transaction
holding it has committed with ``synchronous=FULL``; only then is the client answered,
so killing the process never loses an acknowledged write. Reads use a second
connection and see only committed data.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

Run = Callable[[aiosqlite.Connection], Awaitable[Any]]
BATCH_MAX = 256

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE accounts (
        user TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
        company TEXT NOT NULL DEFAULT '', color INTEGER NOT NULL DEFAULT 0,
        parks TEXT NOT NULL DEFAULT '', kdf TEXT NOT NULL, salt BLOB NOT NULL, hash BLOB NOT NULL, created REAL NOT NULL
    );
    CREATE TABLE tokens (
        hash BLOB PRIMARY KEY, user TEXT NOT NULL REFERENCES accounts(user),
        created REAL NOT NULL, expires REAL NOT NULL
    );
    CREATE INDEX tokens_expires ON tokens(expires);
    CREATE TABLE booths (
        park TEXT NOT NULL, booth TEXT NOT NULL, owner_company TEXT NOT NULL,
        owner_user TEXT NOT NULL, content TEXT NOT NULL, updated REAL NOT NULL, demo INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (park, booth)
    );
    CREATE TABLE visits (
        id INTEGER PRIMARY KEY, park TEXT NOT NULL, booth TEXT NOT NULL, user TEXT NOT NULL,
        name TEXT NOT NULL, entered REAL NOT NULL, left REAL NOT NULL, dwell REAL NOT NULL
    );
    CREATE INDEX visits_booth ON visits(park, booth);
    CREATE TABLE likes (
        park TEXT NOT NULL, booth TEXT NOT NULL, user TEXT NOT NULL, ts REAL NOT NULL,
        UNIQUE (park, booth, user)
    );
    CREATE TABLE cards (
        id INTEGER PRIMARY KEY, park TEXT NOT NULL, booth TEXT NOT NULL, user TEXT NOT NULL,
        name TEXT NOT NULL, company TEXT NOT NULL, email TEXT NOT NULL, phone TEXT NOT NULL,
        message TEXT NOT NULL, consent INTEGER NOT NULL CHECK (consent = 1), ts REAL NOT NULL
    );
    CREATE INDEX cards_booth ON cards(park, booth);
    CREATE TABLE chat (
        id INTEGER PRIMARY KEY, park TEXT NOT NULL, ch TEXT NOT NULL, booth TEXT NOT NULL,
        user TEXT NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL, ts REAL NOT NULL
    );
    CREATE INDEX chat_ts ON chat(ts);
    CREATE INDEX chat_park ON chat(park, id);
    CREATE TABLE positions (
        user TEXT PRIMARY KEY, park TEXT NOT NULL, x REAL NOT NULL, y REAL NOT NULL,
        yaw REAL NOT NULL, ts REAL NOT NULL
    );
    """,
)


class StoreClosed(RuntimeError):
    """A write arrived after ``close`` began."""


@dataclass(slots=True)
class _Write:
    run: Run
    future: asyncio.Future[Any] | None


@dataclass(frozen=True, slots=True)
class AccountRow:
    user: str
    name: str
    role: str
    company: str
    color: int
    kdf: str
    salt: bytes
    hash: bytes
    parks: str = ""  # park ids a park_staff account runs, comma separated


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Write | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.commits = 0
        self.writes = 0

    # --- lifecycle -------------------------------------------------------------------

    async def open(self) -> Store:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = await aiosqlite.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=5000"):
            await self._writer.execute(f"PRAGMA {pragma}")
        await self._migrate(self._writer)
        self._reader = await aiosqlite.connect(self.path, isolation_level=None)
        await self._reader.execute("PRAGMA busy_timeout=5000")
        self._reader.row_factory = sqlite3.Row
        self._task = asyncio.create_task(self._write_loop(), name="store-writer")
        return self

    async def close(self) -> None:
        """Write everything queued, then close. Safe to call twice."""
        if self._closing:
            return
        self._closing = True
        if self._task is not None:
            self._queue.put_nowait(None)
            await self._task
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()

    async def _migrate(self, db: aiosqlite.Connection) -> None:
        await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
        async with db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version") as cur:
            row = await cur.fetchone()
        current = int(row[0]) if row else 0
        if current > len(MIGRATIONS):
            raise RuntimeError(f"{self.path} has schema version {current}, newer than this server ({len(MIGRATIONS)})")
        for version in range(current + 1, len(MIGRATIONS) + 1):
            await db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[version - 1].split(";"):
                    if statement.strip():
                        await db.execute(statement)
                await db.execute("INSERT INTO schema_version VALUES (?, datetime('now'))", (version,))
                await db.execute("COMMIT")
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            log.info("store %s migrated to schema version %d", self.path, version)

    # --- the writer --------------------------------------------------------------------

    def post(self, run: Run) -> None:
        """Queue a write nobody waits on (safe from the tick: never blocks)."""
        if self._closing:
            log.warning("store closing: dropped a late unacknowledged write")
            return
        self._queue.put_nowait(_Write(run, None))

    async def commit(self, run: Run) -> Any:
        """Queue a write and wait until its transaction has committed; returns its result."""
        if self._closing:
            raise StoreClosed("the store is closing")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Write(run, future))
        return await asyncio.shield(future)

    async def flush(self) -> None:
        """Wait until every write queued before this call has committed."""
        async def nothing(db: aiosqlite.Connection) -> None:
            return None
        await self.commit(nothing)

    async def _write_loop(self) -> None:
        assert self._writer is not None
        db = self._writer
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
            if batch:
                await self._run_batch(db, batch)

    async def _run_batch(self, db: aiosqlite.Connection, batch: list[_Write]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            await db.execute("BEGIN IMMEDIATE")
            for write in batch:
                await db.execute("SAVEPOINT w")
                try:
                    result = await write.run(db)
                except sqlite3.Error as exc:  # one bad write does not sink the batch
                    await db.execute("ROLLBACK TO w")
                    outcomes.append((False, exc))
                    if write.future is None:
                        log.warning("store: unacknowledged write failed: %s", exc)
                else:
                    outcomes.append((True, result))
                await db.execute("RELEASE w")
            await db.execute("COMMIT")
        except Exception as exc:  # noqa: BLE001 - e.g. disk full: every waiter hears it
            log.error("store: commit failed: %s", exc)
            try:
                await db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
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

    # --- reads ----------------------------------------------------------------------------

    async def fetch(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        assert self._reader is not None
        async with self._reader.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetch_one(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Row | None:
        rows = await self.fetch(sql, params)
        return rows[0] if rows else None

    # --- accounts and tokens -------------------------------------------------------

    async def create_account(self, row: AccountRow, now: float) -> bool:
        """False when the user name is taken."""
        async def run(db: aiosqlite.Connection) -> bool:
            cur = await db.execute(
                "INSERT OR IGNORE INTO accounts (user, name, role, company, color, kdf, salt, hash, parks, created)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row.user, row.name, row.role, row.company, row.color, row.kdf, row.salt, row.hash, row.parks,
                 now),
            )
            return cur.rowcount == 1
        return bool(await self.commit(run))

    async def account(self, user: str) -> AccountRow | None:
        r = await self.fetch_one(
            "SELECT user, name, role, company, color, kdf, salt, hash, parks FROM accounts WHERE user = ?", (user,))
        return None if r is None else AccountRow(*tuple(r))

    async def add_token(self, token_hash: bytes, user: str, now: float, expires: float) -> None:
        async def run(db: aiosqlite.Connection) -> None:
            await db.execute("DELETE FROM tokens WHERE expires < ?", (now,))
            await db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?)", (token_hash, user, now, expires))
        await self.commit(run)

    async def token_user(self, token_hash: bytes, now: float) -> str | None:
        r = await self.fetch_one("SELECT user FROM tokens WHERE hash = ? AND expires > ?", (token_hash, now))
        return None if r is None else str(r[0])

    # --- booths ------------------------------------------------------------------------

    async def save_booth(self, park: str, booth: str, owner_company: str, owner_user: str, content_json: str,
                         now: float, demo: bool = False) -> None:
        async def run(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO booths (park, booth, owner_company, owner_user, content, updated, demo)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (park, booth) DO UPDATE SET"
                " owner_company = excluded.owner_company, owner_user = excluded.owner_user,"
                " content = excluded.content, updated = excluded.updated, demo = excluded.demo",
                (park, booth, owner_company, owner_user, content_json, now, int(demo)),
            )
        await self.commit(run)

    async def save_content(self, park: str, booth: str, owner_company: str, owner_user: str, content_json: str,
                           now: float) -> bool:
        """A content edit. False (nothing written) when the stored owner is no longer
        ``owner_company``: another process reassigned the slot since it was read."""
        async def run(db: aiosqlite.Connection) -> bool:
            cur = await db.execute(
                "INSERT INTO booths (park, booth, owner_company, owner_user, content, updated, demo)"
                " VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT (park, booth) DO UPDATE SET"
                " content = excluded.content, updated = excluded.updated"
                " WHERE booths.owner_company = excluded.owner_company",
                (park, booth, owner_company, owner_user, content_json, now),
            )
            return cur.rowcount == 1
        return bool(await self.commit(run))

    async def booths(self, park: str | None = None) -> list[sqlite3.Row]:
        where, params = ("WHERE park = ?", (park,)) if park is not None else ("", ())
        return await self.fetch(
            "SELECT park, booth, owner_company, owner_user, content, demo, updated FROM booths "
            f"{where} ORDER BY park, booth", params)  # noqa: S608 - a fixed clause, the value is bound

    # --- likes, cards, visits ---------------------------------------------------------

    async def add_like(self, park: str, booth: str, user: str, now: float) -> bool:
        """False when this user already liked this booth."""
        async def run(db: aiosqlite.Connection) -> bool:
            cur = await db.execute("INSERT OR IGNORE INTO likes VALUES (?, ?, ?, ?)", (park, booth, user, now))
            return cur.rowcount == 1
        return bool(await self.commit(run))

    async def like_counts(self) -> dict[tuple[str, str], int]:
        rows = await self.fetch("SELECT park, booth, COUNT(*) FROM likes GROUP BY park, booth")
        return {(r[0], r[1]): int(r[2]) for r in rows}

    async def liked_booths(self, user: str) -> set[tuple[str, str]]:
        rows = await self.fetch("SELECT park, booth FROM likes WHERE user = ?", (user,))
        return {(str(r[0]), str(r[1])) for r in rows}

    async def liked(self, park: str, booth: str, user: str) -> bool:
        return await self.fetch_one(
            "SELECT 1 FROM likes WHERE park = ? AND booth = ? AND user = ?", (park, booth, user)) is not None

    async def add_card(self, park: str, booth: str, user: str, card: dict[str, str], consent: bool,
                       now: float) -> int:
        """The card's id. The schema itself refuses a card without consent."""
        async def run(db: aiosqlite.Connection) -> int:
            cur = await db.execute(
                "INSERT INTO cards (park, booth, user, name, company, email, phone, message, consent, ts)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (park, booth, user, card.get("name", ""), card.get("company", ""), card.get("email", ""),
                 card.get("phone", ""), card.get("message", ""), int(consent), now),
            )
            return int(cur.lastrowid or 0)
        return int(await self.commit(run))

    def post_visit(self, park: str, booth: str, user: str, name: str, entered: float, left: float) -> None:
        async def run(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO visits (park, booth, user, name, entered, left, dwell) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (park, booth, user, name, entered, left, max(0.0, left - entered)),
            )
        self.post(run)

    async def booth_stats(self, park: str, booth: str, limit: int = 200) -> dict[str, Any]:
        visits = await self.fetch(
            "SELECT user, name, entered, left, dwell FROM visits WHERE park = ? AND booth = ?"
            " ORDER BY id DESC LIMIT ?", (park, booth, limit))
        agg = await self.fetch_one(
            "SELECT COUNT(*), COALESCE(SUM(dwell), 0), COUNT(DISTINCT user) FROM visits"
            " WHERE park = ? AND booth = ?", (park, booth))
        likes = await self.fetch(
            "SELECT user, ts FROM likes WHERE park = ? AND booth = ? ORDER BY ts DESC LIMIT ?", (park, booth, limit))
        cards = await self.fetch(
            "SELECT id, user, name, company, email, phone, message, ts FROM cards"
            " WHERE park = ? AND booth = ? ORDER BY id DESC LIMIT ?", (park, booth, limit))
        n_likes = await self.fetch_one("SELECT COUNT(*) FROM likes WHERE park = ? AND booth = ?", (park, booth))
        return {
            "visits": int(agg[0]) if agg else 0,
            "visitors": int(agg[2]) if agg else 0,
            "dwell_s": float(agg[1]) if agg else 0.0,
            "likes": int(n_likes[0]) if n_likes else 0,
            "recent_visits": [dict(r) for r in visits],
            "recent_likes": [dict(r) for r in likes],
            "cards": [dict(r) for r in cards],
        }

    # --- chat and positions ------------------------------------------------------------

    def post_chat(self, park: str, ch: str, booth: str, user: str, name: str, text: str, now: float) -> None:
        async def run(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO chat (park, ch, booth, user, name, text, ts) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (park, ch, booth, user, name, text, now),
            )
        self.post(run)

    def post_prune_chat(self, park: str, older_than: float, keep_rows: int) -> None:
        """Chat retention for one park: drop lines older than ``older_than`` and all but
        the newest ``keep_rows``."""
        async def run(db: aiosqlite.Connection) -> None:
            await db.execute("DELETE FROM chat WHERE park = ? AND ts < ?", (park, older_than))
            await db.execute(
                "DELETE FROM chat WHERE park = ? AND id <= (SELECT id FROM chat WHERE park = ?"
                " ORDER BY id DESC LIMIT 1 OFFSET ?)", (park, park, keep_rows))
        self.post(run)

    def post_position(self, user: str, park: str, x: float, y: float, yaw: float, now: float) -> None:
        async def run(db: aiosqlite.Connection) -> None:
            await db.execute(
                "INSERT INTO positions VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user) DO UPDATE SET"
                " park = excluded.park, x = excluded.x, y = excluded.y, yaw = excluded.yaw, ts = excluded.ts",
                (user, park, x, y, yaw, now),
            )
        self.post(run)

    async def position(self, user: str) -> tuple[str, float, float, float] | None:
        r = await self.fetch_one("SELECT park, x, y, yaw FROM positions WHERE user = ?", (user,))
        return None if r is None else (str(r[0]), float(r[1]), float(r[2]), float(r[3]))
