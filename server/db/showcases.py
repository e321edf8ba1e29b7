"""Showcases as rows: events on park stages, registrations with their waitlist, the Q&A
board, polls and attendance (migration 0008). Times are UTC epoch seconds.

The seat count never over-admits: a registration is confirmed by one conditional
``UPDATE showcase_events SET confirmed = confirmed + 1 WHERE id = ? AND confirmed <
seats`` in the registration's own transaction (PostgreSQL re-checks the condition on
the row it waited for; SQLite's writer is one at a time), and the waitlist is promoted
the same way when a seat frees up. One vote per person and question, and one ballot per
person and poll, are primary keys; a question's ``votes`` moves with its vote rows in one
transaction. ``ShowcaseRepo`` holds the reads and the writes; the rules deciding what
may be written are ``world.showcases`` and the service (``server.showcases``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, and_, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.tables import (
    showcase_attendance,
    showcase_events,
    showcase_poll_ballots,
    showcase_poll_options,
    showcase_polls,
    showcase_presenters,
    showcase_question_votes,
    showcase_questions,
    showcase_registrations,
)
from world.showcases.events import Event
from world.showcases.polls import Poll
from world.showcases.questions import Question

EV = showcase_events
REG = showcase_registrations
SEATS = func.coalesce(EV.c.quota, EV.c.capacity)
OPEN_STATES = ("scheduled", "live")


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    park_id: str
    stage_id: str
    organizer: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    start: float
    end: float
    capacity: int
    registration: str
    quota: int | None
    confirmed: int  # confirmed registrations
    state: str
    space_id: int | None
    booking_id: int | None
    premoderate: bool
    words: tuple[str, ...]
    stream_url: str
    stream_state: str
    note: str
    presenters: tuple[str, ...]
    created: float
    updated: float

    @property
    def seats(self) -> int:
        return self.capacity if self.quota is None else self.quota

    @property
    def event(self) -> Event:
        """The pure ``world.showcases.events.Event``."""
        return Event(self.id, self.park_id, self.stage_id, self.organizer, self.title_zh, self.title_en,
                     self.description_zh, self.description_en, datetime.fromtimestamp(self.start, UTC),
                     datetime.fromtimestamp(self.end, UTC), self.presenters, self.capacity, self.registration,
                     self.quota, self.state)


@dataclass(frozen=True, slots=True)
class EventFields:
    """What a write of an event sets (the service fills it from a checked draft)."""

    park_id: str
    stage_id: str
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    start: float
    end: float
    capacity: int
    registration: str
    quota: int | None
    presenters: tuple[str, ...] = ()
    premoderate: bool = False
    words: tuple[str, ...] = ()
    stream_url: str = ""

    def values(self) -> dict[str, Any]:
        return {"park_id": self.park_id, "stage_id": self.stage_id, "title_zh": self.title_zh,
                "title_en": self.title_en, "description_zh": self.description_zh,
                "description_en": self.description_en, "start_at": self.start, "end_at": self.end,
                "capacity": self.capacity, "registration": self.registration, "quota": self.quota,
                "premoderate": int(self.premoderate), "words": json.dumps(list(self.words), ensure_ascii=False),
                "stream_url": self.stream_url}


@dataclass(frozen=True, slots=True)
class RegistrationRow:
    id: int
    event_id: int
    user: str
    state: str  # confirmed, waitlisted, cancelled
    position: int
    created: float
    updated: float
    place: int = 0  # waitlisted: 1 = next in line (0 otherwise)


@dataclass(frozen=True, slots=True)
class Registered:
    """The outcome of a registration: the row, and whether it was new (False: that person
    was registered already and nothing changed)."""

    row: RegistrationRow
    new: bool


@dataclass(frozen=True, slots=True)
class QuestionRow:
    id: int
    event_id: int
    author: str
    name: str
    text: str
    state: str
    flagged: str
    votes: int
    created: float
    updated: float

    def question(self, voters: frozenset[str] = frozenset()) -> Question:
        """The pure question; ``voters`` when known (else the count is what sorts)."""
        return Question(self.id, self.author, self.text, self.created, self.state,
                        voters or frozenset(f"#{i}" for i in range(self.votes)), self.flagged)


@dataclass(frozen=True, slots=True)
class PollRow:
    id: int
    event_id: int
    question: str
    options: tuple[str, ...]
    kind: str
    results: str
    state: str
    max_choices: int
    created_by: str
    created: float
    opened_at: float | None
    closed_at: float | None

    @property
    def poll(self) -> Poll:
        return Poll(self.id, self.question, self.options, self.kind, self.results, self.state, self.max_choices)


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    id: int
    event_id: int
    user: str
    instance: str
    joined: float
    left: float | None


@dataclass(frozen=True, slots=True)
class Moved:
    """A registration change: the person's row and the waitlisted people it promoted."""

    row: RegistrationRow | None
    promoted: tuple[RegistrationRow, ...] = field(default_factory=tuple)


def _event(r: Row[Any], presenters: Sequence[str]) -> EventRow:
    return EventRow(int(r.id), r.park_id, r.stage_id, r.organizer, r.title_zh, r.title_en, r.description_zh,
                    r.description_en, float(r.start_at), float(r.end_at), int(r.capacity), r.registration,
                    None if r.quota is None else int(r.quota), int(r.confirmed), r.state,
                    None if r.space_id is None else int(r.space_id),
                    None if r.booking_id is None else int(r.booking_id), bool(r.premoderate),
                    tuple(json.loads(r.words)), r.stream_url, r.stream_state, r.note, tuple(presenters),
                    float(r.created), float(r.updated))


def _registration(r: Row[Any], place: int = 0) -> RegistrationRow:
    return RegistrationRow(int(r.id), int(r.event_id), r.user, r.state, int(r.position), float(r.created),
                           float(r.updated), place)


def _question(r: Row[Any]) -> QuestionRow:
    return QuestionRow(int(r.id), int(r.event_id), r.author, r.name, r.text, r.state, r.flagged, int(r.votes),
                       float(r.created), float(r.updated))


def _attendance(r: Row[Any]) -> AttendanceRow:
    return AttendanceRow(int(r.id), int(r.event_id), r.user, r.instance, float(r.joined),
                         None if r.left is None else float(r.left))


# --- inside a write ------------------------------------------------------------------


async def event_in(conn: AsyncConnection, event_id: int) -> EventRow | None:
    row = (await conn.execute(select(EV).where(EV.c.id == event_id))).first()
    if row is None:
        return None
    names = (await conn.execute(select(showcase_presenters.c.user).where(showcase_presenters.c.event_id == event_id)
                                .order_by(showcase_presenters.c.position))).scalars().all()
    return _event(row, names)


async def _set_presenters(conn: AsyncConnection, event_id: int, presenters: Sequence[str]) -> None:
    await conn.execute(delete(showcase_presenters).where(showcase_presenters.c.event_id == event_id))
    if presenters:
        await conn.execute(showcase_presenters.insert(), [{"event_id": event_id, "user": u, "position": i}
                                                          for i, u in enumerate(presenters)])


async def _registration_in(conn: AsyncConnection, event_id: int, user: str) -> RegistrationRow | None:
    row = (await conn.execute(select(REG).where(REG.c.event_id == event_id, REG.c.user == user))).first()
    return None if row is None else _registration(row)


async def _take_seat(conn: AsyncConnection, event_id: int, now: float) -> bool:
    """One confirmed seat more, if the quota has one free (atomic)."""
    result = await conn.execute(update(EV).where(EV.c.id == event_id, EV.c.confirmed < SEATS)
                                .values(confirmed=EV.c.confirmed + 1, updated=now))
    return result.rowcount == 1


async def _promote_in(conn: AsyncConnection, event_id: int, now: float) -> list[RegistrationRow]:
    """Confirm the waitlist, first in line first, while the quota has seats."""
    out: list[RegistrationRow] = []
    while True:
        nxt = (await conn.execute(select(REG).where(REG.c.event_id == event_id, REG.c.state == "waitlisted")
                                  .order_by(REG.c.position, REG.c.id).limit(1))).first()
        if nxt is None or not await _take_seat(conn, event_id, now):
            return out
        await conn.execute(update(REG).where(REG.c.id == nxt.id).values(state="confirmed", updated=now))
        fresh = (await conn.execute(select(REG).where(REG.c.id == nxt.id))).one()
        out.append(_registration(fresh))


class ShowcaseRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- events ------------------------------------------------------------------------

    async def create(self, organizer: str, fields: EventFields, *, space_id: int | None, booking_id: int | None,
                     now: float, demo: bool = False) -> EventRow:
        async def run(conn: AsyncConnection) -> EventRow:
            result = await conn.execute(EV.insert().values(
                organizer=organizer, space_id=space_id, booking_id=booking_id, state="scheduled", created=now,
                updated=now, demo=int(demo), **fields.values()).returning(EV.c.id))
            event_id = int(result.scalar_one())
            await _set_presenters(conn, event_id, fields.presenters)
            got = await event_in(conn, event_id)
            assert got is not None
            return got
        return await self.db.commit(run)

    async def get(self, event_id: int) -> EventRow | None:
        return await self.db.read(lambda conn: event_in(conn, event_id))

    async def save(self, event_id: int, fields: EventFields, *, states: Sequence[str], now: float,
                   booking_id: int | None = None) -> tuple[EventRow | None, list[RegistrationRow]]:
        """Replace the event's fields (and its booking when given) while it is in one of
        ``states``; a raised quota promotes the waitlist in the same transaction. (None,
        []) when it was not in those states (nothing written)."""
        async def run(conn: AsyncConnection) -> tuple[EventRow | None, list[RegistrationRow]]:
            values = fields.values()
            if booking_id is not None:
                values["booking_id"] = booking_id
            result = await conn.execute(update(EV).where(EV.c.id == event_id, EV.c.state.in_(states))
                                        .values(updated=now, **values))
            if result.rowcount != 1:
                return None, []
            await _set_presenters(conn, event_id, fields.presenters)
            promoted = await _promote_in(conn, event_id, now)
            return await event_in(conn, event_id), promoted
        return await self.db.commit(run)

    async def set_state(self, event_id: int, from_states: Sequence[str], to: str, *, now: float,
                        note: str | None = None) -> EventRow | None:
        """Move the event to ``to`` if it is in one of ``from_states`` (None otherwise)."""
        async def run(conn: AsyncConnection) -> EventRow | None:
            values: dict[str, Any] = {"state": to, "updated": now}
            if note is not None:
                values["note"] = note
            result = await conn.execute(update(EV).where(EV.c.id == event_id, EV.c.state.in_(from_states))
                                        .values(values))
            return await event_in(conn, event_id) if result.rowcount == 1 else None
        return await self.db.commit(run)

    async def set_booking(self, event_id: int, booking_id: int | None, *, now: float) -> None:
        async def run(conn: AsyncConnection) -> None:
            await conn.execute(update(EV).where(EV.c.id == event_id).values(booking_id=booking_id, updated=now))
        await self.db.commit(run)

    async def set_stream(self, event_id: int, state: str, *, now: float, url: str | None = None) -> bool:
        """The stream's state (idle, live, interrupted, ended) and, when given, its URL."""
        async def run(conn: AsyncConnection) -> bool:
            values: dict[str, Any] = {"stream_state": state, "updated": now}
            if url is not None:
                values["stream_url"] = url
            return (await conn.execute(update(EV).where(EV.c.id == event_id).values(values))).rowcount == 1
        return await self.db.commit(run)

    async def _events(self, stmt: Any) -> list[EventRow]:
        async def run(conn: AsyncConnection) -> list[EventRow]:
            rows = (await conn.execute(stmt)).all()
            if not rows:
                return []
            ids = [int(r.id) for r in rows]
            names: dict[int, list[str]] = {i: [] for i in ids}
            for p in (await conn.execute(select(showcase_presenters).where(showcase_presenters.c.event_id.in_(ids))
                                         .order_by(showcase_presenters.c.event_id,
                                                   showcase_presenters.c.position))).all():
                names[int(p.event_id)].append(p.user)
            return [_event(r, names[int(r.id)]) for r in rows]
        return await self.db.read(run)

    async def listed(self, *, since: float, until: float | None = None, park_id: str | None = None,
                     stage_id: str | None = None, states: Sequence[str] = OPEN_STATES,
                     limit: int = 100) -> list[EventRow]:
        """Events in ``states`` ending after ``since`` (and starting before ``until``), by start."""
        stmt = select(EV).where(EV.c.state.in_(states), EV.c.end_at > since)
        if until is not None:
            stmt = stmt.where(EV.c.start_at < until)
        if park_id:
            stmt = stmt.where(EV.c.park_id == park_id)
        if stage_id:
            stmt = stmt.where(EV.c.stage_id == stage_id)
        return await self._events(stmt.order_by(EV.c.start_at, EV.c.id).limit(limit))

    async def of_organizer(self, user: str, *, limit: int = 200) -> list[EventRow]:
        """Events ``user`` organizes or presents, newest start first."""
        presenting = select(showcase_presenters.c.event_id).where(showcase_presenters.c.user == user)
        stmt = select(EV).where((EV.c.organizer == user) | EV.c.id.in_(presenting))
        return await self._events(stmt.order_by(EV.c.start_at.desc(), EV.c.id.desc()).limit(limit))

    # --- registrations -----------------------------------------------------------------

    async def register(self, event_id: int, user: str, *, now: float) -> Registered:
        """Confirmed while the quota has a seat, else waitlisted at the end of the line;
        someone registered already keeps their place (``new`` False)."""
        async def run(conn: AsyncConnection) -> Registered:
            had = await _registration_in(conn, event_id, user)
            if had is not None and had.state != "cancelled":
                return Registered(had, False)
            seated = await _take_seat(conn, event_id, now)
            state = "confirmed" if seated else "waitlisted"
            last = (await conn.execute(select(func.max(REG.c.position)).where(REG.c.event_id == event_id))).scalar()
            position = int(last or 0) + 1
            if had is None:
                await conn.execute(REG.insert().values(event_id=event_id, user=user, state=state, position=position,
                                                       created=now, updated=now))
            else:
                await conn.execute(update(REG).where(REG.c.id == had.id)
                                   .values(state=state, position=position, updated=now))
            got = await _registration_in(conn, event_id, user)
            assert got is not None
            return Registered(got, True)
        try:
            out = await self.db.commit(run)
        except IntegrityError:  # the same person registering twice at once: the other one won
            row = await self.registration(event_id, user)
            if row is None:
                raise
            return Registered(row, False)
        return await self._placed(out)

    async def _placed(self, out: Registered) -> Registered:
        if out.row.state != "waitlisted":
            return out
        row = await self.registration(out.row.event_id, out.row.user)
        return Registered(row or out.row, out.new)

    async def cancel_registration(self, event_id: int, user: str, *, now: float) -> Moved:
        """Cancel ``user``'s registration; a freed seat goes to the waitlist, in the same
        transaction. ``Moved(None)`` when there was nothing to cancel."""
        async def run(conn: AsyncConnection) -> Moved:
            had = await _registration_in(conn, event_id, user)
            if had is None or had.state == "cancelled":
                return Moved(None)
            await conn.execute(update(REG).where(REG.c.id == had.id).values(state="cancelled", updated=now))
            promoted: list[RegistrationRow] = []
            if had.state == "confirmed":
                await conn.execute(update(EV).where(EV.c.id == event_id, EV.c.confirmed > 0)
                                   .values(confirmed=EV.c.confirmed - 1, updated=now))
                promoted = await _promote_in(conn, event_id, now)
            return Moved(await _registration_in(conn, event_id, user), tuple(promoted))
        return await self.db.commit(run)

    async def promote(self, event_id: int, *, now: float) -> list[RegistrationRow]:
        """Confirm waitlisted people while seats are free (after the quota was raised)."""
        return await self.db.commit(lambda conn: _promote_in(conn, event_id, now))

    async def registration(self, event_id: int, user: str) -> RegistrationRow | None:
        """``user``'s registration, with its place in line when waitlisted."""
        async def run(conn: AsyncConnection) -> RegistrationRow | None:
            row = await _registration_in(conn, event_id, user)
            if row is None or row.state != "waitlisted":
                return row
            ahead = (await conn.execute(select(func.count()).select_from(REG).where(
                REG.c.event_id == event_id, REG.c.state == "waitlisted",
                (REG.c.position < row.position) | and_(REG.c.position == row.position, REG.c.id < row.id)))).scalar()
            return RegistrationRow(row.id, row.event_id, row.user, row.state, row.position, row.created, row.updated,
                                   int(ahead or 0) + 1)
        return await self.db.read(run)

    async def registrations(self, event_id: int, states: Sequence[str] = ("confirmed", "waitlisted")
                            ) -> list[RegistrationRow]:
        """The event's registrations: confirmed first (by when they registered), then the
        waitlist in its order (with places)."""
        rows = await self.db.rows(select(REG).where(REG.c.event_id == event_id, REG.c.state.in_(states)).order_by(
            case((REG.c.state == "confirmed", 0), (REG.c.state == "waitlisted", 1), else_=2), REG.c.position,
            REG.c.id))
        out: list[RegistrationRow] = []
        place = 0
        for r in rows:
            if r.state == "waitlisted":
                place += 1
                out.append(_registration(r, place))
            else:
                out.append(_registration(r))
        return out

    async def registrations_of(self, user: str) -> list[RegistrationRow]:
        rows = await self.db.rows(select(REG).where(REG.c.user == user).order_by(REG.c.event_id))
        return [_registration(r) for r in rows]

    async def counts(self, event_id: int) -> dict[str, int]:
        rows = await self.db.rows(select(REG.c.state, func.count().label("n")).where(REG.c.event_id == event_id)
                                  .group_by(REG.c.state))
        return {str(r.state): int(r.n) for r in rows}

    # --- questions ---------------------------------------------------------------------

    async def add_question(self, event_id: int, q: Question, *, name: str, now: float) -> QuestionRow:
        async def run(conn: AsyncConnection) -> QuestionRow:
            result = await conn.execute(showcase_questions.insert().values(
                event_id=event_id, author=q.author, name=name, text=q.text, state=q.state, flagged=q.flagged,
                votes=0, created=now, updated=now).returning(showcase_questions.c.id))
            row = (await conn.execute(select(showcase_questions)
                                      .where(showcase_questions.c.id == result.scalar_one()))).one()
            return _question(row)
        return await self.db.commit(run)

    async def question(self, question_id: int) -> QuestionRow | None:
        row = await self.db.row(select(showcase_questions).where(showcase_questions.c.id == question_id))
        return None if row is None else _question(row)

    async def questions(self, event_id: int, states: Sequence[str] | None = None) -> list[QuestionRow]:
        stmt = select(showcase_questions).where(showcase_questions.c.event_id == event_id)
        if states is not None:
            stmt = stmt.where(showcase_questions.c.state.in_(states))
        rows = await self.db.rows(stmt.order_by(showcase_questions.c.votes.desc(), showcase_questions.c.created,
                                                showcase_questions.c.id))
        return [_question(r) for r in rows]

    async def asked_since(self, event_id: int, author: str, since: float) -> int:
        q = showcase_questions
        row = await self.db.row(select(func.count()).select_from(q).where(
            q.c.event_id == event_id, q.c.author == author, q.c.created >= since))
        return int(row[0]) if row else 0

    async def vote(self, question_id: int, user: str, *, states: Sequence[str], now: float) -> bool | None:
        """Add ``user``'s upvote (True), or False when it was there already; None when the
        question is not in ``states`` (nothing written)."""
        q = showcase_questions

        async def run(conn: AsyncConnection) -> bool | None:
            state = (await conn.execute(select(q.c.state).where(q.c.id == question_id))).scalar()
            if state not in states:
                return None
            stmt = insert(conn, showcase_question_votes).values(question_id=question_id, user=user, created=now)
            added = (await conn.execute(stmt.on_conflict_do_nothing(index_elements=["question_id", "user"]))).rowcount
            if added != 1:
                return False
            await conn.execute(update(q).where(q.c.id == question_id).values(votes=q.c.votes + 1))
            return True
        return await self.db.commit(run)

    async def unvote(self, question_id: int, user: str) -> bool:
        q, v = showcase_questions, showcase_question_votes

        async def run(conn: AsyncConnection) -> bool:
            gone = (await conn.execute(delete(v).where(v.c.question_id == question_id, v.c.user == user))).rowcount
            if gone != 1:
                return False
            await conn.execute(update(q).where(q.c.id == question_id, q.c.votes > 0).values(votes=q.c.votes - 1))
            return True
        return await self.db.commit(run)

    async def voted(self, event_id: int, user: str) -> set[int]:
        """The questions of the event ``user`` has upvoted."""
        q, v = showcase_questions, showcase_question_votes
        rows = await self.db.rows(select(v.c.question_id).join(q, q.c.id == v.c.question_id)
                                  .where(q.c.event_id == event_id, v.c.user == user))
        return {int(r[0]) for r in rows}

    async def voters(self, question_id: int) -> frozenset[str]:
        v = showcase_question_votes
        return frozenset(r[0] for r in await self.db.rows(select(v.c.user).where(v.c.question_id == question_id)))

    async def set_question(self, question_id: int, from_state: str, to: str, *, now: float) -> QuestionRow | None:
        """Move a question from ``from_state`` to ``to`` (None when it was not in it)."""
        q = showcase_questions

        async def run(conn: AsyncConnection) -> QuestionRow | None:
            result = await conn.execute(update(q).where(q.c.id == question_id, q.c.state == from_state)
                                        .values(state=to, updated=now))
            if result.rowcount != 1:
                return None
            return _question((await conn.execute(select(q).where(q.c.id == question_id))).one())
        return await self.db.commit(run)

    # --- polls -------------------------------------------------------------------------

    async def add_poll(self, event_id: int, poll: Poll, *, created_by: str, now: float) -> PollRow:
        async def run(conn: AsyncConnection) -> int:
            result = await conn.execute(showcase_polls.insert().values(
                event_id=event_id, question=poll.question, kind=poll.kind, results=poll.results, state="draft",
                max_choices=poll.max_choices, created_by=created_by, created=now).returning(showcase_polls.c.id))
            poll_id = int(result.scalar_one())
            await conn.execute(showcase_poll_options.insert(), [{"poll_id": poll_id, "idx": i, "text": o}
                                                                for i, o in enumerate(poll.options)])
            return poll_id
        got = await self.poll(await self.db.commit(run))
        assert got is not None
        return got

    async def _polls(self, stmt: Any) -> list[PollRow]:
        async def run(conn: AsyncConnection) -> list[PollRow]:
            rows = (await conn.execute(stmt)).all()
            if not rows:
                return []
            opts: dict[int, list[str]] = {int(r.id): [] for r in rows}
            o = showcase_poll_options
            for r in (await conn.execute(select(o).where(o.c.poll_id.in_(list(opts))).order_by(o.c.poll_id, o.c.idx))
                      ).all():
                opts[int(r.poll_id)].append(r.text)
            return [PollRow(int(r.id), int(r.event_id), r.question, tuple(opts[int(r.id)]), r.kind, r.results,
                            r.state, int(r.max_choices), r.created_by, float(r.created),
                            None if r.opened_at is None else float(r.opened_at),
                            None if r.closed_at is None else float(r.closed_at)) for r in rows]
        return await self.db.read(run)

    async def poll(self, poll_id: int) -> PollRow | None:
        found = await self._polls(select(showcase_polls).where(showcase_polls.c.id == poll_id))
        return found[0] if found else None

    async def polls(self, event_id: int) -> list[PollRow]:
        return await self._polls(select(showcase_polls).where(showcase_polls.c.event_id == event_id)
                                 .order_by(showcase_polls.c.id))

    async def set_poll(self, poll_id: int, from_state: str, to: str, *, now: float) -> PollRow | None:
        p = showcase_polls
        stamp = {"opened_at": now} if to == "open" else {"closed_at": now} if to == "closed" else {}

        async def run(conn: AsyncConnection) -> int:
            return int((await conn.execute(update(p).where(p.c.id == poll_id, p.c.state == from_state)
                                           .values(state=to, **stamp))).rowcount)
        return await self.poll(poll_id) if await self.db.commit(run) == 1 else None

    async def cast(self, poll_id: int, user: str, choices: frozenset[int], *, now: float) -> bool:
        """Write ``user``'s ballot (replacing theirs) if the poll is still open; False and
        nothing written when it is not (closed meanwhile)."""
        p, b = showcase_polls, showcase_poll_ballots

        async def run(conn: AsyncConnection) -> bool:
            state = (await conn.execute(select(p.c.state).where(p.c.id == poll_id))).scalar()
            if state != "open":
                return False
            stmt = insert(conn, b).values(poll_id=poll_id, user=user, choices=json.dumps(sorted(choices)),
                                          created=now, updated=now)
            await conn.execute(stmt.on_conflict_do_update(index_elements=["poll_id", "user"],
                                                          set_={"choices": stmt.excluded.choices, "updated": now}))
            return True
        return await self.db.commit(run)

    async def ballots(self, poll_id: int) -> dict[str, frozenset[int]]:
        b = showcase_poll_ballots
        rows = await self.db.rows(select(b.c.user, b.c.choices).where(b.c.poll_id == poll_id))
        return {r.user: frozenset(int(c) for c in json.loads(r.choices)) for r in rows}

    # --- attendance --------------------------------------------------------------------

    async def join(self, event_id: int, user: str, instance: str, *, now: float) -> int:
        """``user`` came into ``instance`` (a hall) during the event: a visit that was open
        (in another hall) ends now. The new row's id."""
        a = showcase_attendance

        async def run(conn: AsyncConnection) -> int:
            await conn.execute(update(a).where(a.c.event_id == event_id, a.c.user == user, a.c.left.is_(None))
                               .values(left=func.max(a.c.joined, now) if conn.dialect.name == "sqlite"
                                       else func.greatest(a.c.joined, now)))
            result = await conn.execute(a.insert().values(event_id=event_id, user=user, instance=instance,
                                                          joined=now).returning(a.c.id))
            return int(result.scalar_one())
        return await self.db.commit(run)

    async def leave(self, event_id: int, user: str | None, *, now: float) -> int:
        """End ``user``'s open visit (everyone's when None); how many ended."""
        a = showcase_attendance

        async def run(conn: AsyncConnection) -> int:
            stmt = update(a).where(a.c.event_id == event_id, a.c.left.is_(None))
            if user is not None:
                stmt = stmt.where(a.c.user == user)
            left = func.max(a.c.joined, now) if conn.dialect.name == "sqlite" else func.greatest(a.c.joined, now)
            return int((await conn.execute(stmt.values(left=left))).rowcount)
        return await self.db.commit(run)

    async def attendance(self, event_id: int) -> list[AttendanceRow]:
        a = showcase_attendance
        rows = await self.db.rows(select(a).where(a.c.event_id == event_id).order_by(a.c.joined, a.c.id))
        return [_attendance(r) for r in rows]
