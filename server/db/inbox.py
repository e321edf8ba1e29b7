"""The inbox: one table every service writes notifications to (bookings, events,
policies, messages, alarms), read in the consoles and as notices in the 3D clients.

A notification holds translation keys and their parameters, never rendered text, so
each reader sees it in their own language. ``send`` writes one notification to many
recipients at once (``server.db.bulk.insert_rows`` in one transaction); ``post_send`` queues it
without waiting (for a tick or a bus handler).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.bulk import insert_rows
from server.db.database import Database
from server.db.tables import inbox

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


COLUMNS = ("recipient", "kind", "title_key", "body_key", "params", "link", "created")


_JSON = msgspec.json.Encoder(order="sorted")  # compact, keys sorted, UTF-8 as is (json.dumps is 5x slower)


def _params(notice: Notice) -> str:
    return _JSON.encode(notice.params).decode()


def _rows(recipients: Sequence[str], notice: Notice, now: float) -> list[tuple[Any, ...]]:
    params = _params(notice)
    return [(r, notice.kind, notice.title_key, notice.body_key, params, notice.link, now)
            for r in dict.fromkeys(recipients)]


class InboxRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _write(self, recipients: Sequence[str], notice: Notice, now: float) -> Callable[[AsyncConnection], Awaitable[int]]:
        rows = _rows(recipients, notice, now)

        async def run(conn: AsyncConnection) -> int:
            return await insert_rows(conn, inbox, COLUMNS, rows)
        return run

    async def send(self, recipients: Sequence[str], notice: Notice, *, now: float) -> int:
        """Tell every recipient (each once); how many were told. All or none: an unknown
        recipient (not an account) fails the whole send with ``IntegrityError``."""
        if not recipients:
            return 0
        return await self.db.commit(self._write(recipients, notice, now))

    async def send_each(self, items: Sequence[tuple[str, Notice]], *, now: float,
                        along: Callable[[AsyncConnection], Awaitable[Any]] | None = None) -> int:
        """Tell each recipient its own notice (the same service, its own parameters: a
        policy's verdict and amount per enterprise) in one transaction; how many were told.
        All or none, as ``send``. ``along``: a write of the caller's run first in that
        transaction (what the notices tell of: a policy's matches), so both land or neither."""
        params: dict[int, str] = {}  # one JSON text per distinct notice object
        rows = sorted((recipient, n.kind, n.title_key, n.body_key,
                       params[id(n)] if id(n) in params else params.setdefault(id(n), _params(n)), n.link, now)
                      for recipient, n in items)  # in recipient order: the index and key checks walk in order
        if not rows and along is None:
            return 0

        async def run(conn: AsyncConnection) -> int:
            if along is not None:
                await along(conn)
            return await insert_rows(conn, inbox, COLUMNS, rows)
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
