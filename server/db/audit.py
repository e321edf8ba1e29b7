"""The audit log: who did what privileged thing to what, when. Append-only.

``AuditRepo`` can add an entry and read them; it has no way to change or delete one.
Entries are read newest first, a page at a time by id (``before``), so paging stays
cheap however long the log grows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.tables import audit_log

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    ts: float
    actor: str  # a user name
    action: str  # e.g. "org.admit", "member.role"
    target: str  # what it was done to, e.g. "org:12", "user:ana"
    detail: dict[str, Any]


async def append(conn: AsyncConnection, actor: str, action: str, target: str, detail: dict[str, Any], *,
                 now: float) -> int:
    """Add an entry inside the caller's transaction (a change and its entry commit together)."""
    text = json.dumps(detail, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    result = await conn.execute(audit_log.insert().values(
        ts=now, actor=actor, action=action, target=target, detail=text).returning(audit_log.c.id))
    return int(result.scalar_one())


class AuditRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, actor: str, action: str, target: str, detail: dict[str, Any], *, now: float) -> int:
        async def run(conn: AsyncConnection) -> int:
            return await append(conn, actor, action, target, detail, now=now)
        return await self.db.commit(run)

    async def page(self, *, before: int | None = None, limit: int = 50, target: str | None = None,
                   actor: str | None = None, within: Sequence[str] = ()) -> list[AuditEntry]:
        """Newest first: up to ``limit`` entries with id < ``before`` (pass the last id of
        the previous page), of one ``target`` or ``actor`` when given, and with a target
        starting with one of ``within`` when given (a park's entries: ``park:<id>/``, ``booth:<id>/``)."""
        stmt = select(audit_log)
        if within:
            stmt = stmt.where(or_(*(audit_log.c.target.startswith(p, autoescape=True) for p in within)))
        if before is not None:
            stmt = stmt.where(audit_log.c.id < before)
        if target is not None:
            stmt = stmt.where(audit_log.c.target == target)
        if actor is not None:
            stmt = stmt.where(audit_log.c.actor == actor)
        rows = await self.db.rows(stmt.order_by(audit_log.c.id.desc()).limit(max(1, min(limit, MAX_PAGE))))
        return [AuditEntry(int(r.id), float(r.ts), r.actor, r.action, r.target, json.loads(r.detail)) for r in rows]
