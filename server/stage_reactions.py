"""Reactions to the showcase on a park's stage, summed over every hall, once a second.

Each hall counts its own visitors' reactions (``world.showcases.reactions.Tally``: a
person counts at most ``per_second`` a second). When a second ends, each hall's count
goes on the bus as a partial, ``showcase.<park>.<event>.reactions``
(``{"park", "event", "second", "source", "counts"}``; ``source`` names the process and
hall), so halls in other processes add theirs the same way. Every process sums the
partials it hears for a second and, ``GRACE_S`` after the second ended, sends one
``reactions`` message to everyone in its halls of that park: one message a second,
never one per reaction. A partial arriving after its second was sent is dropped and
counted (``late``). The counts are hints like every bus message: nothing here is
stored (the attendance report's reaction timeline may subscribe to the same subject).
"""

from __future__ import annotations

import logging
import math

from server.bus import Bus, Hint
from server.presence import Presence, Visitor
from server.stage_board import StageState
from world.protocol import messages as M
from world.protocol.codec import encode
from world.showcases.reactions import KINDS, Counts, Tally, total

log = logging.getLogger("cloudpark.reactions")

PATTERN = "showcase.*.*.reactions"
GRACE_S = 0.3  # after a second ends, how long its partials from other halls may take to arrive
KEEP_S = 10  # partials for seconds this far back are forgotten (their second was sent, or never will be)


def subject(park_id: str, event: int) -> str:
    return f"showcase.{park_id}.{event}.reactions"


class ReactionBoard:
    def __init__(self, presence: Presence, bus: Bus, per_second: int, source: str) -> None:
        self.presence = presence
        self.bus = bus
        self.per_second = per_second
        self.source = source
        self.tallies: dict[tuple[str, int, int], Tally] = {}  # (park, event, hall) -> this second's count
        self.partials: dict[tuple[str, int, int], dict[str, Counts]] = {}  # (park, event, second) -> source -> counts
        self.last_sent: dict[tuple[str, int], int] = {}  # (park, event) -> the newest second sent
        self.sent = 0  # reactions messages pushed
        self.late = 0
        bus.subscribe(PATTERN, self._partial)

    def add(self, v: Visitor, state: StageState, kind: str, now: float) -> int:
        """Count ``v``'s reaction to the event on its park's stage; how many counted (0:
        over the person's cap this second). Raises ``world.showcases.reactions.ReactionError``."""
        hall, who = v.park, v.person
        assert hall is not None and who is not None
        key = (hall.id, state.event, hall.hall)
        tally = self.tallies.get(key)
        if tally is None:
            tally = self.tallies[key] = Tally(self.per_second)
        counted, closed = tally.add(who.user_id, kind, now)
        for record in closed:
            self._publish(key, record)
        return counted

    def tick(self, now: float) -> None:
        """Close the seconds that ended into partials; send the sums that are due."""
        for key, tally in list(self.tallies.items()):
            for record in tally.close(now):
                self._publish(key, record)
            if tally.idle:
                del self.tallies[key]
        for key in [k for k in self.partials if now >= k[2] + 1 + GRACE_S]:
            park_id, event, second = key
            parts = self.partials.pop(key)
            if second <= self.last_sent.get((park_id, event), -1):
                continue
            self.last_sent[(park_id, event)] = second
            for summed in total(parts.values()):
                self._send(park_id, event, summed)
        horizon = math.floor(now) - KEEP_S
        for key in [k for k in self.partials if k[2] < horizon]:
            del self.partials[key]

    def _publish(self, key: tuple[str, int, int], record: Counts) -> None:
        park_id, event, hall = key
        self.bus.publish(subject(park_id, event), {"park": park_id, "event": event, "second": record.second,
                                                   "source": f"{self.source}/{hall}", "counts": dict(record.counts)})

    async def _partial(self, subject_: str, hint: Hint) -> None:
        park_id, event, second, source = hint.get("park"), hint.get("event"), hint.get("second"), hint.get("source")
        counts = hint.get("counts")
        if not (isinstance(park_id, str) and isinstance(event, int) and isinstance(second, int)
                and isinstance(source, str) and isinstance(counts, dict)):
            log.warning("reactions partial on %s ignored: %r", subject_, hint)
            return
        clean = {k: v for k, v in counts.items() if k in KINDS and isinstance(v, int) and v > 0}
        if second <= self.last_sent.get((park_id, event), -1):
            self.late += 1
            return
        self.partials.setdefault((park_id, event, second), {})[source] = Counts(second, clean)

    def _send(self, park_id: str, event: int, summed: Counts) -> None:
        if not summed.counts:
            return
        frame = encode(M.Reactions(park=park_id, event=event, second=summed.second, counts=dict(summed.counts)))
        for visitor in self.presence.in_park(park_id):
            visitor.peer.push_later(frame)
        self.sent += 1

