"""One space's bookings and waitlist as a pure state machine (``now`` passed in).

The booking service keeps the same states in the database; this model is what its
rules mean, and what the property tests drive with random sequences of requests,
cancellations, check-ins and the passing of time.

States: ``pending`` (awaiting the park office, holds the slot ``hold_minutes``),
``confirmed``, ``offered`` (a waitlist offer, holds the slot ``hold_minutes``),
``checked_in``; then ``cancelled``, ``declined``, ``expired`` (a hold ran out) or
``released`` (not checked in within the grace period: a no-show). When a slot frees
up, the first waitlist entry whose request now fits gets an offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo

from world.bookings.check import HOLDING, Booking, Problem, Request, can_cancel, problems
from world.bookings.rules import SpaceRules

TRANSITIONS: dict[tuple[str, str], str] = {
    ("pending", "approve"): "confirmed",
    ("pending", "decline"): "declined",
    ("pending", "expire"): "expired",
    ("pending", "cancel"): "cancelled",
    ("offered", "accept"): "confirmed",
    ("offered", "expire"): "expired",
    ("offered", "cancel"): "cancelled",
    ("confirmed", "cancel"): "cancelled",
    ("confirmed", "check_in"): "checked_in",
    ("confirmed", "release"): "released",
}
"""(state, event) -> next state; anything else is refused."""

CHECK_IN_EARLY = timedelta(minutes=15)


def check_in_window(start: float, grace_minutes: int) -> tuple[float, float]:
    """When a booking starting at ``start`` (UTC seconds) may be checked in: from
    ``CHECK_IN_EARLY`` before its start to the end of the space's grace period, both ends
    included (the rule ``check_in`` applies here and in ``BookingService.check_in``)."""
    return start - CHECK_IN_EARLY.total_seconds(), start + grace_minutes * 60.0


def check_in_open(start: float, grace_minutes: int, now: float) -> bool:
    opens, closes = check_in_window(start, grace_minutes)
    return opens <= now <= closes


@dataclass(frozen=True, slots=True)
class Event:
    """Something the booker (or the park office) is told: ``kind`` is e.g. ``confirmed``."""

    kind: str
    booking: Booking


@dataclass(frozen=True, slots=True)
class Waiting:
    id: int
    request: Request
    since: datetime


@dataclass
class Ledger:
    rules: SpaceRules
    tz: tzinfo
    bookings: dict[int, Booking] = field(default_factory=dict)
    waitlist: list[Waiting] = field(default_factory=list)
    holds: dict[int, datetime] = field(default_factory=dict)  # booking id -> when its hold ends
    no_shows: dict[str, int] = field(default_factory=dict)
    _next: int = 1

    def _id(self) -> int:
        self._next += 1
        return self._next - 1

    def holding(self) -> list[Booking]:
        return [b for b in self.bookings.values() if b.state in HOLDING]

    def _move(self, booking_id: int, event: str) -> Booking:
        b = self.bookings[booking_id]
        nxt = TRANSITIONS.get((b.state, event))
        if nxt is None:
            raise LedgerError("state", f"a {b.state} booking cannot be {event}d")
        b = self.bookings[booking_id] = replace(b, state=nxt)
        if nxt not in ("pending", "offered"):
            self.holds.pop(booking_id, None)
        return b

    def book(self, req: Request, now: datetime) -> tuple[Booking | None, list[Problem]]:
        req = replace(req, no_shows=self.no_shows.get(req.booker, 0))
        found = problems(self.rules, req, self.bookings.values(), now, self.tz)
        if found:
            return None, found
        state = "pending" if self.rules.approval else "confirmed"
        b = Booking(self._id(), self.rules.space_id, req.start, req.end, req.booker, req.enterprise, state,
                    req.people)
        self.bookings[b.id] = b
        if state == "pending":
            self.holds[b.id] = now + timedelta(minutes=self.rules.hold_minutes)
        return b, []

    def wait(self, req: Request, now: datetime) -> Waiting:
        """Join the waitlist for a time that is taken (only then: a free time is booked)."""
        found = problems(self.rules, req, self.bookings.values(), now, self.tz)
        if not found or {p.code for p in found} != {"taken"}:
            raise LedgerError("waitlist", "the waitlist is for times that are taken, and only that")
        entry = Waiting(self._id(), req, now)
        self.waitlist.append(entry)
        return entry

    def approve(self, booking_id: int, now: datetime) -> list[Event]:
        return [Event("confirmed", self._move(booking_id, "approve"))]

    def decline(self, booking_id: int, now: datetime) -> list[Event]:
        return [Event("declined", self._move(booking_id, "decline")), *self._offer(now)]

    def accept(self, booking_id: int, now: datetime) -> list[Event]:
        if self.holds.get(booking_id, now) < now:
            raise LedgerError("offer", "this offer has run out")
        return [Event("confirmed", self._move(booking_id, "accept"))]

    def cancel(self, booking_id: int, now: datetime, *, by_office: bool = False) -> list[Event]:
        if not by_office:
            late = can_cancel(self.rules, self.bookings[booking_id], now)
            if late is not None:
                raise LedgerError(late.code, late.message)
        return [Event("cancelled", self._move(booking_id, "cancel")), *self._offer(now)]

    def check_in(self, booking_id: int, now: datetime) -> list[Event]:
        b = self.bookings[booking_id]
        if now < b.start - CHECK_IN_EARLY:
            raise LedgerError("too_early", f"check-in opens {CHECK_IN_EARLY.seconds // 60} minutes before the start")
        if now > b.start + timedelta(minutes=self.rules.check_in_grace_minutes):
            raise LedgerError("too_late", "the check-in window has closed")
        return [Event("checked_in", self._move(booking_id, "check_in"))]

    def advance(self, now: datetime) -> list[Event]:
        """Everything due by ``now``: holds that ran out, no-shows released, offers made."""
        events: list[Event] = []
        for booking_id, until in sorted(self.holds.items(), key=lambda kv: kv[1]):
            if until < now:
                events.append(Event("expired", self._move(booking_id, "expire")))
        grace = timedelta(minutes=self.rules.check_in_grace_minutes)
        for b in sorted(self.bookings.values(), key=lambda b: b.start):
            if b.state == "confirmed" and now > b.start + grace:
                events.append(Event("released", self._move(b.id, "release")))
                self.no_shows[b.booker] = self.no_shows.get(b.booker, 0) + 1
        if events:
            events += self._offer(now)
        return events

    def _offer(self, now: datetime) -> list[Event]:
        """Offer freed time to the waitlist, first come first served."""
        events: list[Event] = []
        for entry in list(self.waitlist):
            req = replace(entry.request, no_shows=self.no_shows.get(entry.request.booker, 0))
            if entry.request.start <= now:
                self.waitlist.remove(entry)  # its time has come and gone
                continue
            if problems(self.rules, req, self.bookings.values(), now, self.tz):
                continue
            self.waitlist.remove(entry)
            b = Booking(self._id(), self.rules.space_id, req.start, req.end, req.booker, req.enterprise,
                        "offered", req.people)
            self.bookings[b.id] = b
            self.holds[b.id] = now + timedelta(minutes=self.rules.hold_minutes)
            events.append(Event("offered", b))
        return events


class LedgerError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)
