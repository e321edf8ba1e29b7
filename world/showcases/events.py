"""A showcase event on a park's stage: what it is, whether it makes sense, its lifecycle
and its registration rules. Pure: times are aware datetimes (UTC) or epoch seconds the
caller passes in; nothing here reads a clock.

An event belongs to a park and one of its stages (``stage_id``; today every layout has
one stage, ``"main"``). It has a title and a description in Chinese and English, a
start and an end, presenters (account ids), a capacity (how many may attend at once),
a registration mode and a registration quota:

- ``registration = "required"``: only registered people (and the organizer and the
  presenters) attend; ``"open"``: anyone may come in, registering gets a reminder.
- ``quota``: how many registrations are confirmed; later ones join the waitlist in the
  order they came and are promoted, first come first served, when a confirmed one is
  cancelled (or the quota is raised). ``None``: the capacity.

``problems(draft, now)`` lists every field that is wrong (code, field, sentence), as
``world.bookings.check.problems`` does for a booking; an empty list means it may be
scheduled. The lifecycle is a table (``TRANSITIONS``): scheduled -> live -> ended, and
a scheduled event may be cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from world.bookings.check import Problem
from world.text import clean_text

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # epoch seconds -> datetime without the clock-reading calls

__all__ = [
    "EARLY_START", "EVENT_STATES", "MAX_CAPACITY", "MAX_DESCRIPTION_CHARS", "MAX_MINUTES", "MAX_PRESENTERS",
    "MAX_TITLE_CHARS", "MIN_MINUTES", "REGISTRATIONS", "TRANSITIONS", "Event", "EventDraft", "Problem",
    "cleaned", "edit_problems", "may_attend", "next_state", "place", "problems", "promotions",
    "registration_problem",
]

REGISTRATIONS = ("open", "required")
EVENT_STATES = ("scheduled", "live", "ended", "cancelled")
# (state, what happens) -> the next state; anything else is refused naming the state
TRANSITIONS: dict[tuple[str, str], str] = {
    ("scheduled", "start"): "live",
    ("scheduled", "cancel"): "cancelled",
    ("live", "end"): "ended",
}
REGISTRATION_STATES = ("confirmed", "waitlisted", "cancelled")

MAX_TITLE_CHARS = 120
MAX_DESCRIPTION_CHARS = 4000
MAX_PRESENTERS = 20
MAX_CAPACITY = 100_000
MIN_MINUTES = 15
MAX_MINUTES = 12 * 60
MAX_ID_CHARS = 64
EARLY_START = timedelta(minutes=15)  # an organizer may go live this long before the start (the stage's check-in)


@dataclass(frozen=True, slots=True)
class EventDraft:
    """What an organizer asks for (the fields a form or the API carries)."""

    park_id: str
    stage_id: str
    title_zh: str
    title_en: str
    start: datetime  # aware
    end: datetime
    capacity: int
    registration: str = "open"
    quota: int | None = None  # None: the capacity
    description_zh: str = ""
    description_en: str = ""
    presenters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A scheduled event (as stored)."""

    id: int
    park_id: str
    stage_id: str
    organizer: str  # the account that scheduled it
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    start: datetime  # aware, UTC
    end: datetime
    presenters: tuple[str, ...]
    capacity: int
    registration: str
    quota: int | None
    state: str = "scheduled"

    @property
    def seats(self) -> int:
        """How many registrations are confirmed before the waitlist starts."""
        return self.capacity if self.quota is None else self.quota

    def title(self, lang: str) -> str:
        """The title in ``lang`` ("zh" or "en"), the other language when that one is empty."""
        first, second = (self.title_zh, self.title_en) if lang == "zh" else (self.title_en, self.title_zh)
        return first or second

    def description(self, lang: str) -> str:
        first, second = ((self.description_zh, self.description_en) if lang == "zh"
                         else (self.description_en, self.description_zh))
        return first or second


def aware(moment: datetime | float) -> datetime:
    """An aware UTC datetime from epoch seconds or an aware datetime."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("event times must be aware datetimes (or UTC epoch seconds)")
        return moment.astimezone(UTC)
    return EPOCH + timedelta(seconds=float(moment))


def cleaned(draft: EventDraft) -> EventDraft:
    """The draft with its texts cleaned (``world.text.clean_text``: single-line titles,
    multi-line descriptions) and its presenters stripped and in order, duplicates kept
    (``problems`` names them)."""
    return EventDraft(
        draft.park_id.strip(), draft.stage_id.strip(),
        clean_text(draft.title_zh, multiline=False), clean_text(draft.title_en, multiline=False),
        draft.start, draft.end, draft.capacity, draft.registration, draft.quota,
        clean_text(draft.description_zh), clean_text(draft.description_en),
        tuple(p.strip() for p in draft.presenters))


def problems(draft: EventDraft, now: datetime | float) -> list[Problem]:
    """Every field of ``draft`` that is wrong (clean it first: ``cleaned``); empty: it may
    be scheduled. Codes: ``required``, ``too_long``, ``naive_time``, ``bad_range``,
    ``past``, ``too_short``, ``too_long``, ``capacity``, ``quota``, ``registration``,
    ``presenters``."""
    out: list[Problem] = []
    for name in ("park_id", "stage_id"):
        value = getattr(draft, name)
        if not value:
            out.append(Problem("required", name, f"name the {name.removesuffix('_id')}"))
        elif len(value) > MAX_ID_CHARS:
            out.append(Problem("too_long", name, f"at most {MAX_ID_CHARS} characters"))
    for name, most in (("title_zh", MAX_TITLE_CHARS), ("title_en", MAX_TITLE_CHARS),
                       ("description_zh", MAX_DESCRIPTION_CHARS), ("description_en", MAX_DESCRIPTION_CHARS)):
        value = getattr(draft, name)
        if name.startswith("title") and not value:
            language = "Chinese" if name.endswith("zh") else "English"
            out.append(Problem("required", name, f"the {language} title is empty"))
        elif len(value) > most:
            out.append(Problem("too_long", name, f"at most {most} characters ({len(value)} given)"))
    out += _time_problems(draft.start, draft.end, now)
    if isinstance(draft.capacity, bool) or not isinstance(draft.capacity, int) or draft.capacity <= 0:
        out.append(Problem("capacity", "capacity", "the capacity must be at least 1 person"))
    elif draft.capacity > MAX_CAPACITY:
        out.append(Problem("capacity", "capacity", f"the capacity is at most {MAX_CAPACITY:,}"))
    if draft.quota is not None:
        if isinstance(draft.quota, bool) or not isinstance(draft.quota, int) or draft.quota <= 0:
            out.append(Problem("quota", "quota", "the registration quota must be at least 1 (or none: the capacity)"))
        elif isinstance(draft.capacity, int) and 0 < draft.capacity < draft.quota:
            out.append(Problem("quota", "quota", f"the registration quota ({draft.quota}) is more than the "
                               f"capacity ({draft.capacity})"))
    if draft.registration not in REGISTRATIONS:
        out.append(Problem("registration", "registration", f"must be one of {', '.join(REGISTRATIONS)}"))
    out += _presenter_problems(draft.presenters)
    return out


def _time_problems(start: datetime, end: datetime, now: datetime | float) -> list[Problem]:
    if start.tzinfo is None or end.tzinfo is None:
        return [Problem("naive_time", "start" if start.tzinfo is None else "end",
                        "times must carry their time zone (or be UTC epoch seconds)")]
    if end <= start:
        return [Problem("bad_range", "end", "the end must come after the start")]
    out = []
    if start < aware(now):
        out.append(Problem("past", "start", "this time has already begun"))
    minutes = (end - start) / timedelta(minutes=1)
    if minutes < MIN_MINUTES:
        out.append(Problem("too_short", "end", f"an event lasts at least {MIN_MINUTES} minutes"))
    elif minutes > MAX_MINUTES:
        out.append(Problem("too_long", "end", f"an event lasts at most {MAX_MINUTES // 60} hours"))
    return out


def _presenter_problems(presenters: Sequence[str]) -> list[Problem]:
    if len(presenters) > MAX_PRESENTERS:
        return [Problem("presenters", "presenters", f"at most {MAX_PRESENTERS} presenters")]
    seen: set[str] = set()
    for p in presenters:
        if not p or len(p) > MAX_ID_CHARS:
            return [Problem("presenters", "presenters", f"a presenter is an account name of 1 to {MAX_ID_CHARS} "
                            "characters")]
        if p in seen:
            return [Problem("presenters", "presenters", f"{p} is named twice")]
        seen.add(p)
    return []


def edit_problems(event: Event, draft: EventDraft, now: datetime | float) -> list[Problem]:
    """What is wrong with changing ``event`` into ``draft``: a scheduled event may change
    anything (checked as a new one); a live event its texts, presenters, capacity and
    quota, not its times; an ended or cancelled one nothing."""
    if event.state not in ("scheduled", "live"):
        return [Problem("state", "event", f"a{'n' if event.state == 'ended' else ''} {event.state} event "
                        "cannot be changed")]
    if (draft.park_id, draft.stage_id) != (event.park_id, event.stage_id):
        return [Problem("stage", "stage_id", "an event stays on its park's stage: cancel it and schedule a new one")]
    if event.state == "scheduled":
        return problems(draft, now)
    found = [p for p in problems(draft, event.start) if p.code != "past"]
    if draft.start != event.start:
        found.append(Problem("state", "start", "a live event's start cannot move"))
    elif draft.end != event.end:
        found.append(Problem("state", "end", "a live event's end cannot move (its stage is booked until then): "
                             "end it when it is over"))
    return found


def next_state(state: str, what: str) -> str:
    """The state after ``what`` (``start``, ``end``, ``cancel``); ``ValueError`` naming the
    state when the table has no such step."""
    nxt = TRANSITIONS.get((state, what))
    if nxt is None:
        verb = {"start": "started", "end": "ended", "cancel": "cancelled"}.get(what, what)
        raise ValueError(f"a{'n' if state == 'ended' else ''} {state} event cannot be {verb}")
    return nxt


def registration_problem(event: Event, now: datetime | float) -> Problem | None:
    """Whether one may register now: until the event ends, not for a cancelled one."""
    if event.state == "cancelled":
        return Problem("state", "event", "this event was cancelled")
    if event.state == "ended" or aware(now) >= event.end:
        return Problem("state", "event", "this event is over")
    return None


def place(seats: int, confirmed: int) -> str:
    """A new registration's state: ``confirmed`` while confirmed ones are fewer than the
    seats, else ``waitlisted``."""
    return "confirmed" if confirmed < seats else "waitlisted"


def promotions(seats: int, confirmed: int, waiting: Sequence[str]) -> list[str]:
    """Who on the waitlist (``waiting``, first come first) is confirmed now that
    ``confirmed`` registrations hold ``seats`` seats: as many as there are free seats."""
    return list(waiting[:max(0, seats - confirmed)])


def may_attend(event: Event, user: str, registration_state: str | None) -> bool:
    """May ``user`` enter the event (its hall, while it is live)? Anyone for an open
    event; for a required registration the confirmed, the organizer and the presenters."""
    if event.state in ("cancelled", "ended"):
        return False
    if event.registration == "open" or user == event.organizer or user in event.presenters:
        return True
    return registration_state == "confirmed"
