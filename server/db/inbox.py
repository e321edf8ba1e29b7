"""The inbox: one table every service writes notifications to (bookings, events,
policies, messages, alarms), read in the consoles and as notices in the 3D clients.

A notification holds translation keys and their parameters, never rendered text, so
each reader sees it in their own language. ``send`` writes one notification to many
recipients at once (multi-row INSERTs in one transaction); ``post_send`` queues it
without waiting (for a tick or a bus handler).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.tables import inbox

CHUNK = 1000
MAX_PAGE = 100


@dataclass(frozen=True, slots=True)
class Notice:
    """What to tell: ``kind`` is the service that tells it (``booking``, ``event``, ...)."""

    kind: str
    title_key: str
    body_key: str
    params: dict[str, Any] = field(default_factory=dict)
    link: str = ""


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    recipient: str
    notice: Notice
    created: float
    read_at: float | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _rows(recipients: Sequence[str], notice: Notice, now: float) -> list[dict[str, Any]]:
    params = json.dumps(notice.params, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return [{"recipient": r, "kind": notice.kind, "title_key": notice.title_key, "body_key": notice.body_key,
             "params": params, "link": notice.link, "created": now} for r in dict.fromkeys(recipients)]


class InboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _write(self, recipients: Sequence[str], notice: Notice, now: float) -> Callable[[AsyncConnection], Awaitable[int]]:
        rows = _rows(recipients, notice, now)

        async def run(conn: AsyncConnection) -> int:
            for i in range(0, len(rows), CHUNK):
                await conn.execute(inbox.insert(), rows[i:i + CHUNK])
            return len(rows)
        return run

    async def send(self, recipients: Sequence[str], notice: Notice, *, now: float) -> int:
        """Tell every recipient (each once); how many were told. All or none: an unknown
        recipient (not an account) fails the whole send with ``IntegrityError``."""
        if not recipients:
            return 0
        return await self.db.commit(self._write(recipients, notice, now))

    async def send_each(self, items: Sequence[tuple[str, Notice]], *, now: float) -> int:
        """Tell each recipient its own notice (the same service, its own parameters: a
        policy's verdict and amount per enterprise) in one transaction; how many were told.
        All or none, as ``send``."""
        rows = [row for recipient, notice in items for row in _rows([recipient], notice, now)]
        if not rows:
            return 0

        async def run(conn: AsyncConnection) -> int:
            for i in range(0, len(rows), CHUNK):
                await conn.execute(inbox.insert(), rows[i:i + CHUNK])
            return len(rows)
        return await self.db.commit(run)

    def post_send(self, recipients: Sequence[str], notice: Notice, *, now: float) -> None:
        """``send`` without waiting: queued to the writer, failures logged."""
        if recipients:
            self.db.post(self._write(recipients, notice, now))

    async def unread_count(self, user: str) -> int:
        row = await self.db.row(select(func.count()).select_from(inbox).where(
            inbox.c.recipient == user, inbox.c.read_at.is_(None)))
        return 0 if row is None else int(row[0])

    async def page(self, user: str, *, before: int | None = None, limit: int = 20,
                   unread_only: bool = False) -> list[Notification]:
        """Newest first: up to ``limit`` with id < ``before`` (the last id of the previous page)."""
        stmt = select(inbox).where(inbox.c.recipient == user)
        if before is not None:
            stmt = stmt.where(inbox.c.id < before)
        if unread_only:
            stmt = stmt.where(inbox.c.read_at.is_(None))
        rows = await self.db.rows(stmt.order_by(inbox.c.id.desc()).limit(max(1, min(limit, MAX_PAGE))))
        return [Notification(int(r.id), r.recipient,
                             Notice(r.kind, r.title_key, r.body_key, json.loads(r.params), r.link),
                             float(r.created), None if r.read_at is None else float(r.read_at)) for r in rows]

    async def mark_read(self, user: str, ids: Sequence[int] | None = None, *, now: float) -> int:
        """Mark ``ids`` (all when None) of ``user``'s unread notifications read; how many changed.
        Another person's ids are left alone."""
        async def run(conn: AsyncConnection) -> int:
            stmt = update(inbox).where(inbox.c.recipient == user, inbox.c.read_at.is_(None))
            if ids is not None:
                stmt = stmt.where(inbox.c.id.in_(list(ids)))
            return int((await conn.execute(stmt.values(read_at=now))).rowcount)
        if ids is not None and not ids:
            return 0
        return await self.db.commit(run)
