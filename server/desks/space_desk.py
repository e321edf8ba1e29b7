"""Booking a space from inside the 3D park.

When a client's avatar walks into a bookable space's zone it sends ``space_slots``; the
answer lists the space's next free starts (today, then tomorrow) for its usual durations,
read through the same ``BookingService.slots`` as the web's search. Choosing one sends
``space_book``, which goes through ``BookingService.book``: the same rules, quotas,
approval and the database's no-overlap guarantee as a booking made on the web. The
answer says ``confirmed``, ``pending`` (awaiting the park office) or ``refused`` with the
rules' problems and, for a time just taken, the nearest free alternatives. The service
publishes ``space.changed``, so everyone in the park sees the zone change at once
(``server.space_board``).

Who may book is the dispatch table's one ``can`` (``booking.make`` over the space's park
and audience, ``SpaceBoard.finder``): a guest is refused there ("sign in first").

Check-in at the space: ``space_slots`` also lists the asker's own bookings of the space
today (``mine``), each marked ``open`` while check-in is open (15 minutes before the
start to the end of the grace period: ``world.bookings.ledger.check_in_window``).
``space_check_in`` names one of them; ``find_booking`` (the dispatch table's finder)
finds the space among the park's zones, refuses a visitor who does not stand in that
space's zone, reads the booking and names it as the resource ``booking.own`` is asked
about (the booker, the person it is for, the park's staff, the enterprise's managers:
the web's rule). ``BookingService.check_in`` then applies the window and the states.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from server.bookings import codes
from server.bookings.service import BookingRefused, BookingService
from server.bookings.spec import rules_of
from server.presence import Visitor
from server.refusal import Refusal
from world.bookings.ledger import check_in_window
from world.bookings.rules import SpaceRules
from world.permissions import Resource
from world.protocol import messages as M
from world.protocol.constants import ErrorCode
from world.room import point_in_zone

SHOWN = 4  # free starts shown per duration
USUAL = (60, 120)  # minutes, on a space with free intervals (a slot grid: one and two slots)
APART = timedelta(hours=1)  # free intervals: the starts shown are at least this far apart (not 08:00, 08:15, ...)


def durations(rules: SpaceRules) -> list[int]:
    """The usual lengths of a booking of this space, within its minimum and maximum."""
    base = (rules.slot_minutes, 2 * rules.slot_minutes) if rules.slot_minutes else USUAL
    return sorted({min(max(m, rules.min_minutes), rules.max_minutes) for m in base})


class SpaceDesk:
    def __init__(self, bookings: BookingService, board: Any = None) -> None:
        self.bookings = bookings
        self.board = board  # server.space_board.SpaceBoard: the park's zones (``find_booking``)

    def _slot(self, start: datetime, minutes: int) -> M.FreeSlot:
        local = self.bookings.local(start)
        end = self.bookings.local(start + timedelta(minutes=minutes))
        return M.FreeSlot(start=int(start.timestamp()), minutes=minutes, day=local.date().isoformat(),
                          at=local.strftime("%H:%M"), end=end.strftime("%H:%M"))

    async def slots(self, v: Visitor, msg: M.SpaceSlots, space: Any) -> M.SpaceSlotList:
        try:
            rules = rules_of(space)
        except ValueError:
            raise Refusal(ErrorCode.UNAVAILABLE, "space: its booking rules are being fixed by the park office") from None
        today = self.bookings.local(self.bookings.clock.now()).date()
        lengths = durations(rules)
        found: list[M.FreeSlot] = []
        if not space.retired:
            for minutes in lengths:
                gap = timedelta(0) if rules.slot_minutes else APART
                starts = spread(await self.bookings.slots(space.id, today, minutes), gap)
                if len(starts) < SHOWN:
                    starts += spread(await self.bookings.slots(space.id, today + timedelta(days=1), minutes), gap)
                found += [self._slot(s, minutes) for s in starts[:SHOWN]]
        return M.SpaceSlotList(re=msg.id, space=space.id, name=space.name, today=today.isoformat(), slots=found,
                               durations=lengths, capacity=space.capacity or 0, price=space.price,
                               approval=rules.approval, retired=space.retired,
                               mine=await self._mine(v, space, rules, today.isoformat()))

    async def _mine(self, v: Visitor, space: Any, rules: SpaceRules, today: str) -> list[M.MyBooking]:
        """The asker's bookings of this space today whose check-in has not closed yet
        (confirmed), or that are checked in and not over."""
        person = v.person
        if person is None or not person.registered:
            return []
        now = self.bookings.clock.now()
        out: list[M.MyBooking] = []
        for row in await self.bookings.store.bookings.of_user(person.user_id, now):
            if row.space_id != space.id or row.state not in ("confirmed", "checked_in"):
                continue
            begin, end = self.bookings.local(row.start), self.bookings.local(row.end)
            opens, closes = check_in_window(row.start, rules.check_in_grace_minutes)
            if begin.date().isoformat() != today or (row.state == "confirmed" and now > closes):
                continue
            out.append(M.MyBooking(booking=row.id, day=today, start=begin.strftime("%H:%M"), end=end.strftime("%H:%M"),
                                   state=row.state, opens=self.bookings.local(opens).strftime("%H:%M"),
                                   open=row.state == "confirmed" and opens <= now <= closes))
        return out

    async def find_booking(self, v: Visitor, msg: M.SpaceCheckIn) -> tuple[Resource, Any]:
        """The dispatch table's finder for ``space_check_in``: the space (a zone of the
        visitor's park, where the avatar stands now) and the booking, named as the
        resource ``booking.own`` is asked about."""
        _, space = self.board.finder(v, msg)  # not in a park / not one of its zones: refused there
        park, eid = v.park, v.eid
        if park is None or eid is None:
            raise Refusal(ErrorCode.BAD_STATE, "stand in a park first")
        zone = next((z for z in park.layout.spaces if z.id == space.venue_id), None)
        avatar = park.room.avatars.get(eid)
        if zone is None or avatar is None or not point_in_zone(avatar.x, avatar.y, zone.footprint):
            raise Refusal(ErrorCode.INVALID, f"space: stand in the zone of {space.name} to check in there")
        row = await self.bookings.store.bookings.get(msg.booking)
        if row is None or row.space_id != space.id:
            raise Refusal(ErrorCode.NOT_FOUND, f"booking: {space.name} has no booking {msg.booking}")
        return Resource(park_id=space.park_id, owner_org=row.org_id, users=(row.booked_by, row.for_user)), (space, row)

    async def check_in(self, v: Visitor, msg: M.SpaceCheckIn, found: Any) -> M.SpaceCheckedIn:
        space, row = found
        try:
            done = await self.bookings.check_in(row.id)
        except BookingRefused as exc:
            return M.SpaceCheckedIn(re=msg.id, space=space.id, booking=row.id, outcome="refused",
                                    problems=_problems(exc.problems))
        begin, end = self.bookings.local(done.start), self.bookings.local(done.end)
        return M.SpaceCheckedIn(re=msg.id, space=space.id, booking=done.id, outcome="checked_in",
                                day=begin.date().isoformat(), start=begin.strftime("%H:%M"), end=end.strftime("%H:%M"))

    async def book(self, v: Visitor, msg: M.SpaceBook, space: Any) -> M.SpaceBooked:
        person = v.person
        assert person is not None  # the dispatcher asked booking.make for this person
        start = datetime.fromtimestamp(msg.start, UTC)
        try:
            row = await self.bookings.book(person, space.id, start, start + timedelta(minutes=msg.minutes))
        except BookingRefused as exc:
            return M.SpaceBooked(re=msg.id, space=space.id, outcome="refused", problems=_problems(exc.problems),
                                 alternatives=[self._slot(a, msg.minutes) for a in exc.alternatives])
        begin, end = self.bookings.local(row.start), self.bookings.local(row.end)
        return M.SpaceBooked(re=msg.id, space=space.id, outcome="pending" if row.state == "pending" else "confirmed",
                             booking=row.id, day=begin.date().isoformat(), start=begin.strftime("%H:%M"),
                             end=end.strftime("%H:%M"), code=codes.shown(self.bookings.code(row.id)))


def spread(starts: Sequence[datetime], gap: timedelta) -> list[datetime]:
    """The starts in order, each at least ``gap`` after the one kept before it."""
    out: list[datetime] = []
    for s in sorted(starts):
        if not out or s - out[-1] >= gap:
            out.append(s)
    return out


def _problems(found: Sequence[Any]) -> list[M.Problem]:
    return [M.Problem(code=p.code, field=p.field, message=p.message) for p in found]
