"""Business cards visitors leave at booths: leads for the booth's enterprise.

Every card is kept (a visitor may follow up with another); the server caps cards per
account and day (``count_since``) and a retention job prunes old ones (``prune``).
A card needs the visitor's consent; a CHECK in the schema refuses one without.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.tables import cards


@dataclass(frozen=True, slots=True)
class CardFields:
    """What the visitor filled in."""

    name: str
    consent: bool
    company: str = ""
    email: str = ""
    phone: str = ""
    message: str = ""


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    park: str
    booth: str
    user: str
    name: str
    company: str
    email: str
    phone: str
    message: str
    ts: float


def _card(row: Row[Any]) -> Card:
    return Card(int(row.id), row.park, row.booth, row.user, row.name, row.company, row.email, row.phone,
                row.message, float(row.ts))


async def of_booth(conn: AsyncConnection, park: str, booth: str, limit: int) -> list[Card]:
    """The booth's newest cards first."""
    rows = await conn.execute(select(cards).where(cards.c.park == park, cards.c.booth == booth)
                              .order_by(cards.c.ts.desc(), cards.c.id.desc()).limit(limit))
    return [_card(r) for r in rows]


class CardRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(self, park: str, booth: str, user: str, fields: CardFields, now: float) -> int:
        """The new card's id. Raises IntegrityError, and writes nothing, without consent."""
        values = {"name": fields.name, "company": fields.company, "email": fields.email, "phone": fields.phone,
                  "message": fields.message, "consent": int(fields.consent), "ts": now}

        async def run(conn: AsyncConnection) -> int:
            stmt = cards.insert().values(park=park, booth=booth, user=user, **values).returning(cards.c.id)
            return int((await conn.execute(stmt)).scalar_one())
        return await self.db.commit(run)

    async def of_booth(self, park: str, booth: str, limit: int = 200) -> list[Card]:
        return await self.db.read(lambda conn: of_booth(conn, park, booth, limit))

    async def prune(self, older_than: float) -> int:
        """Delete cards left before ``older_than`` (retention); how many went."""
        async def run(conn: AsyncConnection) -> int:
            return int((await conn.execute(delete(cards).where(cards.c.ts < older_than))).rowcount)
        return await self.db.commit(run)

    async def count_since(self, user: str, since: float) -> int:
        """Cards ``user`` left (or replaced) at or after ``since``, over every booth: the
        daily cap's count."""
        row = await self.db.row(select(func.count()).select_from(cards)
                                .where(cards.c.user == user, cards.c.ts >= since))
        return int(row[0]) if row is not None else 0
