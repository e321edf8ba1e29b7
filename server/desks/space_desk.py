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
from world.bookings.rules import SpaceRules
from world.protocol import messages as M
from world.protocol.constants import ErrorCode

SHOWN = 4  # free starts shown per duration
USUAL = (60, 120)  # minutes, on a space with free intervals (a slot grid: one and two slots)
APART = timedelta(hours=1)  # free intervals: the starts shown are at least this far apart (not 08:00, 08:15, ...)


def durations(rules: SpaceRules) -> list[int]:
    """The usual lengths of a booking of this space, within its minimum and maximum."""
    base = (rules.slot_minutes, 2 * rules.slot_minutes) if rules.slot_minutes else USUAL
    return sorted({min(max(m, rules.min_minutes), rules.max_minutes) for m in base})


class SpaceDesk:
    def __init__(self, bookings: BookingService) -> None:
        self.bookings = bookings

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
                               approval=rules.approval, retired=space.retired)

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
