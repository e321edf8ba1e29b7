"""Spaces: the parks' bookable offline venues (halls, meeting rooms, studios...).

Seeded from the catalogue's venues (and, for demo data, generated ones marked demo);
the bookings service makes them bookable. A space is keyed by (park_id, venue_id).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.tables import spaces

CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Space:
    park_id: str
    venue_id: str
    name: str
    kind: str  # world.catalogue.VENUE_KINDS
    capacity: int | None = None
    building: str = ""
    demo: bool = False
    id: int = 0  # given by the database


def _space(row: Any) -> Space:
    return Space(row.park_id, row.venue_id, row.name, row.kind, row.capacity, row.building, bool(row.demo),
                 int(row.id))


class SpaceRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_many(self, new: Sequence[Space]) -> int:
        """Add the spaces not there yet (by park and venue id); how many were new."""
        async def run(conn: AsyncConnection) -> int:
            before = int((await conn.execute(select(func.count()).select_from(spaces))).scalar_one())
            stmt = insert(conn, spaces).on_conflict_do_nothing(index_elements=["park_id", "venue_id"])
            for i in range(0, len(new), CHUNK):
                await conn.execute(stmt, [{"park_id": s.park_id, "venue_id": s.venue_id, "name": s.name,
                                           "kind": s.kind, "capacity": s.capacity, "building": s.building,
                                           "demo": int(s.demo)} for s in new[i:i + CHUNK]])
            return int((await conn.execute(select(func.count()).select_from(spaces))).scalar_one()) - before
        return await self.db.commit(run) if new else 0

    async def of_park(self, park_id: str) -> list[Space]:
        rows = await self.db.rows(select(spaces).where(spaces.c.park_id == park_id).order_by(spaces.c.venue_id))
        return [_space(r) for r in rows]

    async def get(self, space_id: int) -> Space | None:
        row = await self.db.row(select(spaces).where(spaces.c.id == space_id))
        return None if row is None else _space(row)

    async def count(self) -> int:
        row = await self.db.row(select(func.count()).select_from(spaces))
        return 0 if row is None else int(row[0])
