"""Chat lines kept for moderation and history (queued by the tick, never awaited)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.tables import chat


@dataclass(frozen=True, slots=True)
class SavedChatLine:
    id: int
    park: str
    ch: str  # channel: near, park, booth
    booth: str  # for channel "booth"; "" otherwise
    user: str
    name: str
    text: str
    ts: float


class ChatRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def post(self, park: str, ch: str, booth: str, user: str, name: str, text: str, now: float) -> None:
        async def run(conn: AsyncConnection) -> None:
            await conn.execute(chat.insert().values(park=park, ch=ch, booth=booth, user=user, name=name,
                                                    text=text, ts=now))
        self.db.post(run)

    def post_prune(self, park: str, older_than: float, keep_rows: int) -> None:
        """Retention for one park: drop lines older than ``older_than`` and all but the
        newest ``keep_rows``."""
        async def run(conn: AsyncConnection) -> None:
            await conn.execute(delete(chat).where(chat.c.park == park, chat.c.ts < older_than))
            cut = (select(chat.c.id).where(chat.c.park == park).order_by(chat.c.id.desc())
                   .limit(1).offset(keep_rows).scalar_subquery())
            await conn.execute(delete(chat).where(chat.c.park == park, chat.c.id <= cut))
        self.db.post(run)

    async def recent(self, park: str, limit: int = 100) -> list[SavedChatLine]:
        """The park's newest ``limit`` lines, oldest first."""
        rows = await self.db.rows(select(chat).where(chat.c.park == park).order_by(chat.c.id.desc()).limit(limit))
        return [SavedChatLine(int(r.id), r.park, r.ch, r.booth, r.user, r.name, r.text, float(r.ts))
                for r in reversed(rows)]
