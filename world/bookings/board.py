"""The spaces board of a park: each bookable space's zone, free or taken now, and until when.

Pure: the caller passes the park's zones (the layout's space ids), its bookable spaces
(layout id -> (space id, retired)), the bookings that hold them around now, the moment
and the zone's ``tzinfo``. ``board`` says what the 3D park shows (``M.SpaceState`` per
zone, local ``HH:MM`` times); ``next_change`` says when that picture changes by itself
(a booking starting or ending, a request's or offer's hold running out, local midnight:
the "next booking today" moves on), so a server re-reads only then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from world.protocol import messages as M

HOLDS_FOR_A_WHILE = ("pending", "offered")  # hold the slot only until ``hold_until``


@dataclass(frozen=True, slots=True)
class Held:
    """A booking that holds a space: times in UTC seconds; ``by`` the name shown ("" none)."""

    space: int
    start: float
    end: float
    state: str
    hold_until: float | None = None
    by: str = ""

    def holds(self, now: float) -> bool:
        return self.state not in HOLDS_FOR_A_WHILE or self.hold_until is None or self.hold_until > now


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _local(moment: float, tz: tzinfo) -> datetime:
    return (EPOCH + timedelta(seconds=moment)).astimezone(tz)


def _hm(moment: float, tz: tzinfo) -> str:
    return _local(moment, tz).strftime("%H:%M")


def _midnight_after(now: float, tz: tzinfo) -> float:
    local = _local(now, tz)
    nxt = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return nxt.timestamp()


def board(zones: Sequence[str], spaces: Mapping[str, tuple[int, bool]], held: Sequence[Held], now: float,
          tz: tzinfo) -> list[M.SpaceState]:
    """Each zone with a bookable space, in the layout's order (zones without one are
    left out: nothing to book there)."""
    midnight = _midnight_after(now, tz)
    by_space: dict[int, list[Held]] = {}
    for h in held:
        if h.holds(now) and h.end > now:
            by_space.setdefault(h.space, []).append(h)
    out: list[M.SpaceState] = []
    for zone in zones:
        found = spaces.get(zone)
        if found is None:
            continue
        space_id, retired = found
        if retired:
            out.append(M.SpaceState(id=zone, space=space_id, state="retired"))
            continue
        mine = sorted(by_space.get(space_id, ()), key=lambda h: (h.start, h.end))
        now_held = [h for h in mine if h.start <= now < h.end]
        if now_held:
            h = now_held[0]
            out.append(M.SpaceState(id=zone, space=space_id, state="taken", start=_hm(h.start, tz),
                                    end=_hm(h.end, tz), by=h.by))
            continue
        later = [h for h in mine if now < h.start < midnight]
        out.append(M.SpaceState(id=zone, space=space_id, state="free",
                                next=_hm(later[0].start, tz) if later else ""))
    return out


def next_change(held: Sequence[Held], now: float, tz: tzinfo) -> float:
    """The first moment after ``now`` at which ``board`` may say something else."""
    moments = [_midnight_after(now, tz)]
    for h in held:
        for t in (h.start, h.end, h.hold_until if h.state in HOLDS_FOR_A_WHILE else None):
            if t is not None and t > now:
                moments.append(t)
    return min(moments)
