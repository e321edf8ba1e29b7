"""The parks' spaces in the 3D world: each bookable space's zone, free or taken now.

For every park with visitors the board keeps the ``spaces`` message (``world.bookings.board``
over the park's layout zones, its ``spaces`` rows matched by venue id, and the bookings
that hold them around now). A visitor gets it right after ``joined``; everyone in the
park gets it again, whole, when it changes:

- on a ``space.changed`` hint (``{park, space}``, published by the booking service in
  whichever process made the change: a booking made, cancelled, approved, released),
- when time changes it (a booking starts or ends, a hold runs out, local midnight):
  ``due`` re-reads a park whose ``next_change`` has come (the server calls it every few
  seconds; only parks with visitors are read, so an empty zone costs nothing),
- after a scene reload (``park.rebuilt``: the zones may differ),
- at the latest every ``STALE_S`` (a hint this process missed).

The database is the truth; a hint only says where to look.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from server.bookings.spec import rules_of
from server.bus import Bus, Hint
from server.parks import HostedPark
from server.presence import Visitor
from server.refusal import Refusal
from world.bookings.board import Held, board, next_change
from world.permissions import Resource
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import ErrorCode

log = logging.getLogger("cloudpark.spaces")

CHANGED = "space.changed"
REBUILT = "park.rebuilt"
STALE_S = 300.0
WINDOW_S = 86400.0  # bookings read either side of now (a booking longer than a day: not in these rules)


@dataclass(slots=True)
class _Board:
    message: M.Spaces
    next_change: float
    read_at: float
    rows: dict[int, Any]  # space id -> its ``spaces`` row, for the spaces with a zone in the scene


class SpaceBoard:
    def __init__(self, parks: dict[str, HostedPark], store: Any, bus: Bus, tz: tzinfo,
                 now: Callable[[], float]) -> None:
        self.parks = parks
        self.store = store
        self.tz = tz
        self.now = now
        self.boards: dict[str, _Board] = {}
        self.pushed = 0  # messages pushed to visitors on changes (not counting joins)
        self.reads = 0
        bus.subscribe(CHANGED, self._changed)
        bus.subscribe(REBUILT, self._rebuilt)

    async def _read(self, park: HostedPark) -> _Board:
        now = self.now()
        rows = {s.venue_id: s for s in await self.store.spaces.of_park(park.id)}
        zones = [z.id for z in park.layout.spaces]
        spaces = {z: (rows[z].id, rows[z].retired) for z in zones if z in rows}
        found = await self.store.bookings.holding_many([sid for sid, _ in spaces.values()], now - WINDOW_S,
                                                       now + WINDOW_S)
        held = [Held(r.space_id, r.start, r.end, r.state, r.hold_until) for rs in found.values() for r in rs]
        self.reads += 1
        return _Board(M.Spaces(park=park.id, items=board(zones, spaces, held, now, self.tz)),
                      next_change(held, now, self.tz), now, {rows[z].id: rows[z] for z in zones if z in rows})

    def finder(self, v: Visitor, msg: Any) -> tuple[Resource, Any]:
        """The bookable space ``msg.space`` names, one of the zones of the park the
        visitor stands in (``space_slots``, ``space_book``): the resource ``booking.make``
        is asked about (its park and audience) and the space's row."""
        park = v.park
        if park is None:
            raise Refusal(ErrorCode.BAD_STATE, "stand in a park first")
        current = self.boards.get(park.id)
        space = current.rows.get(msg.space) if current is not None else None
        if space is None:
            raise Refusal(ErrorCode.NOT_FOUND, f"space: no zone of this park is the bookable space {msg.space}")
        try:
            audience = rules_of(space).audience
        except ValueError:
            audience = ""
        return Resource(park_id=space.park_id, audience=audience), space

    async def message(self, park: HostedPark) -> M.Spaces | None:
        """What a visitor joining ``park`` gets (None: the park has no bookable zone)."""
        current = self.boards.get(park.id)
        if current is None:
            current = self.boards[park.id] = await self._read(park)
        return current.message if current.message.items else None

    def current(self, park: HostedPark) -> tuple[bool, M.Spaces | None]:
        """Without reading: (whether the park's picture is known, the message or None)."""
        known = self.boards.get(park.id)
        if known is None:
            return False, None
        return True, known.message if known.message.items else None

    async def refresh(self, park_id: str) -> bool:
        """Re-read one park; when its picture changed, everyone in it gets the new one."""
        park = self.parks.get(park_id)
        if park is None:
            return False
        if not park.clients:  # nobody to tell: read again when someone joins
            self.boards.pop(park_id, None)
            return False
        old = self.boards.get(park_id)
        new = await self._read(park)
        self.boards[park_id] = new
        if old is not None and old.message == new.message:
            return False
        if not new.message.items and old is None:
            return False
        frame = encode(new.message)
        for visitor in list(park.clients.values()):
            if visitor.peer.push_later(frame):
                self.pushed += 1
        return True

    async def due(self) -> int:
        """Re-read the parks with visitors whose picture time has changed (or that were
        read over ``STALE_S`` ago); how many changed."""
        now = self.now()
        changed = 0
        for park_id, park in self.parks.items():
            current = self.boards.get(park_id)
            if not park.clients:
                self.boards.pop(park_id, None)
                continue
            if current is None or now >= current.next_change or now - current.read_at >= STALE_S:
                changed += await self.refresh(park_id)
        return changed

    async def _changed(self, subject: str, hint: Hint) -> None:
        park_id = hint.get("park")
        if isinstance(park_id, str):
            await self.refresh(park_id)

    async def _rebuilt(self, subject: str, hint: Hint) -> None:
        park_id = hint.get("park")
        if isinstance(park_id, str) and hint.get("ok"):
            self.boards.pop(park_id, None)  # the zones may have changed: everyone gets the new set
            await self.refresh(park_id)
