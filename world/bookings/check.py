"""Is a booking allowed? Every rule a request breaks, each with a code, the field and
a sentence; an empty list means it may be booked.

A booking *occupies* its time plus the space's buffers; two occupied ranges that
overlap cannot both hold the space. Bookings that hold it: confirmed, checked in,
awaiting approval and offered from the waitlist (the last two until their hold ends).
The database enforces the same rule on its own (an exclusion constraint or a
trigger over the occupied range), so a race between two requests is settled there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from world.bookings.rules import SpaceRules

HOLDING = frozenset({"confirmed", "checked_in", "pending", "offered"})
TIME_CODES = frozenset({"bad_range", "past", "lead_time", "beyond_horizon", "too_short", "too_long", "off_grid",
                        "closed", "blackout", "taken"})


@dataclass(frozen=True, slots=True)
class Booking:
    id: int
    space_id: str
    start: datetime  # aware, UTC
    end: datetime
    booker: str  # user id
    enterprise: int | None  # the organization it is booked for (quotas count per enterprise)
    state: str = "confirmed"
    people: int = 1


@dataclass(frozen=True, slots=True)
class Request:
    space_id: str
    start: datetime
    end: datetime
    people: int
    booker: str
    enterprise: int | None = None  # the booker's enterprise (None: booking as a private person)
    enterprise_park: str = ""  # the park that enterprise is resident in
    no_shows: int = 0  # the booker's no-shows so far
    for_event: bool = False  # the showcase service booking a stage for an event it schedules


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    field: str
    message: str


def occupied(rules: SpaceRules, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The range a booking keeps from others: its time plus the space's buffers."""
    return start - rules.before, end + rules.after


def overlapping(rules: SpaceRules, start: datetime, end: datetime, existing: Iterable[Booking],
                ignore: int | None = None) -> list[Booking]:
    lo, hi = occupied(rules, start, end)
    return [b for b in existing if b.state in HOLDING and b.id != ignore and b.space_id == rules.space_id
            and (o := occupied(rules, b.start, b.end))[0] < hi and lo < o[1]]


def local_minutes(moment: datetime, tz: tzinfo) -> tuple[date, int]:
    local = moment.astimezone(tz)
    return local.date(), local.hour * 60 + local.minute


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def _opening_problem(rules: SpaceRules, start: datetime, end: datetime, tz: tzinfo) -> Problem | None:
    day, s = local_minutes(start, tz)
    end_day, e = local_minutes(end, tz)
    if end_day != day:  # ends at midnight (24:00) or later
        if end_day == day + timedelta(days=1) and e == 0:
            e = 24 * 60
        else:
            return Problem("closed", "end", "a booking starts and ends on the same day")
    for o in rules.opening:
        if o.weekday == day.weekday() and o.start <= s and e <= o.end:
            if rules.slot_minutes is not None and ((s - o.start) % rules.slot_minutes
                                                   or (e - s) % rules.slot_minutes):
                return Problem("off_grid", "start", f"this space is booked in whole slots of {rules.slot_minutes} "
                               f"minutes from {o.start // 60:02d}:{o.start % 60:02d}")
            return None
    return Problem("closed", "start", f"the space is not open then ({day.isoformat()} "
                   f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d} local time)")


def time_problems(rules: SpaceRules, start: datetime, end: datetime, existing: Iterable[Booking],
                  now: datetime, tz: tzinfo, ignore: int | None = None) -> list[Problem]:
    """What is wrong with this time for this space (whoever books it)."""
    out: list[Problem] = []
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("booking times must be aware datetimes")
    if end <= start:
        return [Problem("bad_range", "end", "the end must come after the start")]
    minutes = (end - start) / timedelta(minutes=1)
    if start < now:
        out.append(Problem("past", "start", "this time has already begun"))
    elif start < now + timedelta(minutes=rules.lead_minutes):
        out.append(Problem("lead_time", "start", f"book at least {rules.lead_minutes} minutes ahead"))
    if start > now + timedelta(days=rules.horizon_days):
        out.append(Problem("beyond_horizon", "start", f"bookings open {rules.horizon_days} days ahead"))
    if minutes < rules.min_minutes:
        out.append(Problem("too_short", "end", f"at least {rules.min_minutes} minutes"))
    if minutes > rules.max_minutes:
        out.append(Problem("too_long", "end", f"at most {rules.max_minutes} minutes"))
    if rules.slot_minutes is None:
        _, s = local_minutes(start, tz)
        if s % rules.step_minutes or start.second or end.second or minutes % rules.step_minutes:
            out.append(Problem("off_grid", "start", f"times are on a {rules.step_minutes}-minute grid"))
    opening = _opening_problem(rules, start, end, tz)
    if opening is not None:
        out.append(opening)
    day, _ = local_minutes(start, tz)
    if day in rules.blackout:
        out.append(Problem("blackout", "start", f"the space is closed on {day.isoformat()}"))
    if overlapping(rules, start, end, existing, ignore):
        out.append(Problem("taken", "start", "this time is taken"))
    return out


def problems(rules: SpaceRules, req: Request, existing: Iterable[Booking], now: datetime,
             tz: tzinfo) -> list[Problem]:
    """Every rule ``req`` breaks (empty: it may be booked)."""
    existing = list(existing)
    if req.space_id != rules.space_id:
        return [Problem("unknown_space", "space", f"these rules are for space {rules.space_id}")]
    return time_problems(rules, req.start, req.end, existing, now, tz) + booker_problems(rules, req, existing, tz)


def booker_problems(rules: SpaceRules, req: Request, existing: Iterable[Booking], tz: tzinfo) -> list[Problem]:
    """The rules that depend on who books and how many come, not on the hour: people,
    capacity, audience, no-shows and the weekly quota (the same for every start of one
    local day: a day lies in one week)."""
    out: list[Problem] = []
    if req.people < 1:
        out.append(Problem("people", "people", "at least one person"))
    elif req.people > rules.capacity:
        out.append(Problem("capacity", "people", f"the space holds {rules.capacity} people"))
    if rules.audience == "events":
        if not req.for_event:
            out.append(Problem("audience", "space", "a stage is booked by scheduling an event, not as a space"))
    elif rules.audience == "park" and req.enterprise_park != rules.park_id:
        out.append(Problem("audience", "space", f"only enterprises of park {rules.park_id} book this space"))
    elif rules.audience == "zone" and req.enterprise is None:
        out.append(Problem("audience", "space", "only the zone's enterprises book this space"))
    if rules.max_no_shows is not None and req.no_shows > rules.max_no_shows:
        out.append(Problem("no_shows", "booker", f"more than {rules.max_no_shows} bookings were not used; "
                           "ask the park office"))
    if rules.weekly_quota_minutes is not None and req.enterprise is not None and req.end > req.start:
        used = quota_used(rules, req.enterprise, week_of(local_minutes(req.start, tz)[0]), existing, tz)
        want = (req.end - req.start) / timedelta(minutes=1)
        if used + want > rules.weekly_quota_minutes:
            out.append(Problem("quota", "end", f"your enterprise has {max(0, rules.weekly_quota_minutes - used):.0f} "
                               f"of its {rules.weekly_quota_minutes} minutes left this week"))
    return out


def quota_used(rules: SpaceRules, enterprise: int, monday: date, existing: Iterable[Booking], tz: tzinfo) -> float:
    """Minutes ``enterprise`` holds in the space in the week starting ``monday`` (local)."""
    total = 0.0
    for b in existing:
        if b.state in HOLDING and b.enterprise == enterprise and b.space_id == rules.space_id \
                and week_of(local_minutes(b.start, tz)[0]) == monday:
            total += (b.end - b.start) / timedelta(minutes=1)
    return total


def can_cancel(rules: SpaceRules, booking: Booking, now: datetime) -> Problem | None:
    if booking.state not in HOLDING or booking.state == "checked_in":
        return Problem("state", "booking", f"a {booking.state} booking cannot be cancelled")
    if now > booking.start - timedelta(minutes=rules.cancel_deadline_minutes):
        return Problem("deadline", "booking", f"bookings are cancelled at least {rules.cancel_deadline_minutes} "
                       "minutes before the start; ask the park office")
    return None


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
