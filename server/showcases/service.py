"""The showcase service: what the consoles, the API and the world server call.

An organizer **schedules** an event on a park's stage: the draft is checked by the pure
rules (``world.showcases.events.problems``: every bad field named), then the stage is
booked through the booking service (``BookingService.book`` on the stage's space,
``server.showcases.stages``): two events never overlap on one stage, and a taken time is
refused with the booking's own problems and its nearest free alternatives. The event row
names its booking; cancelling the event cancels the booking, moving it books the new time
before the old one is let go (``edit``). When the event goes live its booking is checked
in, so the stage is never released as a no-show.

**Registration** has a quota and a waitlist (``ShowcaseRepo.register``: the seat taken by
one conditional update); a cancelled registration promotes the next in line in the same
transaction; each is told through the inbox (``server.notices.send``, so people in a park
also get an in-world notice). **Reminders** (``showcase.remind``, 30 minutes before), the
start (``showcase.start``) and the end (``showcase.end``) are scheduler jobs whose keys
carry the time they were written for: a moved event writes new ones and the old ones do
nothing. ``register(scheduler)`` adds the handlers (the world server runs them).

The **Q&A board** and **polls** apply ``world.showcases.questions`` / ``polls`` and store
through the repository; the keyword filter (``world.showcases.moderation``: the default
words plus the event's own) holds a question for a moderator and tells the world server
which chat word to refuse (``chat_word``). **Attendance** is recorded per instance
(``joined``/``left``) and summed up after the event (``summary``, ``attendance_csv``).

Permissions are the caller's (``world.permissions``: ``showcase.schedule``,
``showcase.manage``, ``showcase.moderate``, ``showcase.register``, ``showcase.ask``; the
resource is ``resource(event)``); the service applies the rules of the event. Refusals
are ``ShowcaseRefused`` with the problems (code, field, sentence).

Bus hints (``server.bus``): ``stage.changed {park, event}`` whenever what the stage shows
may change (scheduled, edited, cancelled, live, ended, stream state), ``showcase.qa
{event, question}`` and ``showcase.poll {event, poll}`` when the board or a poll changes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from server import notices
from server.bookings.service import BookingRefused, BookingService
from server.bookings.spec import rules_of
from server.bus import Bus, InProcessBus
from server.clock import Clock
from server.db import Store
from server.db.inbox import Notice
from server.db.jobs import schedule_in
from server.db.showcases import EventFields, EventRow, PollRow, QuestionRow, RegistrationRow
from server.showcases import attendance, calendar, stages
from world.bookings.check import Booking, Problem, overlapping
from world.people import Person
from world.permissions import Resource
from world.showcases.events import (
    EARLY_START,
    EventDraft,
    cleaned,
    edit_problems,
    may_attend,
    next_state,
    problems,
    registration_problem,
)
from world.showcases.moderation import DEFAULT_WORDS, Filter, FilterError
from world.showcases.polls import PollError, cast, check_choices, check_poll, shown, tally
from world.showcases.polls import next_state as poll_next
from world.showcases.questions import (
    QuestionError,
    audience_view,
    moderate,
    moderator_view,
    submit,
    upvote,
)

log = logging.getLogger("cloudpark.showcases")

Stages = Callable[[str], Awaitable[Sequence[str]]]
REMIND_BEFORE = timedelta(minutes=30)
QUESTIONS_PER_MINUTE = 5  # per person and event
STAGE_CHANGED = "stage.changed"  # {park, event}: the world server pushes `stage` to the park's visitors
QA_CHANGED = "showcase.qa"  # {event, question}
POLL_CHANGED = "showcase.poll"  # {event, poll}
JOB_KINDS = ("showcase.remind", "showcase.start", "showcase.end")
STREAM_STATES = ("idle", "live", "interrupted", "ended")
MAX_STREAM_URL = 2000


class ShowcaseRefused(Exception):
    """A request broke rules: each problem has a code, the field and a sentence; a taken
    stage comes with the booking's nearest free ``alternatives`` (UTC datetimes)."""

    def __init__(self, found: Sequence[Problem], alternatives: Sequence[datetime] = ()) -> None:
        self.problems = tuple(found)
        self.alternatives = tuple(alternatives)
        super().__init__("; ".join(f"{p.field}: {p.message} ({p.code})" for p in self.problems))

    @property
    def code(self) -> str:
        return self.problems[0].code


def _refuse(code: str, field: str, message: str) -> ShowcaseRefused:
    return ShowcaseRefused([Problem(code, field, message)])


@dataclass(frozen=True, slots=True)
class QuestionView:
    question: QuestionRow
    mine: bool  # the viewer asked it
    voted: bool  # the viewer upvoted it


@dataclass(frozen=True, slots=True)
class PollView:
    poll: PollRow
    tally: Any  # world.showcases.polls.Tally, or None while the viewer may not see the counts
    mine: frozenset[int] | None  # the viewer's ballot


def resource(event: EventRow) -> Resource:
    """The permission resource of an event: its park, its organizer then its presenters."""
    return Resource(park_id=event.park_id, users=(event.organizer, *event.presenters))


def at(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


class ShowcaseService:
    def __init__(self, store: Store, clock: Clock, tz: tzinfo, bookings: BookingService, *, bus: Bus | None = None,
                 stages_of: Stages | None = None) -> None:
        self.store = store
        self.clock = clock
        self.tz = tz
        self.bookings = bookings
        self.bus: Bus = bus if bus is not None else bookings.bus if bookings is not None else InProcessBus()
        self._stages = stages_of or self._catalogue_stages
        self._filters: dict[int, tuple[float, Filter]] = {}

    # --- reading -----------------------------------------------------------------------

    async def _catalogue_stages(self, park_id: str) -> Sequence[str]:
        """A live park of the catalogue has the layout's stages (one, "main", today)."""
        entry = await self.store.catalogue.get(park_id)
        return stages.DEFAULT_STAGES if entry is not None and entry.state == "live" else ()

    async def event(self, event_id: int) -> EventRow:
        row = await self.store.showcases.get(event_id)
        if row is None:
            raise _refuse("unknown_event", "event", f"there is no event {event_id}")
        return row

    async def upcoming(self, *, park_id: str | None = None, stage_id: str | None = None, days: int = 60,
                       limit: int = 100) -> list[EventRow]:
        """Scheduled and live events not over yet, starting within ``days``, by start (the
        park's page, the portal, the consoles)."""
        now = self.clock.now()
        return await self.store.showcases.listed(since=now, until=now + days * 86400.0, park_id=park_id,
                                                 stage_id=stage_id, limit=limit)

    async def registered_events(self, user: str) -> list[tuple[EventRow, RegistrationRow]]:
        """The events ``user`` registered for (not cancelled), with the registration (and
        its waitlist place), soonest first: the employee console's "my events"."""
        out = []
        for reg in await self.store.showcases.registrations_of(user):
            if reg.state == "cancelled":
                continue
            row = await self.store.showcases.get(reg.event_id)
            full = await self.store.showcases.registration(reg.event_id, user)
            if row is not None and full is not None:
                out.append((row, full))
        return sorted(out, key=lambda pair: (pair[0].start, pair[0].id))

    async def organized(self, user: str) -> list[EventRow]:
        """The events ``user`` organizes or presents, newest start first (the organizer console)."""
        return await self.store.showcases.of_organizer(user)

    async def on_stage(self, park_id: str, stage_id: str = "main") -> EventRow | None:
        """What the stage shows now: the live event, else the next scheduled one today or
        later (None: nothing planned)."""
        found = await self.upcoming(park_id=park_id, stage_id=stage_id, limit=5)
        live = [e for e in found if e.state == "live"]
        return live[0] if live else (found[0] if found else None)

    # --- scheduling --------------------------------------------------------------------

    def _checked(self, draft: EventDraft, found: list[Problem]) -> EventDraft:
        if found:
            raise ShowcaseRefused(found)
        return draft

    async def _stage_problems(self, draft: EventDraft) -> list[Problem]:
        have = await self._stages(draft.park_id)
        if not have:
            return [Problem("unknown_park", "park_id", f"there is no park {draft.park_id}")]
        if draft.stage_id not in have:
            return [Problem("unknown_stage", "stage_id", f"park {draft.park_id} has stage(s) {', '.join(have)}")]
        return []

    def _fields(self, draft: EventDraft, *, premoderate: bool, words: Sequence[str], stream_url: str) -> EventFields:
        return EventFields(draft.park_id, draft.stage_id, draft.title_zh, draft.title_en, draft.description_zh,
                           draft.description_en, draft.start.timestamp(), draft.end.timestamp(), draft.capacity,
                           draft.registration, draft.quota, draft.presenters, premoderate, tuple(words), stream_url)

    async def _extras_problems(self, words: Sequence[str], stream_url: str, presenters: Sequence[str]
                               ) -> list[Problem]:
        out = []
        try:
            Filter.of(words)
        except FilterError as exc:
            out.append(Problem("words", "words", str(exc)))
        if len(stream_url) > MAX_STREAM_URL or (stream_url and not stream_url.startswith(("https://", "http://"))):
            out.append(Problem("stream_url", "stream_url", "an external stream is an http(s) URL of an HLS playlist"))
        for user in presenters:
            if await self.store.accounts.get(user) is None:
                out.append(Problem("presenters", "presenters", f"there is no account {user}"))
                break
        return out

    async def _book(self, person: Person, space_id: int, draft: EventDraft) -> int:
        try:
            booking = await self.bookings.book(person, space_id, draft.start, draft.end, 1, for_event=True)
        except BookingRefused as exc:
            raise ShowcaseRefused(exc.problems, exc.alternatives) from None
        return booking.id

    async def schedule(self, person: Person, draft: EventDraft, *, premoderate: bool = False,
                       words: Sequence[str] = (), stream_url: str = "") -> EventRow:
        """A new event on its park's stage, the stage booked for it; ``ShowcaseRefused``
        naming every bad field, or the booking's refusal (``taken`` with alternatives)."""
        draft = cleaned(draft)
        now = self.clock.now()
        found = problems(draft, now)
        if not any(p.field in ("park_id", "stage_id") for p in found):
            found += await self._stage_problems(draft)
        found += await self._extras_problems(words, stream_url.strip(), draft.presenters)
        self._checked(draft, found)
        space = await stages.stage_space(self.store, draft.park_id, draft.stage_id)
        booking_id = await self._book(person, space.id, draft)
        fields = self._fields(draft, premoderate=premoderate, words=words, stream_url=stream_url.strip())
        try:
            row = await self.store.showcases.create(person.user_id, fields, space_id=space.id, booking_id=booking_id,
                                                    now=now)
        except Exception:
            await self._release(person, booking_id, "the event could not be stored")
            raise
        await self._write_jobs(row)
        self._stage_changed(row)
        return row

    async def _release(self, person: Person, booking_id: int | None, reason: str) -> bool:
        """Cancel the stage booking (False when it could not be: released, cancelled or
        checked in already)."""
        if booking_id is None:
            return False
        try:
            await self.bookings.cancel(person, booking_id, reason=reason, by_office=True)
        except BookingRefused as exc:
            log.info("stage booking %s not cancelled: %s", booking_id, exc)
            return False
        return True

    async def edit(self, person: Person, event_id: int, draft: EventDraft, *, premoderate: bool | None = None,
                   words: Sequence[str] | None = None, stream_url: str | None = None) -> EventRow:
        """Change an event: a scheduled one anything but its stage (a new time is booked
        before the old one is let go); a live one its texts, presenters, capacity, quota
        and a later end; never an ended or cancelled one. A raised quota promotes the
        waitlist; registrants are told when the time moves."""
        row = await self.event(event_id)
        draft = cleaned(draft)
        now = self.clock.now()
        found = edit_problems(row.event, draft, now)
        words = row.words if words is None else tuple(words)
        stream_url = row.stream_url if stream_url is None else stream_url.strip()
        found += await self._extras_problems(words, stream_url, draft.presenters)
        self._checked(draft, found)
        moved = (draft.start.timestamp(), draft.end.timestamp()) != (row.start, row.end)
        booking_id = row.booking_id
        if moved:
            booking_id = await self._move_booking(person, row, draft)
        fields = self._fields(draft, premoderate=row.premoderate if premoderate is None else premoderate,
                              words=words, stream_url=stream_url)
        saved, promoted = await self.store.showcases.save(event_id, fields, states=(row.state,), now=now,
                                                          booking_id=booking_id if moved else None)
        if saved is None:
            if moved and booking_id != row.booking_id:
                await self._release(person, booking_id, "the event changed meanwhile")
            fresh = await self.event(event_id)
            raise _refuse("state", "event", f"the event is {fresh.state} now: look at it again")
        if moved:
            await self._release(person, row.booking_id, "the event moved")
            await self._write_jobs(saved)
            await self._tell_registered(saved, "moved")
        await self._tell_rows(saved, promoted, "promoted")
        self._stage_changed(saved)
        return saved

    async def _move_booking(self, person: Person, row: EventRow, draft: EventDraft) -> int | None:
        """Book the new time (the event's own booking aside); the old one is released by
        the caller once the event is saved."""
        if row.space_id is None:
            raise _refuse("stage", "stage_id", "this event's stage is no longer a bookable space")
        space = await self.store.spaces.get(row.space_id)
        if space is None:
            raise _refuse("stage", "stage_id", "this event's stage is no longer a bookable space")
        rules = rules_of(space)
        held = await self.store.bookings.holding(space.id, draft.start.timestamp() - 86400,
                                                 draft.end.timestamp() + 86400)
        others = [Booking(b.id, str(b.space_id), at(b.start), at(b.end), b.for_user, b.org_id, b.state, b.people)
                  for b in held if b.id != row.booking_id]
        if overlapping(rules, draft.start, draft.end, others):
            raise _refuse("taken", "start", "the stage is booked then")
        own = next((b for b in held if b.id == row.booking_id), None)
        if own is not None and own.occ_start < draft.end.timestamp() and draft.start.timestamp() < own.occ_end:
            # the new time overlaps the old: let the old go first, book, and take it back if that fails
            if not await self._release(person, row.booking_id, "the event moved"):
                raise _refuse("state", "start", "the stage booking of this event cannot be moved now")
            try:
                return await self._book(person, space.id, draft)
            except ShowcaseRefused:
                old = dataclasses.replace(draft, start=at(row.start), end=at(row.end))
                try:
                    await self.store.showcases.set_booking(row.id, await self._book(person, space.id, old),
                                                           now=self.clock.now())
                except ShowcaseRefused:
                    log.error("event %s lost its stage booking while moving", row.id)
                raise
        return await self._book(person, space.id, draft)

    async def cancel(self, person: Person, event_id: int, reason: str = "") -> EventRow:
        """Cancel a scheduled event: its stage booking is released, its registrants and
        presenters are told (with the reason)."""
        row = await self.event(event_id)
        try:
            next_state(row.state, "cancel")
        except ValueError as exc:
            raise _refuse("state", "event", str(exc)) from None
        moved = await self.store.showcases.set_state(event_id, ("scheduled",), "cancelled", now=self.clock.now(),
                                                     note=reason.strip()[:500])
        if moved is None:
            raise _refuse("state", "event", f"the event is {(await self.event(event_id)).state} now")
        await self._release(person, row.booking_id, reason or "the event was cancelled")
        await self._tell_registered(moved, "cancelled", reason=reason.strip() or "-")
        self._stage_changed(moved)
        return moved

    async def start(self, event_id: int) -> EventRow:
        """Go live: from ``EARLY_START`` before the start until the end (the organizer, or
        the ``showcase.start`` job at the start). The stage booking is checked in."""
        row = await self.event(event_id)
        now = self.clock.now()
        try:
            next_state(row.state, "start")
        except ValueError as exc:
            raise _refuse("state", "event", str(exc)) from None
        if now < row.start - EARLY_START.total_seconds():
            raise _refuse("too_early", "event", f"an event goes live at most {EARLY_START.seconds // 60} minutes "
                          "before its start")
        if now >= row.end:
            raise _refuse("state", "event", "this event's time is over")
        moved = await self.store.showcases.set_state(event_id, ("scheduled",), "live", now=now)
        if moved is None:
            raise _refuse("state", "event", f"the event is {(await self.event(event_id)).state} now")
        if row.booking_id is not None:
            try:
                await self.bookings.check_in(row.booking_id)
            except BookingRefused as exc:
                log.warning("stage booking %s of event %s not checked in: %s", row.booking_id, event_id, exc)
        self._stage_changed(moved)
        return moved

    async def end(self, event_id: int) -> EventRow:
        """End a live event (the organizer, or the ``showcase.end`` job); open visits end."""
        row = await self.event(event_id)
        try:
            next_state(row.state, "end")
        except ValueError as exc:
            raise _refuse("state", "event", str(exc)) from None
        now = self.clock.now()
        moved = await self.store.showcases.set_state(event_id, ("live",), "ended", now=now)
        if moved is None:
            raise _refuse("state", "event", f"the event is {(await self.event(event_id)).state} now")
        await self.store.showcases.leave(event_id, None, now=min(now, max(row.end, row.start)))
        self._stage_changed(moved)
        return moved

    async def set_stream(self, event_id: int, state: str, *, url: str | None = None) -> EventRow:
        """The stream's state as the stream supervisor reports it (idle, live, interrupted,
        ended) and, when given, the URL viewers play; hints ``stage.changed``."""
        if state not in STREAM_STATES:
            raise _refuse("stream_state", "state", f"must be one of {', '.join(STREAM_STATES)}")
        if not await self.store.showcases.set_stream(event_id, state, now=self.clock.now(), url=url):
            raise _refuse("unknown_event", "event", f"there is no event {event_id}")
        row = await self.event(event_id)
        self._stage_changed(row)
        return row

    # --- registration ------------------------------------------------------------------

    async def register(self, person: Person, event_id: int) -> RegistrationRow:
        """Register for the event: confirmed while the quota has seats, else waitlisted
        (with the place in line). Registering again changes nothing."""
        if person.is_guest:
            raise _refuse("sign_in", "user", "sign in to register")
        row = await self.event(event_id)
        problem = registration_problem(row.event, self.clock.now())
        if problem is not None:
            raise ShowcaseRefused([problem])
        got = await self.store.showcases.register(event_id, person.user_id, now=self.clock.now())
        if got.new:
            kind = "registered" if got.row.state == "confirmed" else "waitlisted"
            await self._tell(row, [person.user_id], kind, place=got.row.place)
        return got.row

    async def unregister(self, person: Person, event_id: int) -> RegistrationRow:
        """Cancel one's registration; the seat goes to the next in line, who is told."""
        row = await self.event(event_id)
        moved = await self.store.showcases.cancel_registration(event_id, person.user_id, now=self.clock.now())
        if moved.row is None:
            raise _refuse("not_registered", "event", "you are not registered for this event")
        await self._tell_rows(row, moved.promoted, "promoted")
        return moved.row

    async def registration(self, user: str, event_id: int) -> RegistrationRow | None:
        return await self.store.showcases.registration(event_id, user)

    async def registrations(self, event_id: int) -> list[RegistrationRow]:
        return await self.store.showcases.registrations(event_id)

    async def may_attend(self, person: Person, event_id: int) -> bool:
        """May this person enter the event (the world server asks before seating them)?"""
        row = await self.event(event_id)
        reg = None if person.is_guest else await self.store.showcases.registration(event_id, person.user_id)
        return may_attend(row.event, person.user_id, None if reg is None else reg.state)

    async def ics(self, person: Person, event_id: int, lang: str = "zh") -> bytes:
        """The event as a calendar file for this person's registration."""
        row = await self.event(event_id)
        reg = None if person.is_guest else await self.store.showcases.registration(event_id, person.user_id)
        return calendar.ics(row, reg, self.clock.now(), lang)

    # --- questions ---------------------------------------------------------------------

    async def filter_of(self, row: EventRow) -> Filter:
        """The event's keyword filter: the default words and its own."""
        cached = self._filters.get(row.id)
        if cached is not None and cached[0] == row.updated:
            return cached[1]
        made = Filter.of((*DEFAULT_WORDS, *row.words))
        self._filters[row.id] = (row.updated, made)
        return made

    async def chat_word(self, park_id: str, text: str) -> str | None:
        """The filtered word in a park chat line while an event is live in that park (the
        world server refuses the line naming it), else None."""
        for row in await self.store.showcases.listed(since=self.clock.now(), park_id=park_id, states=("live",)):
            word = (await self.filter_of(row)).find(text)
            if word is not None:
                return word
        return None

    def _open_board(self, row: EventRow) -> None:
        if row.state not in ("scheduled", "live"):
            raise _refuse("state", "event", f"this event is {row.state}: its board is closed")

    async def ask(self, person: Person, event_id: int, text: str) -> QuestionRow:
        """Submit a question: visible at once, or pending for a moderator when the event
        moderates first or the filter found a word (``flagged`` names it)."""
        row = await self.event(event_id)
        self._open_board(row)
        now = self.clock.now()
        if await self.store.showcases.asked_since(event_id, person.user_id, now - 60.0) >= QUESTIONS_PER_MINUTE:
            raise _refuse("flood", "text", f"at most {QUESTIONS_PER_MINUTE} questions a minute: wait a moment")
        try:
            q = submit(0, person.user_id, text, now, premoderated=row.premoderate)
        except QuestionError as exc:
            raise _refuse(exc.code, exc.field, exc.problem) from None
        word = (await self.filter_of(row)).find(q.text)
        if word is not None:
            q = submit(0, person.user_id, q.text, now, flagged=word)
        stored = await self.store.showcases.add_question(event_id, q, name=person.name, now=now)
        self.bus.publish(QA_CHANGED, {"event": event_id, "question": stored.id})
        return stored

    async def _question(self, question_id: int) -> tuple[QuestionRow, EventRow]:
        q = await self.store.showcases.question(question_id)
        if q is None:
            raise _refuse("unknown_question", "question", f"there is no question {question_id}")
        return q, await self.event(q.event_id)

    async def upvote(self, person: Person, question_id: int) -> QuestionRow:
        q, row = await self._question(question_id)
        self._open_board(row)
        got = await self.store.showcases.vote(question_id, person.user_id, states=("visible",), now=self.clock.now())
        if got is not True:
            fresh = await self.store.showcases.question(question_id) or q
            voters = await self.store.showcases.voters(question_id)
            try:
                upvote(fresh.question(voters), person.user_id)
            except QuestionError as exc:
                raise _refuse(exc.code, exc.field, exc.problem) from None
            raise _refuse("vote", "vote", "the vote was not counted")
        self.bus.publish(QA_CHANGED, {"event": q.event_id, "question": question_id})
        return await self.store.showcases.question(question_id) or q

    async def unvote(self, person: Person, question_id: int) -> QuestionRow:
        q, _ = await self._question(question_id)
        if not await self.store.showcases.unvote(question_id, person.user_id):
            raise _refuse("not_voted", "vote", "you have not upvoted this question")
        self.bus.publish(QA_CHANGED, {"event": q.event_id, "question": question_id})
        return await self.store.showcases.question(question_id) or q

    async def moderate(self, person: Person, question_id: int, action: str) -> QuestionRow:
        """``approve``, ``hide`` or ``answer`` a question (the moderation table)."""
        q, _ = await self._question(question_id)
        try:
            nxt = moderate(q.question(), action)
        except QuestionError as exc:
            raise _refuse(exc.code, exc.field, exc.problem) from None
        moved = await self.store.showcases.set_question(question_id, q.state, nxt.state, now=self.clock.now())
        if moved is None:
            raise _refuse("state", "state", "the question changed meanwhile: look at it again")
        self.bus.publish(QA_CHANGED, {"event": q.event_id, "question": question_id})
        return moved

    async def questions(self, event_id: int, viewer: str = "", *, moderator: bool = False) -> list[QuestionView]:
        """The board as the viewer sees it: the audience the visible and answered questions
        (and their own pending ones) by votes then age; a moderator everything, pending first."""
        rows = {q.id: q for q in await self.store.showcases.questions(event_id)}
        pure = [q.question() for q in rows.values()]
        ordered = moderator_view(pure) if moderator else audience_view(pure, viewer)
        voted = await self.store.showcases.voted(event_id, viewer) if viewer else set()
        return [QuestionView(rows[q.id], bool(viewer) and rows[q.id].author == viewer, q.id in voted)
                for q in ordered]

    # --- polls -------------------------------------------------------------------------

    async def create_poll(self, person: Person, event_id: int, question: str, options: Sequence[str], *,
                          kind: str = "single", results: str = "live", max_choices: int | None = None) -> PollRow:
        row = await self.event(event_id)
        self._open_board(row)
        try:
            poll = check_poll(question, options, kind, results, max_choices)
        except PollError as exc:
            raise _refuse(exc.code, exc.field, exc.problem) from None
        made = await self.store.showcases.add_poll(event_id, poll, created_by=person.user_id, now=self.clock.now())
        self.bus.publish(POLL_CHANGED, {"event": event_id, "poll": made.id})
        return made

    async def _poll(self, poll_id: int) -> PollRow:
        p = await self.store.showcases.poll(poll_id)
        if p is None:
            raise _refuse("unknown_poll", "poll", f"there is no poll {poll_id}")
        return p

    async def _poll_step(self, poll_id: int, what: str) -> PollRow:
        p = await self._poll(poll_id)
        try:
            nxt = poll_next(p.poll, what)
        except PollError as exc:
            raise _refuse(exc.code, exc.field, exc.problem) from None
        if what == "open":
            self._open_board(await self.event(p.event_id))
        moved = await self.store.showcases.set_poll(poll_id, p.state, nxt, now=self.clock.now())
        if moved is None:
            raise _refuse("state", "poll", "the poll changed meanwhile: look at it again")
        self.bus.publish(POLL_CHANGED, {"event": p.event_id, "poll": poll_id})
        return moved

    async def open_poll(self, poll_id: int) -> PollRow:
        return await self._poll_step(poll_id, "open")

    async def close_poll(self, poll_id: int) -> PollRow:
        return await self._poll_step(poll_id, "close")

    async def vote(self, person: Person, poll_id: int, choices: Sequence[int]) -> PollView:
        """Cast (or change, while the poll is open) one's ballot; after the close: refused
        with ``closed``."""
        p = await self._poll(poll_id)
        try:
            cast(p.poll, {}, person.user_id, choices)
        except PollError as exc:
            raise _refuse(exc.code, exc.field, exc.problem) from None
        chosen = check_choices(p.poll, choices)
        if not await self.store.showcases.cast(poll_id, person.user_id, chosen, now=self.clock.now()):
            fresh = await self._poll(poll_id)
            try:
                cast(fresh.poll, {}, person.user_id, choices)
            except PollError as exc:
                raise _refuse(exc.code, exc.field, exc.problem) from None
            raise _refuse("closed", "poll", "this poll is closed: votes are no longer counted")
        self.bus.publish(POLL_CHANGED, {"event": p.event_id, "poll": poll_id})
        return await self.poll_view(poll_id, person.user_id)

    async def poll_view(self, poll_id: int, viewer: str = "", *, moderator: bool = False) -> PollView:
        p = await self._poll(poll_id)
        ballots = await self.store.showcases.ballots(poll_id)
        counts = tally(p.poll, ballots.values()) if shown(p.poll, moderator) else None
        return PollView(p, counts, ballots.get(viewer) if viewer else None)

    async def polls(self, event_id: int, viewer: str = "", *, moderator: bool = False) -> list[PollView]:
        """The event's polls (drafts for moderators only), oldest first."""
        out = []
        for p in await self.store.showcases.polls(event_id):
            if p.state == "draft" and not moderator:
                continue
            out.append(await self.poll_view(p.id, viewer, moderator=moderator))
        return out

    # --- attendance --------------------------------------------------------------------

    async def joined(self, event_id: int, user: str, instance: str) -> int:
        """``user`` came into ``instance`` (the park's hall: "main", "hall 2", ...) while the
        event is live (or about to start); a visit open in another instance ends now."""
        row = await self.event(event_id)
        now = self.clock.now()
        if row.state not in ("scheduled", "live") or now >= row.end:
            raise _refuse("state", "event", f"this event is {row.state if row.state != 'scheduled' else 'over'}")
        if not instance or len(instance) > 64:
            raise _refuse("instance", "instance", "name the instance (1 to 64 characters)")
        return int(await self.store.showcases.join(event_id, user, instance, now=now))

    async def left(self, event_id: int, user: str) -> int:
        return int(await self.store.showcases.leave(event_id, user, now=self.clock.now()))

    async def summary(self, event_id: int) -> attendance.Summary:
        """Registered, came, minutes stayed, peak concurrency, questions, poll results."""
        row = await self.event(event_id)
        regs = await self.store.showcases.registrations(event_id, ("confirmed", "waitlisted", "cancelled"))
        visits = await self.store.showcases.attendance(event_id)
        qs = await self.store.showcases.questions(event_id)
        results = []
        for p in await self.store.showcases.polls(event_id):
            if p.state != "draft":
                ballots = await self.store.showcases.ballots(p.id)
                results.append(attendance.PollResult(p, tally(p.poll, ballots.values())))
        return attendance.summarise(row, regs, visits, qs, results, until=self.clock.now())

    async def attendance_csv(self, event_id: int) -> bytes:
        return attendance.to_csv(await self.summary(event_id), self.tz)

    # --- scheduler jobs ----------------------------------------------------------------

    def register_jobs(self, scheduler: Any) -> None:
        """The job handlers, in any process that runs a ``server.scheduler.Scheduler`` on
        this database (idempotent: a job for a time the event no longer has does nothing)."""
        scheduler.handle("showcase.remind", self._job_remind)
        scheduler.handle("showcase.start", self._job_start)
        scheduler.handle("showcase.end", self._job_end)

    async def _write_jobs(self, row: EventRow) -> None:
        payload_start = {"event": row.id, "at": row.start}
        payload_end = {"event": row.id, "at": row.end}
        remind = row.start - REMIND_BEFORE.total_seconds()
        now = self.clock.now()

        async def write(conn: Any) -> None:
            if remind > now:
                await schedule_in(conn, "showcase.remind", f"showcase.remind:{row.id}:{row.start:.0f}", remind,
                                  payload_start)
            await schedule_in(conn, "showcase.start", f"showcase.start:{row.id}:{row.start:.0f}", row.start,
                              payload_start)
            await schedule_in(conn, "showcase.end", f"showcase.end:{row.id}:{row.end:.0f}", row.end, payload_end)
        await self.store.db.commit(write)

    async def _current(self, payload: dict[str, Any], which: str) -> EventRow | None:
        row = await self.store.showcases.get(int(payload["event"]))
        if row is None or abs((row.start if which == "start" else row.end) - float(payload["at"])) > 0.5:
            return None  # gone, or moved since the job was written (a new job stands for the new time)
        return row

    async def _job_remind(self, payload: dict[str, Any], now: float) -> None:
        row = await self._current(payload, "start")
        if row is not None and row.state == "scheduled":
            await self._tell_registered(row, "remind", states=("confirmed",))

    async def _job_start(self, payload: dict[str, Any], now: float) -> None:
        row = await self._current(payload, "start")
        if row is not None and row.state == "scheduled":
            try:
                await self.start(row.id)
            except ShowcaseRefused as exc:
                log.info("event %s not started by its job: %s", row.id, exc)

    async def _job_end(self, payload: dict[str, Any], now: float) -> None:
        row = await self._current(payload, "end")
        if row is None:
            return
        try:
            if row.state == "scheduled":  # its start job never ran (the server was down): on and off
                await self.store.showcases.set_state(row.id, ("scheduled",), "live", now=now)
            if row.state in ("scheduled", "live"):
                await self.end(row.id)
        except ShowcaseRefused as exc:
            log.info("event %s not ended by its job: %s", row.id, exc)

    # --- telling -----------------------------------------------------------------------

    def _notice(self, row: EventRow, kind: str, **extra: Any) -> Notice:
        local = datetime.fromtimestamp(row.start, self.tz)
        params = {"title_zh": row.title_zh, "title_en": row.title_en, "park": row.park_id,
                  "day": local.date().isoformat(), "start": local.strftime("%H:%M"),
                  "end": datetime.fromtimestamp(row.end, self.tz).strftime("%H:%M"), **extra}
        return Notice("showcase", f"showcase.notice.{kind}.title", f"showcase.notice.{kind}.body", params,
                      link=f"/events/{row.id}")

    async def _tell(self, row: EventRow, users: Sequence[str], kind: str, **extra: Any) -> None:
        if not users:
            return
        try:
            await notices.send(self.store, self.bus, users, self._notice(row, kind, **extra), now=self.clock.now())
        except Exception:  # telling never undoes a change
            log.exception("could not tell %d people about event %s (%s)", len(users), row.id, kind)

    async def _tell_registered(self, row: EventRow, kind: str, *, states: Sequence[str] = ("confirmed", "waitlisted"),
                               **extra: Any) -> None:
        regs = await self.store.showcases.registrations(row.id, states)
        await self._tell(row, list(dict.fromkeys([*(r.user for r in regs), *row.presenters])), kind, **extra)

    async def _tell_rows(self, row: EventRow, rows: Sequence[RegistrationRow], kind: str) -> None:
        await self._tell(row, [r.user for r in rows], kind)

    def _stage_changed(self, row: EventRow) -> None:
        self.bus.publish(STAGE_CHANGED, {"park": row.park_id, "event": row.id})
