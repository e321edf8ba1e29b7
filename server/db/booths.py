"""Booth slots: which organization owns each, and its content.

Content is stored as JSON and decoded here, once, into ``BoothContent``; a row that
no longer decodes is served as empty content and logged, never passed on as text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Row, Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.tables import booths, organizations
from world.protocol.messages import BoothContent

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BoothRow:
    park: str
    booth: str
    owner_org: int | None  # the organization that owns the slot; None: free
    owner_name: str  # that organization's name ("" when free), for display only
    content: BoothContent
    updated: float
    demo: bool


def encode_content(content: BoothContent) -> str:
    return msgspec.json.encode(content).decode()


def decode_content(park: str, booth: str, text: str) -> BoothContent:
    try:
        return msgspec.json.decode(text, type=BoothContent)
    except msgspec.DecodeError as exc:
        log.error("booth %s/%s: stored content unreadable (%s); shown empty", park, booth, exc)
        return BoothContent()


def _select() -> Select[Any]:
    return (select(booths.c.park, booths.c.booth, booths.c.owner_org,
                   func.coalesce(organizations.c.name, "").label("owner_name"), booths.c.content,
                   booths.c.updated, booths.c.demo)
            .outerjoin(organizations, organizations.c.id == booths.c.owner_org))


def _booth(row: Row[Any]) -> BoothRow:
    return BoothRow(row.park, row.booth, None if row.owner_org is None else int(row.owner_org), row.owner_name,
                    decode_content(row.park, row.booth, row.content), float(row.updated), bool(row.demo))


class BoothRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[BoothRow]:
        rows = await self.db.rows(_select().order_by(booths.c.park, booths.c.booth))
        return [_booth(r) for r in rows]

    async def get(self, park: str, booth: str) -> BoothRow | None:
        row = await self.db.row(_select().where(booths.c.park == park, booths.c.booth == booth))
        return None if row is None else _booth(row)

    async def assign(self, park: str, booth: str, owner_org: int | None, content: BoothContent, now: float,
                     demo: bool = False) -> None:
        """Give the slot to ``owner_org`` (None frees it) with ``content``; committed on return."""
        text = encode_content(content)

        async def run(conn: AsyncConnection) -> None:
            stmt = insert(conn, booths).values(park=park, booth=booth, owner_org=owner_org, content=text,
                                               updated=now, demo=int(demo))
            await conn.execute(stmt.on_conflict_do_update(
                index_elements=["park", "booth"],
                set_={"owner_org": stmt.excluded.owner_org, "content": stmt.excluded.content,
                      "updated": stmt.excluded.updated, "demo": stmt.excluded.demo}))
        await self.db.commit(run)

    async def save_content(self, park: str, booth: str, owner_org: int | None, content: BoothContent,
                           now: float) -> bool:
        """A content edit by whoever holds the slot for ``owner_org``. False, and nothing
        written, when the stored owner is no longer ``owner_org`` (another process
        reassigned the slot since it was read). An edit never creates ownership: a slot
        with no row gets one only when the edit is for a free slot (``owner_org`` None)."""
        text = encode_content(content)

        async def run(conn: AsyncConnection) -> bool:
            if owner_org is not None:
                result = await conn.execute(
                    update(booths).where(booths.c.park == park, booths.c.booth == booth,
                                         booths.c.owner_org == owner_org)
                    .values(content=text, updated=now))
                return result.rowcount == 1
            stmt = insert(conn, booths).values(park=park, booth=booth, owner_org=None, content=text,
                                               updated=now, demo=0)
            done = await conn.execute(stmt.on_conflict_do_update(
                index_elements=["park", "booth"],
                set_={"content": stmt.excluded.content, "updated": stmt.excluded.updated},
                where=booths.c.owner_org.is_(None)).returning(booths.c.park))
            return done.first() is not None
        return await self.db.commit(run)
