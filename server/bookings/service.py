"""The booking service: what the web pages, the API and (later) the 3D park call.

Every request is checked by the pure rules (``world.bookings.check.problems``) against
the space's holding bookings; the write then lets the **database** decide the race
(``bookings_no_overlap``): of many requests for one time exactly one is written, the
others are told "taken" with the nearest free alternatives. The enterprise's weekly
quota is counted again inside the write. A booking, its check-in code, its scheduler
jobs (hold expiry, check-in reminder, no-show release) and any waitlist offer are
written in one transaction, so nothing is half-done and the jobs survive restarts
(``server.scheduler``; ``register`` adds the handlers).

Permissions are the caller's (``world.permissions``: ``booking.make``, ``booking.own``,
``booking.manage``); the service applies the rules of the space and the state table
of ``world.bookings.ledger``. Each change tells the people concerned (the inbox, or
the injected ``tell``) through ``server.notices.send`` (the inbox plus the ``inbox.new``
hint, so people standing in a park get it as an in-world ``notice``) and publishes
``space.changed`` on the bus for the 3D park (``server.space_board``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from server import notices
from server.bookings import codes
from server.bookings.spec import rules_of
from server.bus import Bus, InProcessBus
from server.clock import Clock
from server.db.bookings import (
    BookingRow,
    Overlap,
    WaitRow,
    booking_in,
    drop_offer,
    holding_in,
    insert_booking,
    insert_series,
    insert_wait,
    minutes_held,
    move,
    no_shows_in,
    reschedule,
    set_code_hash,
    set_wait,
    waiting_in,
)
from server.db.inbox import Notice
from server.db.jobs import due_in, schedule_in
from server.db.spaces import Space
from world.bookings.check import (
    Booking,
    Problem,
    Request,
    can_cancel,
    occupied,
    problems,
    time_problems,
    week_of,
)
from world.bookings.ledger import CHECK_IN_EARLY, TRANSITIONS
from world.bookings.recurring import weekly
from world.bookings.rules import SpaceRules
from world.bookings.slots import alternatives, free_starts, wall_clock
from world.people import Person

log = logging.getLogger("cloudpark.bookings")

Tell = Callable[[Sequence[str], Notice, float], Awaitable[Any]]
WINDOW = timedelta(days=8)  # bookings read around a request: its week (quota) and the alternatives' days
REMIND_BEFORE = timedelta(minutes=30)
SPACE_CHANGED = "space.changed"  # hint {park, space}: the world server re-reads that park's space states
JOB_KINDS = ("booking.hold", "booking.release", "booking.remind")
MOVABLE = ("confirmed", "pending")  # a booking that may move to another time (not begun: see ``move_to``)
DONE = {"cancel": "cancelled", "approve": "approved", "decline": "declined", "accept": "accepted",
        "check_in": "checked in", "expire": "expired", "release": "released"}


class BookingRefused(Exception):
    """A request broke rules: each problem has a code (``world.bookings`` codes, plus
    ``retired``, ``enterprise``, ``for_user``, ``state``, ``unknown_booking``, ``code``,
    ``too_early``, ``too_late``, ``free``), the field and a sentence; a taken time comes
    with the nearest free ``alternatives``."""

    def __init__(self, found: Sequence[Problem], alternatives: Sequence[datetime] = ()) -> None:
        self.problems = tuple(found)
        self.alternatives = tuple(alternatives)
        super().__init__("; ".join(f"{p.field}: {p.message} ({p.code})" for p in self.problems))

    @property
    def code(self) -> str:
        return self.problems[0].code

    @property
    def taken(self) -> bool:
        return any(p.code == "taken" for p in self.problems)


@dataclass(frozen=True, slots=True)
class Occurrence:
    day: date
    booking: BookingRow | None
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True)
class Series:
    id: int
    occurrences: tuple[Occurrence, ...]

    @property
    def booked(self) -> list[BookingRow]:
        return [o.booking for o in self.occurrences if o.booking is not None]

    @property
    def clashes(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.booking is None]


def at(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


def ts(moment: datetime) -> float:
    return moment.timestamp()


def _pure(row: BookingRow) -> Booking:
    return Booking(row.id, str(row.space_id), at(row.start), at(row.end), row.for_user, row.org_id, row.state,
                   row.people)


def _problem(code: str, field: str, message: str) -> BookingRefused:
    return BookingRefused([Problem(code, field, message)])


class BookingService:
    def __init__(self, store: Any, clock: Clock, tz: tzinfo, secret: bytes, *, bus: Bus | None = None,
                 tell: Tell | None = None) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.secret = secret
        self.bus: Bus = bus if bus is not None else InProcessBus()  # no bus given: nobody listens
        self._tell = tell

    # --- reading -----------------------------------------------------------------------

    async def space(self, space_id: int) -> tuple[Space, SpaceRules]:
        space = await self.store.spaces.get(space_id)
        if space is None:
            raise _problem("unknown_space", "space", f"there is no space {space_id}")
        return space, rules_of(space)

    def code(self, booking_id: int) -> str:
        """The booking's check-in code (shown to its booker; only its hash is stored)."""
        return codes.code_for(self.secret, booking_id)

    def local(self, moment: float | datetime) -> datetime:
        return (at(moment) if isinstance(moment, float | int) else moment).astimezone(self.tz)

    def day_range(self, day: date) -> tuple[float, float]:
        """UTC seconds of local ``day``'s midnight and the next one."""
        lo = wall_clock(day, 0, self.tz) or wall_clock(day, 60, self.tz)
        hi = wall_clock(day + timedelta(days=1), 0, self.tz) or wall_clock(day + timedelta(days=1), 60, self.tz)
        assert lo is not None and hi is not None
        return ts(lo), ts(hi)

    async def slots(self, space_id: int, day: date, minutes: int) -> list[datetime]:
        """The free starts on local ``day`` for a booking of ``minutes``."""
        space, rules = await self.space(space_id)
        if space.retired:
            return []
        lo, hi = self.day_range(day)
        existing = await self.store.bookings.holding(space.id, lo - 86400, hi + 86400)
        return self._free_starts(rules, day, timedelta(minutes=minutes), [_pure(b) for b in existing],
                                 at(self.clock.now()))

    def _free_starts(self, rules: SpaceRules, day: date, duration: timedelta, existing: list[Booking],
                     now: datetime) -> list[datetime]:
        """``world.bookings.slots.free_starts`` (``server.bookings.bench`` swaps in the
        reference definition to time the two side by side)."""
        return free_starts(rules, day, duration, existing, now, self.tz)

    async def search(self, *, day: date, minutes: int, park_id: str | None = None, kind: str | None = None,
                     people: int = 1, equipment: Sequence[str] = (), after_minute: int = 0,
                     before_minute: int = 24 * 60, near: tuple[str, str] | None = None,
                     booker: tuple[int | None, str] | None = None,
                     limit: int = 50) -> list[tuple[Space, list[datetime]]]:
        """Spaces that fit (kind, people, equipment, park) with their free starts on
        ``day`` between the local minutes ``after_minute`` and ``before_minute``;
        ``near`` = (park, building): the same building first, then the same park;
        ``booker`` = (enterprise, its park): only the spaces whose audience lets it book."""
        found = await self.store.spaces.find(park_id=park_id, kind=kind, min_capacity=people if people > 1 else None)
        want = {e.casefold() for e in equipment}
        found = [s for s in found if want <= {e.casefold() for e in s.equipment}]
        if booker is not None:
            found = [s for s in found if _open_to(s, *booker)]
        lo, hi = self.day_range(day)
        now = at(self.clock.now())
        out: list[tuple[Space, list[datetime]]] = []
        # without "near" the answer is the first ``limit`` spaces with free starts, in the
        # spaces' order: their bookings are read a chunk at a time (one query each) and the
        # search stops once it has them; with "near" every space counts
        chunk = max(2 * limit, 100) if near is None else max(1, len(found))
        for first in range(0, len(found), chunk):
            if near is None and len(out) >= limit:
                break
            part = found[first:first + chunk]
            held = await self.store.bookings.holding_many([s.id for s in part], lo - 86400, hi + 86400)
            out += self._found(part, held, day, minutes, now, after_minute, before_minute,
                               limit - len(out) if near is None else len(part))
        if near is not None:
            park, building = near
            out.sort(key=lambda item: (not (item[0].park_id == park and building and item[0].building == building),
                                       item[0].park_id != park))
        return out[:limit]

    def _found(self, spaces: Sequence[Space], held: dict[int, list[BookingRow]], day: date, minutes: int,
               now: datetime, after_minute: int, before_minute: int, want: int) -> list[tuple[Space, list[datetime]]]:
        """Up to ``want`` of ``spaces`` (in order) with their free starts on ``day``."""
        out: list[tuple[Space, list[datetime]]] = []
        for space in spaces:
            try:
                rules = rules_of(space)
            except ValueError:
                log.warning("space %s has bad rules; left out of the search", space.id)
                continue
            starts = self._free_starts(rules, day, timedelta(minutes=minutes), [_pure(b) for b in held[space.id]],
                                       now)
            if after_minute > 0 or before_minute < 24 * 60:  # the whole day: every start ends by midnight
                starts = [s for s in starts
                          if after_minute <= _minute(s.astimezone(self.tz)) <= before_minute - minutes]
            if starts:
                out.append((space, starts))
                if len(out) >= want:
                    break
        return out

    # --- booking -----------------------------------------------------------------------

    async def _request(self, person: Person, space: Space, rules: SpaceRules, start: datetime, end: datetime,
                       people: int, org_id: int | None, for_user: str | None) -> Request:
        mine = person.enterprises()
        if org_id is not None and org_id not in mine:
            raise _problem("enterprise", "enterprise", "you are not one of this enterprise's people")
        if org_id is None and mine:
            org_id = mine[0]
        user = for_user or person.user_id
        if user != person.user_id:
            if org_id is None or user not in {m.user for m in await self.store.orgs.members(org_id)}:
                raise _problem("for_user", "for_user", f"{user} is not a colleague of yours in this enterprise")
        return Request(str(space.id), start, end, people, user, org_id, await self._org_park(org_id),
                       await self.store.bookings.no_shows(user))

    async def booker_of(self, person: Person) -> tuple[int | None, str]:
        """Whom ``person`` books for by default: their first enterprise and its park."""
        mine = person.enterprises()
        org_id = mine[0] if mine else None
        return org_id, await self._org_park(org_id)

    async def _org_park(self, org_id: int | None) -> str:
        """The park an enterprise is in ("" for none: a space's ``park`` audience is closed to it)."""
        if org_id is None:
            return ""
        org = await self.store.orgs.get(org_id)
        profile = await self.store.profiles.get(org_id)
        return (org.park_id if org is not None else "") or (profile.park_id if profile is not None else "")

    async def _existing(self, space_id: int, start: datetime, end: datetime, *, skip: int = 0) -> list[Booking]:
        """The holding bookings around a request (``skip``: a booking being moved, whose own time is free to it)."""
        rows = await self.store.bookings.holding(space_id, ts(start - WINDOW), ts(end + WINDOW))
        return [_pure(b) for b in rows if b.id != skip]

    async def _refuse(self, rules: SpaceRules, found: Sequence[Problem], start: datetime, end: datetime,
                      space_id: int, *, skip: int = 0) -> BookingRefused:
        alts: list[datetime] = []
        if any(p.code == "taken" for p in found):
            existing = await self._existing(space_id, start, end, skip=skip)
            alts = alternatives(rules, start, end, existing, at(self.clock.now()), self.tz)
        return BookingRefused(found, alts)

    async def book(self, person: Person, space_id: int, start: datetime, end: datetime, people: int = 1, *,
                   org_id: int | None = None, for_user: str | None = None, for_event: bool = False) -> BookingRow:
        """One click: confirmed (or pending when the space needs approval), or
        ``BookingRefused`` naming every rule broken (a taken time with alternatives)."""
        space, rules = await self.space(space_id)
        if space.retired:
            raise _problem("retired", "space", "this space takes no new bookings")
        req = await self._request(person, space, rules, start, end, people, org_id, for_user)
        if for_event:
            req = dataclasses.replace(req, for_event=True)
        now = self.clock.now()
        found = problems(rules, req, await self._existing(space.id, start, end), at(now), self.tz)
        if found:
            raise await self._refuse(rules, found, start, end, space.id)

        async def write(conn: AsyncConnection) -> BookingRow | Problem:
            return await self._insert(conn, space, rules, req, person.user_id, now)
        try:
            outcome = await self.store.db.commit(write)
        except Overlap:
            raise await self._refuse(rules, [Problem("taken", "start", "this time was just taken")], start, end,
                                     space.id) from None
        if isinstance(outcome, Problem):
            raise BookingRefused([outcome])
        await self._told(outcome, "pending" if outcome.state == "pending" else "confirmed", space)
        if outcome.state == "pending":
            await self._tell_staff(space, outcome, "approval")
        return outcome

    async def _insert(self, conn: AsyncConnection, space: Space, rules: SpaceRules, req: Request, booked_by: str,
                      now: float, *, state: str | None = None, series_id: int | None = None) -> BookingRow | Problem:
        """Inside a write: the quota counted again, the row (the database refuses an
        overlap: ``Overlap``), its code, its jobs."""
        if rules.weekly_quota_minutes is not None and req.enterprise is not None:
            monday = week_of(req.start.astimezone(self.tz).date())
            lo, _ = self.day_range(monday)
            hi, _ = self.day_range(monday + timedelta(days=7))
            used = await minutes_held(conn, space.id, req.enterprise, lo, hi)
            want = (req.end - req.start) / timedelta(minutes=1)
            if used + want > rules.weekly_quota_minutes:
                return Problem("quota", "end", f"your enterprise has {max(0, rules.weekly_quota_minutes - used):.0f} "
                               f"of its {rules.weekly_quota_minutes} minutes left this week")
        state = state or ("pending" if rules.approval else "confirmed")
        hold = now + rules.hold_minutes * 60.0 if state in ("pending", "offered") else None
        lo, hi = occupied(rules, req.start, req.end)
        booking_id = await insert_booking(
            conn, space_id=space.id, org_id=req.enterprise, booked_by=booked_by, for_user=req.booker,
            people=req.people, start=ts(req.start), end=ts(req.end), occ_start=ts(lo), occ_end=ts(hi), state=state,
            now=now, hold_until=hold, series_id=series_id)
        await set_code_hash(conn, booking_id, codes.code_hash(self.code(booking_id)))
        row = await booking_in(conn, booking_id)
        assert row is not None
        await self._jobs(conn, row, rules)
        return row

    async def _jobs(self, conn: AsyncConnection, row: BookingRow, rules: SpaceRules) -> None:
        payload = {"booking": row.id}
        if row.state in ("pending", "offered") and row.hold_until is not None:
            await schedule_in(conn, "booking.hold", f"booking.hold:{row.id}", row.hold_until, payload)
        if row.state == "confirmed":
            await schedule_in(conn, "booking.release", f"booking.release:{row.id}",
                              row.start + rules.check_in_grace_minutes * 60.0, payload)
            remind = row.start - REMIND_BEFORE.total_seconds()
            if remind > self.clock.now() and rules.audience != "events":  # an event checks its stage in itself
                await schedule_in(conn, "booking.remind", f"booking.remind:{row.id}", remind, payload)

    async def book_weekly(self, person: Person, space_id: int, start: datetime, end: datetime, count: int,
                          people: int = 1, *, org_id: int | None = None, for_user: str | None = None) -> Series:
        """A weekly series at the first occurrence's local wall-clock time: the
        occurrences that fit are booked, each clash is reported with its reasons (and
        kept with the series); all of it in one transaction. Nothing fits: refused."""
        space, rules = await self.space(space_id)
        if space.retired:
            raise _problem("retired", "space", "this space takes no new bookings")
        req = await self._request(person, space, rules, start, end, people, org_id, for_user)
        now = self.clock.now()
        try:
            planned = weekly(rules, req, count, await self._existing(space.id, start, end + timedelta(weeks=count)),
                             at(now), self.tz)
        except ValueError as exc:
            raise _problem("count", "count", str(exc).removeprefix("count: ")) from None
        if not any(o.ok for o in planned):
            raise BookingRefused([Problem("series", "start", "no occurrence of this series can be booked"),
                                  *(p for o in planned for p in o.problems[:1])])

        async def write(conn: AsyncConnection) -> Series:
            clashes = [{"day": o.day.isoformat(), "codes": [p.code for p in o.problems]} for o in planned if not o.ok]
            series_id = await insert_series(conn, space_id=space.id, org_id=req.enterprise, booked_by=person.user_id,
                                            for_user=req.booker, first_start=ts(start),
                                            minutes=int((end - start) / timedelta(minutes=1)), count=count,
                                            clashes=clashes, now=now)
            out: list[Occurrence] = []
            for o in planned:
                if not o.ok or o.request is None:
                    out.append(Occurrence(o.day, None, o.problems))
                    continue
                try:
                    got = await self._insert(conn, space, rules, o.request, person.user_id, now, series_id=series_id)
                except Overlap:
                    got = Problem("taken", "start", "this time was just taken")
                if isinstance(got, Problem):
                    out.append(Occurrence(o.day, None, (got,)))
                else:
                    out.append(Occurrence(o.day, got, ()))
            return Series(series_id, tuple(out))
        series = await self.store.db.commit(write)
        for booking in series.booked[:1]:
            await self._told(booking, "series", space, booked=len(series.booked), clashes=len(series.clashes))
        return series

    # --- changes -----------------------------------------------------------------------

    async def _booking(self, booking_id: int) -> tuple[BookingRow, Space, SpaceRules]:
        row = await self.store.bookings.get(booking_id)
        if row is None:
            raise _problem("unknown_booking", "booking", f"there is no booking {booking_id}")
        space, rules = await self.space(row.space_id)
        return row, space, rules

    def _refuse_state(self, row: BookingRow, event: str) -> BookingRefused:
        return _problem("state", "booking", f"a {row.state.replace('_', ' ')} booking cannot be {DONE[event]}")

    async def _change(self, row: BookingRow, space: Space, rules: SpaceRules, event: str, *, note: str | None = None,
                      offer: bool = False) -> tuple[BookingRow, list[BookingRow]]:
        """Move ``row`` by ``event`` (the ledger's table), then offer freed time to the
        waitlist, in one write. Another change first: refused with ``state``."""
        nxt = TRANSITIONS.get((row.state, event))
        if nxt is None:
            raise self._refuse_state(row, event)
        now = self.clock.now()

        async def write(conn: AsyncConnection) -> tuple[BookingRow | None, list[BookingRow]]:
            moved = await move(conn, row.id, (row.state,), nxt, now, note=note)
            if moved is None:
                return None, []
            await self._jobs(conn, moved, rules)
            if moved.state in ("expired",) and row.state == "offered":
                await drop_offer(conn, row.id)
            offers = await self._offer(conn, space, rules, now) if offer else []
            return moved, offers
        moved, offers = await self.store.db.commit(write)
        if moved is None:
            fresh = await self.store.bookings.get(row.id)
            raise self._refuse_state(fresh or row, event)
        for o in offers:
            await self._told(o, "offered", space)
        self._changed(space)
        return moved, offers

    async def move_to(self, person: Person, booking_id: int, start: datetime, end: datetime, *,
                      by_office: bool = False) -> BookingRow:
        """Move a booking (confirmed or awaiting approval, not begun) to another time of
        its space: the same rules as a new booking (its own old time counts as free), the
        booker up to the cancellation deadline (moving gives the old time up), the park
        office any time. One transaction: the row's range is updated in one statement, so
        the database's ``bookings_no_overlap`` takes the new range before the old one is
        let go (a time just taken: ``taken`` with the alternatives, nothing changed); the
        enterprise's weekly quota is counted again without the booking's old time; its
        jobs follow the new time; the freed time goes to the waitlist. The booker (and the
        colleague it is for) get ``changed``; the office's move is audited. Same id, same
        check-in code."""
        row, space, rules = await self._booking(booking_id)
        now = self.clock.now()
        if row.state not in MOVABLE or row.start <= now:
            raise _problem("state", "booking", f"a {row.state.replace('_', ' ')} booking cannot be moved"
                           if row.state not in MOVABLE else "a booking that has begun cannot be moved")
        if space.retired:
            raise _problem("retired", "space", "this space takes no new bookings")
        if (ts(start), ts(end)) == (row.start, row.end):
            raise _problem("same_time", "start", "the booking is at this time already")
        if not by_office:
            late = can_cancel(rules, _pure(row), at(now))
            if late is not None:
                raise BookingRefused([late])
        park = await self._org_park(row.org_id)
        req = Request(str(space.id), start, end, row.people, row.for_user, row.org_id, park,
                      await self.store.bookings.no_shows(row.for_user))
        found = problems(rules, req, await self._existing(space.id, start, end, skip=row.id), at(now), self.tz)
        if found:
            raise await self._refuse(rules, found, start, end, space.id, skip=row.id)
        lo, hi = occupied(rules, start, end)

        async def write(conn: AsyncConnection) -> tuple[BookingRow | Problem | None, list[BookingRow]]:
            if rules.weekly_quota_minutes is not None and row.org_id is not None:
                monday = week_of(start.astimezone(self.tz).date())
                week_lo, _ = self.day_range(monday)
                week_hi, _ = self.day_range(monday + timedelta(days=7))
                used = await minutes_held(conn, space.id, row.org_id, week_lo, week_hi)
                if week_lo <= row.start < week_hi:  # its own old time is given up
                    used -= (row.end - row.start) / 60
                if used + (end - start) / timedelta(minutes=1) > rules.weekly_quota_minutes:
                    left = max(0, rules.weekly_quota_minutes - used)
                    return Problem("quota", "end", f"your enterprise has {left:.0f} of its "
                                   f"{rules.weekly_quota_minutes} minutes left this week"), []
            moved = await reschedule(conn, row.id, (row.state,), start=ts(start), end=ts(end), occ_start=ts(lo),
                                     occ_end=ts(hi), now=now)
            if moved is None:
                return None, []
            await self._jobs(conn, moved, rules)
            for kind, due in (("booking.release", moved.start + rules.check_in_grace_minutes * 60.0),
                              ("booking.remind", moved.start - REMIND_BEFORE.total_seconds())):
                await due_in(conn, f"{kind}:{moved.id}", due)  # a job still pending keeps its key: new time
            return moved, await self._offer(conn, space, rules, now)
        try:
            moved, offers = await self.store.db.commit(write)
        except Overlap:
            raise await self._refuse(rules, [Problem("taken", "start", "this time was just taken")], start, end,
                                     space.id, skip=row.id) from None
        if isinstance(moved, Problem):
            raise BookingRefused([moved])
        if moved is None:
            fresh = await self.store.bookings.get(row.id)
            raise _problem("state", "booking", f"the booking is {(fresh or row).state.replace('_', ' ')} now")
        for o in offers:
            await self._told(o, "offered", space)
        was = self.local(row.start)
        await self._told(moved, "changed", space, was_day=was.date().isoformat(), was_start=was.strftime("%H:%M"),
                         was_end=self.local(row.end).strftime("%H:%M"))
        if by_office:
            await self.store.audit.add(person.user_id, "booking.move", f"booking:{row.id}",
                                       {"space": space.id, "from": [row.start, row.end], "to": [ts(start), ts(end)]},
                                       now=now)
        return moved

    async def move_slots(self, booking_id: int, day: date) -> list[datetime]:
        """The starts on local ``day`` a booking could move to (its length; its own time free to it)."""
        row, space, rules = await self._booking(booking_id)
        if space.retired:
            return []
        lo, hi = self.day_range(day)
        existing = [_pure(b) for b in await self.store.bookings.holding(space.id, lo - 86400, hi + 86400)
                    if b.id != row.id]
        starts = self._free_starts(rules, day, timedelta(seconds=row.end - row.start), existing, at(self.clock.now()))
        return [s for s in starts if ts(s) != row.start]

    async def cancel(self, person: Person, booking_id: int, *, reason: str = "", by_office: bool = False) -> BookingRow:
        """The booker cancels up to the space's deadline; the park office any time, with
        a reason the booker is told. Freed time goes to the waitlist."""
        row, space, rules = await self._booking(booking_id)
        if not by_office:
            late = can_cancel(rules, _pure(row), at(self.clock.now()))
            if late is not None:
                raise BookingRefused([late])
        moved, _ = await self._change(row, space, rules, "cancel", note=reason, offer=True)
        await self._told(moved, "cancelled", space, reason=reason or "-")
        if by_office:
            await self.store.audit.add(person.user_id, "booking.cancel", f"booking:{row.id}",
                                       {"space": space.id, "reason": reason}, now=self.clock.now())
        return moved

    async def approve(self, person: Person, booking_id: int) -> BookingRow:
        row, space, rules = await self._booking(booking_id)
        if row.state == "pending" and row.hold_until is not None and row.hold_until < self.clock.now():
            raise _problem("state", "booking", "this request's hold has run out")
        moved, _ = await self._change(row, space, rules, "approve")
        await self.store.audit.add(person.user_id, "booking.approve", f"booking:{row.id}", {"space": space.id},
                                   now=self.clock.now())
        await self._told(moved, "confirmed", space)
        return moved

    async def decline(self, person: Person, booking_id: int, reason: str = "") -> BookingRow:
        row, space, rules = await self._booking(booking_id)
        moved, _ = await self._change(row, space, rules, "decline", note=reason, offer=True)
        await self.store.audit.add(person.user_id, "booking.decline", f"booking:{row.id}",
                                   {"space": space.id, "reason": reason}, now=self.clock.now())
        await self._told(moved, "declined", space, reason=reason or "-")
        return moved

    async def accept(self, person: Person, booking_id: int) -> BookingRow:
        """Take a waitlist offer while it holds."""
        row, space, rules = await self._booking(booking_id)
        if row.state == "offered" and row.hold_until is not None and row.hold_until < self.clock.now():
            raise _problem("offer", "booking", "this offer has run out")
        moved, _ = await self._change(row, space, rules, "accept")
        await self._told(moved, "confirmed", space)
        return moved

    async def check_in(self, booking_id: int) -> BookingRow:
        """Check in from 15 minutes before the start until the grace period ends."""
        row, space, rules = await self._booking(booking_id)
        now = at(self.clock.now())
        start = at(row.start)
        if row.state == "confirmed" and now < start - CHECK_IN_EARLY:
            raise _problem("too_early", "booking", f"check-in opens {CHECK_IN_EARLY.seconds // 60} minutes "
                           "before the start")
        if row.state == "confirmed" and now > start + timedelta(minutes=rules.check_in_grace_minutes):
            raise _problem("too_late", "booking", "the check-in window has closed")
        moved, _ = await self._change(row, space, rules, "check_in")
        await self._told(moved, "checked_in", space)
        return moved

    async def by_code(self, typed: str) -> BookingRow:
        code = codes.normalise(typed)
        row = None if code is None else await self.store.bookings.by_code_hash(codes.code_hash(code))
        if row is None:
            raise _problem("code", "code", "no booking has this check-in code")
        return row

    async def wait(self, person: Person, space_id: int, start: datetime, end: datetime, people: int = 1, *,
                   org_id: int | None = None, for_user: str | None = None) -> WaitRow:
        """Join the waitlist for a time that is taken (only then)."""
        space, rules = await self.space(space_id)
        if space.retired:
            raise _problem("retired", "space", "this space takes no new bookings")
        req = await self._request(person, space, rules, start, end, people, org_id, for_user)
        now = self.clock.now()
        found = problems(rules, req, await self._existing(space.id, start, end), at(now), self.tz)
        if not found:
            raise _problem("free", "start", "this time is free: book it instead")
        if {p.code for p in found} != {"taken"}:
            raise BookingRefused([p for p in found if p.code != "taken"])

        async def write(conn: AsyncConnection) -> int:
            return await insert_wait(conn, space_id=space.id, org_id=req.enterprise, booked_by=person.user_id,
                                     for_user=req.booker, people=people, start=ts(start), end=ts(end), now=now)
        wait_id = await self.store.db.commit(write)
        return WaitRow(wait_id, space.id, req.enterprise, person.user_id, req.booker, people, ts(start), ts(end),
                       "waiting", None, now)

    async def _offer(self, conn: AsyncConnection, space: Space, rules: SpaceRules, now: float) -> list[BookingRow]:
        """Inside a write: offer freed time to the waitlist, first come first served;
        entries whose time has begun are dropped."""
        offers: list[BookingRow] = []
        for entry in await waiting_in(conn, space.id):
            if entry.start <= now:
                await set_wait(conn, entry.id, "dropped")
                continue
            start, end = at(entry.start), at(entry.end)
            held = [_pure(b) for b in await holding_in(conn, space.id, ts(start - WINDOW), ts(end + WINDOW))]
            if time_problems(rules, start, end, held, at(now), self.tz):
                continue
            req = Request(str(space.id), start, end, entry.people, entry.for_user, entry.org_id,
                          no_shows=await no_shows_in(conn, entry.for_user))
            try:
                got = await self._insert(conn, space, rules, req, entry.booked_by, now, state="offered")
            except Overlap:
                continue
            if isinstance(got, Problem):  # over the quota now: stays on the list
                continue
            await set_wait(conn, entry.id, "offered", got.id)
            offers.append(got)
        return offers

    # --- scheduler jobs ----------------------------------------------------------------

    def register(self, scheduler: Any) -> None:
        """The job handlers, in any process that runs a ``server.scheduler.Scheduler``
        on this database (handlers are idempotent: a job run twice changes nothing)."""
        scheduler.handle("booking.hold", self._job_hold)
        scheduler.handle("booking.release", self._job_release)
        scheduler.handle("booking.remind", self._job_remind)

    async def _job_hold(self, payload: dict[str, Any], now: float) -> None:
        row = await self.store.bookings.get(int(payload["booking"]))
        if row is None or row.state not in ("pending", "offered") or (row.hold_until or 0) > now:
            return
        space, rules = await self.space(row.space_id)
        try:
            moved, _ = await self._change(row, space, rules, "expire", offer=True)
        except BookingRefused:  # decided meanwhile
            return
        await self._told(moved, "expired", space)

    async def _job_release(self, payload: dict[str, Any], now: float) -> None:
        row = await self.store.bookings.get(int(payload["booking"]))
        if row is None or row.state != "confirmed":
            return
        space, rules = await self.space(row.space_id)
        if now < row.start + rules.check_in_grace_minutes * 60.0:
            return
        try:
            moved, _ = await self._change(row, space, rules, "release", offer=True)
        except BookingRefused:
            return
        await self._told(moved, "released", space)

    async def _job_remind(self, payload: dict[str, Any], now: float) -> None:
        row = await self.store.bookings.get(int(payload["booking"]))
        if row is not None and row.state == "confirmed" and now >= row.start - REMIND_BEFORE.total_seconds() - 60:
            space = await self.store.spaces.get(row.space_id)  # (a booking moved later is reminded at its new time)
            if space is not None:
                await self._told(row, "remind", space)

    # --- telling -----------------------------------------------------------------------

    async def _told(self, row: BookingRow, kind: str, space: Space, **extra: Any) -> None:
        if space.rules.get("audience") == "events":  # a stage's booking is its event's: the showcase
            self._changed(space)                     # service tells the organizer and the audience
            return
        local = self.local(row.start)
        params = {"space": space.name, "park": space.park_id, "day": local.date().isoformat(),
                  "start": local.strftime("%H:%M"), "end": self.local(row.end).strftime("%H:%M"),
                  "code": codes.shown(self.code(row.id)), **extra}
        notice = Notice("booking", f"booking.notice.{kind}.title", f"booking.notice.{kind}.body", params,
                        link="/console/employee/bookings")
        users = list(dict.fromkeys([row.for_user, row.booked_by]))
        try:
            await self._send(users, notice)
        except Exception:  # telling never undoes a booking
            log.exception("could not tell %s about booking %s", users, row.id)
        self._changed(space)

    async def _tell_staff(self, space: Space, row: BookingRow, kind: str) -> None:
        org = await self.store.orgs.park(space.park_id)
        if org is None:
            return
        staff = [m.user for m in await self.store.orgs.members(org.id)]
        local = self.local(row.start)
        notice = Notice("booking", f"booking.notice.{kind}.title", f"booking.notice.{kind}.body",
                        {"space": space.name, "day": local.date().isoformat(), "start": local.strftime("%H:%M"),
                         "user": row.for_user}, link=f"/console/park/spaces/{space.id}")
        if staff:
            await self._send(staff, notice)

    async def _send(self, users: Sequence[str], notice: Notice) -> None:
        """The inbox and, through the ``inbox.new`` hint, a ``notice`` to those of them in a
        park (``server.notices.send``); the injected ``tell`` instead when given."""
        if self._tell is not None:
            await self._tell(users, notice, self.clock.now())
        else:
            await notices.send(self.store, self.bus, users, notice, now=self.clock.now())

    def _changed(self, space: Space) -> None:
        self.bus.publish(SPACE_CHANGED, {"park": space.park_id, "space": space.id})


def _open_to(space: Space, org_id: int | None, org_park: str) -> bool:
    """Whether the space's audience (``world.bookings.check.booker_problems``) lets an
    enterprise (of ``org_park``) book it through the booking pages."""
    audience = space.rules.get("audience", "park")
    if audience == "public":
        return True
    if audience == "zone":
        return org_id is not None
    if audience == "park":
        return org_id is not None and org_park == space.park_id
    return False  # a stage: booked by scheduling an event


def _minute(local: datetime) -> int:
    return local.hour * 60 + local.minute
