"""Booth visits (queued by the tick, never awaited) and a booth's statistics."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db import cards, likes
from server.db.cards import Card
from server.db.database import Database
from server.db.likes import Like
from server.db.tables import visits


@dataclass(frozen=True, slots=True)
class Visit:
    park: str
    booth: str
    user: str
    name: str
    entered: float
    left: float
    dwell: float  # seconds inside


@dataclass(frozen=True, slots=True)
class BoothStats:
    visits: int
    visitors: int  # distinct people
    dwell_s: float  # total seconds inside
    likes: int
    recent_visits: tuple[Visit, ...]  # newest first
    recent_likes: tuple[Like, ...]
    cards: tuple[Card, ...]


class VisitRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    def post(self, park: str, booth: str, user: str, name: str, entered: float, left: float) -> None:
        """Record a visit (queued: returns at once, safe from the tick)."""
        values = {"park": park, "booth": booth, "user": user, "name": name, "entered": entered, "left": left,
                  "dwell": max(0.0, left - entered)}

        async def run(conn: AsyncConnection) -> None:
            await conn.execute(visits.insert().values(**values))
        self.db.post(run)

    async def stats(self, park: str, booth: str, limit: int = 200) -> BoothStats:
        """Totals and the newest ``limit`` visits, likes and cards, from one snapshot."""
        async def run(conn: AsyncConnection) -> BoothStats:
            here = (visits.c.park == park, visits.c.booth == booth)
            n, visitors, dwell = (await conn.execute(
                select(func.count(), func.count(visits.c.user.distinct()),
                       func.coalesce(func.sum(visits.c.dwell), 0.0)).where(*here))).one()
            rows = await conn.execute(select(visits).where(*here).order_by(visits.c.id.desc()).limit(limit))
            recent = tuple(Visit(r.park, r.booth, r.user, r.name, float(r.entered), float(r.left), float(r.dwell))
                           for r in rows)
            return BoothStats(
                visits=int(n), visitors=int(visitors), dwell_s=float(dwell),
                likes=await likes.count_of_booth(conn, park, booth), recent_visits=recent,
                recent_likes=tuple(await likes.of_booth(conn, park, booth, limit)),
                cards=tuple(await cards.of_booth(conn, park, booth, limit)))
        return await self.db.read(run)
