"""Likes: one per person and booth."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.tables import likes


@dataclass(frozen=True, slots=True)
class Like:
    park: str
    booth: str
    user: str  # an account, or "guest:..." for a guest's session
    ts: float


class LikeRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, park: str, booth: str, user: str, now: float) -> bool:
        """False when this user already liked this booth."""
        async def run(conn: AsyncConnection) -> bool:
            stmt = insert(conn, likes).values(park=park, booth=booth, user=user, ts=now)
            done = await conn.execute(stmt.on_conflict_do_nothing(index_elements=["park", "booth", "user"])
                                      .returning(likes.c.user))
            return done.first() is not None
        return await self.db.commit(run)

    async def counts(self) -> dict[tuple[str, str], int]:
        rows = await self.db.rows(select(likes.c.park, likes.c.booth, func.count().label("n"))
                                  .group_by(likes.c.park, likes.c.booth))
        return {(r.park, r.booth): int(r.n) for r in rows}

    async def of_user(self, user: str) -> set[tuple[str, str]]:
        rows = await self.db.rows(select(likes.c.park, likes.c.booth).where(likes.c.user == user))
        return {(r.park, r.booth) for r in rows}

    async def of_booth(self, park: str, booth: str, limit: int = 200) -> list[Like]:
        """The booth's newest likes first."""
        return await self.db.read(lambda conn: of_booth(conn, park, booth, limit))


async def of_booth(conn: AsyncConnection, park: str, booth: str, limit: int) -> list[Like]:
    rows = await conn.execute(select(likes).where(likes.c.park == park, likes.c.booth == booth)
                              .order_by(likes.c.ts.desc()).limit(limit))
    return [Like(r.park, r.booth, r.user, float(r.ts)) for r in rows]


async def count_of_booth(conn: AsyncConnection, park: str, booth: str) -> int:
    return int((await conn.execute(select(func.count()).select_from(likes).where(
        likes.c.park == park, likes.c.booth == booth))).scalar_one())
