"""Where each person last stood (queued by the tick, never awaited)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.tables import positions


@dataclass(frozen=True, slots=True)
class SavedPosition:
    user: str
    park: str
    x: float
    y: float
    yaw: float
    ts: float


class PositionRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def post(self, user: str, park: str, x: float, y: float, yaw: float, now: float) -> None:
        async def run(conn: AsyncConnection) -> None:
            stmt = insert(conn, positions).values(user=user, park=park, x=x, y=y, yaw=yaw, ts=now)
            await conn.execute(stmt.on_conflict_do_update(
                index_elements=["user"], set_={k: stmt.excluded[k] for k in ("park", "x", "y", "yaw", "ts")}))
        self.db.post(run)

    async def get(self, user: str) -> SavedPosition | None:
        row = await self.db.row(select(positions).where(positions.c.user == user))
        if row is None:
            return None
        return SavedPosition(row.user, row.park, float(row.x), float(row.y), float(row.yaw), float(row.ts))
