"""Bookings, weekly series and the waitlist, as rows.

Times are UTC epoch seconds. The database itself refuses two *holding* bookings
(confirmed, checked in, pending, offered) of one space whose occupied ranges
(``occ_start``/``occ_end``: the time plus the buffers) overlap: PostgreSQL with the
exclusion constraint ``bookings_no_overlap``, SQLite with the triggers of that name
(migration 0005). ``insert_booking`` turns that refusal into ``Overlap``.

The write functions take the writer's connection (``conn``) so that the booking
service can put a booking, its check-in code, its jobs and its waitlist change in one
transaction; ``BookingRepo`` holds the reads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.tables import booking_series, booking_waitlist, bookings, spaces
from world.bookings.rules import MAX_OCCUPIED_MINUTES

HOLDING = ("confirmed", "checked_in", "pending", "offered")
GUARD = "bookings_no_overlap"
# No occupied range is longer (world.bookings.rules; insert_booking refuses one that
# is): a search for the ranges meeting [lo, hi) reads the index (space_id, occ_start)
# between lo - MAX_OCCUPIED_S and hi only, not a space's whole history.
MAX_OCCUPIED_S = MAX_OCCUPIED_MINUTES * 60.0


class Overlap(Exception):
    """The database refused the booking: the space is held then (``bookings_no_overlap``)."""


def is_overlap(exc: BaseException) -> bool:
    return isinstance(exc, IntegrityError) and GUARD in str(exc)


@dataclass(frozen=True, slots=True)
class BookingRow:
    id: int
    space_id: int
    org_id: int | None
    booked_by: str
    for_user: str
    people: int
    start: float
    end: float
    occ_start: float
    occ_end: float
    state: str
    series_id: int | None
    hold_until: float | None
    note: str
    created: float
    updated: float

    @property
    def holding(self) -> bool:
        return self.state in HOLDING


@dataclass(frozen=True, slots=True)
class WaitRow:
    id: int
    space_id: int
    org_id: int | None
    booked_by: str
    for_user: str
    people: int
    start: float
    end: float
    state: str
    offer_id: int | None
    created: float


def _booking(r: Row[Any]) -> BookingRow:
    return BookingRow(int(r.id), int(r.space_id), None if r.org_id is None else int(r.org_id), r.booked_by,
                      r.for_user, int(r.people), float(r.start_at), float(r.end_at), float(r.occ_start),
                      float(r.occ_end), r.state, None if r.series_id is None else int(r.series_id),
                      None if r.hold_until is None else float(r.hold_until), r.note, float(r.created),
                      float(r.updated))


def _wait(r: Row[Any]) -> WaitRow:
    return WaitRow(int(r.id), int(r.space_id), None if r.org_id is None else int(r.org_id), r.booked_by, r.for_user,
                   int(r.people), float(r.start_at), float(r.end_at), r.state,
                   None if r.offer_id is None else int(r.offer_id), float(r.created))


# --- inside a write ------------------------------------------------------------------


SPACE_LOCKS = 0x424B  # the advisory-lock namespace of bookings ("BK"); the key's second half is the space


async def lock_space(conn: AsyncConnection, space_id: int) -> None:
    """On PostgreSQL, take the space's transaction-scoped advisory lock before a write
    that may make a booking hold it. The exclusion constraint stays the guarantee; the
    lock only lines up the writers of one space (other processes' too), so that two
    inserts through the constraint never wait on each other's uncommitted rows, which
    deadlocks (seen with 8 racing processes). SQLite needs none: its writers hold the
    file's write lock for the whole transaction."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:ns, :key)"),
                           {"ns": SPACE_LOCKS, "key": space_id % 2**31})


async def insert_booking(conn: AsyncConnection, *, space_id: int, org_id: int | None, booked_by: str,
                         for_user: str, people: int, start: float, end: float, occ_start: float, occ_end: float,
                         state: str, now: float, hold_until: float | None = None,
                         series_id: int | None = None) -> int:
    """Insert one booking (inside a savepoint, so a refusal leaves the transaction
    usable); its id, or ``Overlap`` when the database finds the space held then."""
    if not occ_start <= start < end <= occ_end or occ_end - occ_start > MAX_OCCUPIED_S:
        raise ValueError(f"booking range {start}-{end} (occupied {occ_start}-{occ_end}) is not a booking's")
    await lock_space(conn, space_id)
    try:
        async with conn.begin_nested():
            result = await conn.execute(bookings.insert().values(
                space_id=space_id, org_id=org_id, booked_by=booked_by, for_user=for_user, people=people,
                start_at=start, end_at=end, occ_start=occ_start, occ_end=occ_end, state=state, series_id=series_id,
                hold_until=hold_until, created=now, updated=now).returning(bookings.c.id))
            return int(result.scalar_one())
    except IntegrityError as exc:
        if is_overlap(exc):
            raise Overlap(str(exc.orig)) from exc
        raise


async def set_code_hash(conn: AsyncConnection, booking_id: int, code_hash: bytes) -> None:
    await conn.execute(update(bookings).where(bookings.c.id == booking_id).values(code_hash=code_hash))


async def move(conn: AsyncConnection, booking_id: int, from_states: Sequence[str], to: str, now: float, *,
               note: str | None = None, hold_until: float | None = None) -> BookingRow | None:
    """Change a booking's state when it is in one of ``from_states`` (an atomic compare
    and set: two staff approving at once, one wins); the row after, or None; ``Overlap``
    when it would hold the space over another holding booking."""
    values: dict[str, Any] = {"state": to, "updated": now, "hold_until": hold_until}
    if note is not None:
        values["note"] = note
    stmt = (update(bookings).where(bookings.c.id == booking_id, bookings.c.state.in_(list(from_states)))
            .values(values).returning(*bookings.c))
    if conn.dialect.name == "postgresql":  # a move may make it hold the space again: line up with its writers
        space_id = (await conn.execute(select(bookings.c.space_id).where(bookings.c.id == booking_id))).scalar()
        if space_id is not None:
            await lock_space(conn, int(space_id))
    try:
        async with conn.begin_nested():
            row = (await conn.execute(stmt)).first()
    except IntegrityError as exc:  # back into a holding state over another booking
        if is_overlap(exc):
            raise Overlap(str(exc.orig)) from exc
        raise
    return None if row is None else _booking(row)


async def reschedule(conn: AsyncConnection, booking_id: int, from_states: Sequence[str], *, start: float, end: float,
                     occ_start: float, occ_end: float, now: float) -> BookingRow | None:
    """Move a booking to another time of its space when it is in one of ``from_states``:
    one UPDATE, so the database's ``bookings_no_overlap`` checks the new range against
    every other holding booking before the old range is given up, both at once (a
    refusal is ``Overlap`` and leaves the booking as it was); the row after, or None."""
    if not occ_start <= start < end <= occ_end or occ_end - occ_start > MAX_OCCUPIED_S:
        raise ValueError(f"booking range {start}-{end} (occupied {occ_start}-{occ_end}) is not a booking's")
    space_id = (await conn.execute(select(bookings.c.space_id).where(bookings.c.id == booking_id))).scalar()
    if space_id is None:
        return None
    await lock_space(conn, int(space_id))
    stmt = (update(bookings).where(bookings.c.id == booking_id, bookings.c.state.in_(list(from_states)))
            .values(start_at=start, end_at=end, occ_start=occ_start, occ_end=occ_end, updated=now)
            .returning(*bookings.c))
    try:
        async with conn.begin_nested():
            row = (await conn.execute(stmt)).first()
    except IntegrityError as exc:
        if is_overlap(exc):
            raise Overlap(str(exc.orig)) from exc
        raise
    return None if row is None else _booking(row)


async def booking_in(conn: AsyncConnection, booking_id: int) -> BookingRow | None:
    row = (await conn.execute(select(bookings).where(bookings.c.id == booking_id))).first()
    return None if row is None else _booking(row)


async def holding_in(conn: AsyncConnection, space_id: int, lo: float, hi: float) -> list[BookingRow]:
    """The space's holding bookings whose occupied range meets [lo, hi)."""
    rows = (await conn.execute(select(bookings).where(
        bookings.c.space_id == space_id, bookings.c.state.in_(HOLDING), bookings.c.occ_start > lo - MAX_OCCUPIED_S,
        bookings.c.occ_start < hi, bookings.c.occ_end > lo).order_by(bookings.c.occ_start))).all()
    return [_booking(r) for r in rows]


def holding_many_query(space_ids: Sequence[int], lo: float, hi: float) -> Select[Any]:
    """The holding bookings of many spaces whose occupied range meets [lo, hi)."""
    return select(bookings).where(
        bookings.c.space_id.in_(list(space_ids)), bookings.c.state.in_(HOLDING),
        bookings.c.occ_start > lo - MAX_OCCUPIED_S, bookings.c.occ_start < hi, bookings.c.occ_end > lo)


async def minutes_held(conn: AsyncConnection, space_id: int, org_id: int, lo: float, hi: float) -> float:
    """Minutes ``org_id`` holds in the space among bookings starting in [lo, hi) (its quota)."""
    total = (await conn.execute(select(func.coalesce(func.sum(bookings.c.end_at - bookings.c.start_at), 0.0)).where(
        bookings.c.space_id == space_id, bookings.c.org_id == org_id, bookings.c.state.in_(HOLDING),
        bookings.c.start_at >= lo, bookings.c.start_at < hi))).scalar_one()
    return float(total) / 60.0


async def insert_series(conn: AsyncConnection, *, space_id: int, org_id: int | None, booked_by: str, for_user: str,
                        first_start: float, minutes: int, count: int, clashes: list[dict[str, Any]],
                        now: float) -> int:
    result = await conn.execute(booking_series.insert().values(
        space_id=space_id, org_id=org_id, booked_by=booked_by, for_user=for_user, first_start=first_start,
        minutes=minutes, count=count, clashes=json.dumps(clashes, ensure_ascii=False), created=now)
        .returning(booking_series.c.id))
    return int(result.scalar_one())


async def insert_wait(conn: AsyncConnection, *, space_id: int, org_id: int | None, booked_by: str, for_user: str,
                      people: int, start: float, end: float, now: float) -> int:
    result = await conn.execute(booking_waitlist.insert().values(
        space_id=space_id, org_id=org_id, booked_by=booked_by, for_user=for_user, people=people, start_at=start,
        end_at=end, state="waiting", created=now).returning(booking_waitlist.c.id))
    return int(result.scalar_one())


async def waiting_in(conn: AsyncConnection, space_id: int) -> list[WaitRow]:
    """The space's waitlist, first come first served."""
    rows = (await conn.execute(select(booking_waitlist).where(
        booking_waitlist.c.space_id == space_id, booking_waitlist.c.state == "waiting")
        .order_by(booking_waitlist.c.id))).all()
    return [_wait(r) for r in rows]


async def set_wait(conn: AsyncConnection, wait_id: int, state: str, offer_id: int | None = None) -> None:
    values: dict[str, Any] = {"state": state}
    if offer_id is not None:
        values["offer_id"] = offer_id
    await conn.execute(update(booking_waitlist).where(booking_waitlist.c.id == wait_id).values(values))


async def drop_offer(conn: AsyncConnection, booking_id: int) -> None:
    """The waitlist entry offered as ``booking_id`` leaves the list (its offer lapsed)."""
    await conn.execute(update(booking_waitlist).where(booking_waitlist.c.offer_id == booking_id)
                       .values(state="dropped"))


async def no_shows_in(conn: AsyncConnection, user: str) -> int:
    return int((await conn.execute(select(func.count()).select_from(bookings).where(
        bookings.c.for_user == user, bookings.c.state == "released"))).scalar_one())


# --- reads ---------------------------------------------------------------------------


class BookingRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, booking_id: int) -> BookingRow | None:
        return await self.db.read(lambda conn: booking_in(conn, booking_id))

    async def holding(self, space_id: int, lo: float, hi: float) -> list[BookingRow]:
        return await self.db.read(lambda conn: holding_in(conn, space_id, lo, hi))

    async def holding_many(self, space_ids: Sequence[int], lo: float, hi: float) -> dict[int, list[BookingRow]]:
        """Holding bookings of many spaces at once (free-slot search, the 3D park's
        boards), by space: one query over the index (space_id, occ_start), bounded on
        both sides (``MAX_OCCUPIED_S``)."""
        out: dict[int, list[BookingRow]] = {s: [] for s in space_ids}
        if not space_ids:
            return out
        rows = await self.db.rows(holding_many_query(space_ids, lo, hi))
        for r in rows:
            out[int(r.space_id)].append(_booking(r))
        return out

    async def of_user(self, user: str, since: float, limit: int = 200) -> list[BookingRow]:
        """Bookings made by or for ``user`` ending after ``since``, soonest first."""
        rows = await self.db.rows(select(bookings).where(
            (bookings.c.for_user == user) | (bookings.c.booked_by == user), bookings.c.end_at > since)
            .order_by(bookings.c.start_at, bookings.c.id).limit(limit))
        return [_booking(r) for r in rows]

    async def of_park(self, park_id: str, lo: float, hi: float) -> list[BookingRow]:
        """Every booking (any state) in the park's spaces starting in [lo, hi)."""
        rows = await self.db.rows(select(bookings).join(spaces, spaces.c.id == bookings.c.space_id).where(
            spaces.c.park_id == park_id, bookings.c.start_at >= lo, bookings.c.start_at < hi)
            .order_by(bookings.c.start_at, bookings.c.id))
        return [_booking(r) for r in rows]

    async def by_code_hash(self, code_hash: bytes) -> BookingRow | None:
        row = await self.db.row(select(bookings).where(bookings.c.code_hash == code_hash))
        return None if row is None else _booking(row)

    async def no_shows(self, user: str) -> int:
        return await self.db.read(lambda conn: no_shows_in(conn, user))

    async def waitlist_of(self, user: str) -> list[WaitRow]:
        rows = await self.db.rows(select(booking_waitlist).where(
            booking_waitlist.c.for_user == user, booking_waitlist.c.state == "waiting")
            .order_by(booking_waitlist.c.start_at))
        return [_wait(r) for r in rows]

    async def series(self, series_id: int) -> dict[str, Any] | None:
        row = await self.db.row(select(booking_series).where(booking_series.c.id == series_id))
        if row is None:
            return None
        return {"id": int(row.id), "space_id": int(row.space_id), "count": int(row.count),
                "minutes": int(row.minutes), "clashes": json.loads(row.clashes)}
