"""A booth's figures per day: visits, distinct visitors, likes and cards, counted in SQL.

Days are local days: the caller passes the zone's UTC offset in seconds (Beijing is
UTC+8 all year), and a time ``ts`` falls on day ``floor((ts + offset) / 86400)``
(days since 1970-01-01 there). Both engines group by that number; SQLite's
``CAST(... AS INTEGER)`` truncates, which is the floor for the positive times stored
here, and PostgreSQL uses ``floor``. Each query reads one booth's rows of one table
inside ``[since, until)``: the (park, booth) indexes find them (see docs/data.md
for the time-ordered indexes that would also bound the scan by time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, Integer, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.tables import cards, likes, visits

DAY_S = 86400


@dataclass
class Day:
    """One local day's counts (``day``: days since 1970-01-01 in the zone's time)."""

    day: int
    visits: int = 0
    visitors: int = 0
    likes: int = 0
    cards: int = 0


@dataclass
class BoothDays:
    park: str
    booth: str
    days: list[Day] = field(default_factory=list)  # every day of the window, oldest first
    visitors: int = 0  # distinct visitors over the whole window (not the sum of the days)


def _day(conn: AsyncConnection, column: ColumnElement[float], offset_s: int) -> ColumnElement[int]:
    shifted = (column + offset_s) / DAY_S
    if conn.dialect.name == "postgresql":
        return cast(func.floor(shifted), Integer)
    return cast(shifted, Integer)


async def booth_days(conn: AsyncConnection, park: str, booth: str, *, since: float, until: float,
                     offset_s: int) -> BoothDays:
    first, last = int((since + offset_s) // DAY_S), int((until - 1e-6 + offset_s) // DAY_S)
    days = {d: Day(d) for d in range(first, last + 1)}
    v_day = _day(conn, visits.c.entered, offset_s).label("day")
    in_window = (visits.c.park == park, visits.c.booth == booth, visits.c.entered >= since,
                 visits.c.entered < until)
    for row in await conn.execute(select(v_day, func.count(), func.count(visits.c.user.distinct()))
                                  .where(*in_window).group_by(v_day)):
        if row[0] in days:
            days[row[0]].visits, days[row[0]].visitors = int(row[1]), int(row[2])
    for table, name in ((likes, "likes"), (cards, "cards")):
        t_day = _day(conn, table.c.ts, offset_s).label("day")
        for row in await conn.execute(select(t_day, func.count()).where(
                table.c.park == park, table.c.booth == booth, table.c.ts >= since, table.c.ts < until)
                .group_by(t_day)):
            if row[0] in days:
                setattr(days[row[0]], name, int(row[1]))
    distinct = (await conn.execute(select(func.count(visits.c.user.distinct())).where(*in_window))).scalar_one()
    return BoothDays(park, booth, [days[d] for d in sorted(days)], int(distinct))


class BoothFigureRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def days(self, booths: Sequence[tuple[str, str]], *, since: float, until: float,
                   offset_s: int) -> list[BoothDays]:
        """Per-day figures of each (park, booth) in ``[since, until)``, from one snapshot."""
        async def run(conn: AsyncConnection) -> list[BoothDays]:
            return [await booth_days(conn, p, b, since=since, until=until, offset_s=offset_s) for p, b in booths]
        return await self.db.read(run)
