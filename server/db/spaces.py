"""Spaces: the parks' bookable offline venues (halls, meeting rooms, studios...).

Seeded from the catalogue's venues (and, for demo data, generated ones marked demo);
the bookings service makes them bookable. A space is keyed by (park_id, venue_id).
Its booking rules are stored as a JSON object (``rules``: ``world.bookings.SpaceRules``
settings; ``server.bookings.spec`` reads and writes them), a retired space takes no new
bookings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
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
    rules: dict[str, Any] = field(default_factory=dict)  # SpaceRules settings as JSON values
    equipment: tuple[str, ...] = ()
    photos: tuple[str, ...] = ()  # picture URLs
    floor_area: float | None = None  # m2
    price: str = ""  # "" is free; settled offline
    retired: bool = False
    updated: float = 0.0


def _space(row: Any) -> Space:
    return Space(row.park_id, row.venue_id, row.name, row.kind, row.capacity, row.building, bool(row.demo),
                 int(row.id), json.loads(row.rules), tuple(json.loads(row.equipment)), tuple(json.loads(row.photos)),
                 None if row.floor_area is None else float(row.floor_area), row.price, bool(row.retired),
                 float(row.updated))


def _values(s: Space) -> dict[str, Any]:
    return {"park_id": s.park_id, "venue_id": s.venue_id, "name": s.name, "kind": s.kind, "capacity": s.capacity,
            "building": s.building, "demo": int(s.demo), "rules": json.dumps(s.rules, sort_keys=True),
            "equipment": json.dumps(list(s.equipment), ensure_ascii=False),
            "photos": json.dumps(list(s.photos), ensure_ascii=False), "floor_area": s.floor_area,
            "price": s.price, "retired": int(s.retired), "updated": s.updated}


class SpaceRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_many(self, new: Sequence[Space]) -> int:
        """Add the spaces not there yet (by park and venue id); how many were new."""
        async def run(conn: AsyncConnection) -> int:
            before = int((await conn.execute(select(func.count()).select_from(spaces))).scalar_one())
            stmt = insert(conn, spaces).on_conflict_do_nothing(index_elements=["park_id", "venue_id"])
            for i in range(0, len(new), CHUNK):
                await conn.execute(stmt, [_values(s) for s in new[i:i + CHUNK]])
            return int((await conn.execute(select(func.count()).select_from(spaces))).scalar_one()) - before
        return await self.db.commit(run) if new else 0

    async def of_park(self, park_id: str) -> list[Space]:
        rows = await self.db.rows(select(spaces).where(spaces.c.park_id == park_id).order_by(spaces.c.venue_id))
        return [_space(r) for r in rows]

    async def add(self, space: Space) -> int:
        """A new space (IntegrityError when its park already has that venue id); its id."""
        async def run(conn: AsyncConnection) -> int:
            return int((await conn.execute(spaces.insert().values(_values(space)).returning(spaces.c.id)))
                       .scalar_one())
        return await self.db.commit(run)

    async def save(self, space: Space) -> bool:
        """Replace what is stored of ``space.id`` (its park and venue id stay); False when unknown."""
        values = _values(space)
        del values["park_id"], values["venue_id"], values["demo"]

        async def run(conn: AsyncConnection) -> bool:
            return (await conn.execute(update(spaces).where(spaces.c.id == space.id).values(values))).rowcount == 1
        return await self.db.commit(run)

    async def find(self, *, park_id: str | None = None, kind: str | None = None, min_capacity: int | None = None,
                   retired: bool = False, limit: int = 2000) -> list[Space]:
        """Spaces matching the filters (retired ones only when ``retired``), by park and venue."""
        stmt = select(spaces)
        if park_id:
            stmt = stmt.where(spaces.c.park_id == park_id)
        if kind:
            stmt = stmt.where(spaces.c.kind == kind)
        if min_capacity:
            stmt = stmt.where(spaces.c.capacity >= min_capacity)
        if not retired:
            stmt = stmt.where(spaces.c.retired == 0)
        rows = await self.db.rows(stmt.order_by(spaces.c.park_id, spaces.c.venue_id).limit(limit))
        return [_space(r) for r in rows]

    async def get(self, space_id: int) -> Space | None:
        row = await self.db.row(select(spaces).where(spaces.c.id == space_id))
        return None if row is None else _space(row)

    async def count(self) -> int:
        row = await self.db.row(select(func.count()).select_from(spaces))
        return 0 if row is None else int(row[0])
