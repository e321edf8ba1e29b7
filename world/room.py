"""A park room: the avatars in one park, their movement, booth zones and snapshots.

Pure and clock-free: the server's fixed-timestep ticker calls ``step(dt)`` (which
applies queued inputs and returns booth events) and ``build_snapshots()`` (the
encoded ``snap`` frame per viewer) at the patch rate. Connection handlers only call
the queueing and bookkeeping methods; nothing here blocks or awaits.

Lifecycle: ``join(visitor, spawn, rng, at=None) -> eid`` places an avatar near a spawn
point (drawn from ``rng``, uniformly over the disc of radius 1.5 m around it, on
walkable ground), or at ``at`` (a returning visitor's saved position) when that is
still walkable; ``leave(eid)`` removes it (and returns its ``BoothLeft`` if it stood
in a booth zone); ``detach(eid)`` keeps a dropped client's avatar standing in the
world, ``attach(eid)`` takes it back (the next snapshot resends everything in view).

Movement: each queued ``Input`` is ``n`` ticks (queued ``n`` times; acknowledged once the
last is applied), each tick (``1 / tick_rate`` s) of movement through
``movement.apply_input``'s arithmetic. The speed cap holds over time, not only per
tick: each avatar has a movement allowance that grows by the simulated time that
passes (``step(dt)`` adds ``dt * tick_rate`` ticks) up to ``RoomConfig.inputs_per_tick``
(3) ticks, and every input tick applied spends one. So an avatar whose client sends
faster than the tick rate still moves one tick per tick (the extra inputs fill its
queue and are dropped), while one whose inputs arrived late, after ticks with nothing
queued, catches up by up to 3 in one tick. From its join on, an avatar never covers
more than ``RUN_SPEED`` x the simulated time since; over any shorter stretch it can
exceed that only by what it lost standing still just before (at most 2 ticks).
The ticks of one ``n`` > 1 input are applied one per tick (a catch-up tick only takes
them when a later message is queued behind).
An avatar with no input for 3 ticks stops its walk animation.

Snapshots: see ``world.snapshot``. Who sees whom (``Interest``) is recomputed every
``RoomConfig.view_every`` builds (default 1: every build), and at once whenever an
avatar joined or left; positions and states are sent fresh at every build. If the server could not send a viewer's frame
(stale frame replaced), it calls ``mark_skipped(eid)`` and the next frame carries
what was missed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import numpy as np

from world.avatar import Avatar
from world.interest import Interest
from world.layout import ParkLayout, Ring, Spawn
from world.movement import wrap_yaw
from world.people import Person
from world.protocol.constants import EMOTES, Anim
from world.protocol.messages import Input
from world.protocol.quantize import CM_PER_M, YAW_UNITS, pos_to_wire, yaw_to_wire
from world.room_steps import move_avatars, settle, zone_changes
from world.snapshot import EntityBytes, Frames, Quantized, SentViews
from world.snapshot_frames import ViewerState
from world.walkable import WalkGrid

T = TypeVar("T")

SPAWN_JITTER = 1.5  # metres: the radius of the disc around a spawn point that avatars start in
IDLE_AFTER_TICKS = 3
_ONE_TICK = 1.0 - 1e-9  # an allowance this large pays for a tick (rounding of dt * tick_rate)


class Rng(Protocol):
    """What ``join`` needs of a ``random.Random``."""

    def uniform(self, a: float, b: float) -> float: ...

    def choice(self, seq: Sequence[T]) -> T: ...


@dataclass(frozen=True, slots=True)
class RoomConfig:
    tick_rate: int = 20
    patch_rate: int = 20
    view_radius: float = 40.0
    view_max: int = 48
    input_queue: int = 8
    inputs_per_tick: int = 3
    view_hysteresis: float = 1.15
    view_every: int = 1  # builds per interest refresh (joins and leaves refresh at once)

    @property
    def dt(self) -> float:
        return 1.0 / self.tick_rate


@dataclass(frozen=True, slots=True)
class BoothEntered:
    eid: int
    booth_id: str


@dataclass(frozen=True, slots=True)
class BoothLeft:
    eid: int
    booth_id: str
    dwell_s: float


RoomEvent = BoothEntered | BoothLeft


class UnknownSpawn(KeyError):
    """``join`` named a spawn point the park does not have."""


@dataclass(slots=True)
class _Zones:
    """Booth zones as arrays, for a vectorised point-in-polygon over moved avatars."""

    ids: list[str]
    rings: list[np.ndarray]
    boxes: np.ndarray  # (n, 4): xmin, ymin, xmax, ymax

    @staticmethod
    def from_layout(layout: ParkLayout) -> _Zones:
        rings = [np.asarray(b.zone, dtype=np.float64) for b in layout.booths]
        boxes = np.array([[r[:, 0].min(), r[:, 1].min(), r[:, 0].max(), r[:, 1].max()] for r in rings]
                         ).reshape(-1, 4)
        return _Zones([b.id for b in layout.booths], rings, boxes)

    def locate(self, xs: np.ndarray, ys: np.ndarray) -> list[str | None]:
        """The booth zone each point is in (the first listed if zones overlap)."""
        found = np.full(len(xs), -1, dtype=np.int64)
        for k, ring in enumerate(self.rings):
            x0, y0, x1, y1 = self.boxes[k]
            cand = np.nonzero((found < 0) & (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1))[0]
            if len(cand) == 0:
                continue
            inside = _in_ring(xs[cand], ys[cand], ring)
            found[cand[inside]] = k
        return [self.ids[k] if k >= 0 else None for k in found.tolist()]


def _in_ring(xs: np.ndarray, ys: np.ndarray, ring: np.ndarray) -> np.ndarray:
    inside = np.zeros(len(xs), dtype=bool)
    n = len(ring)
    for i in range(n):
        xa, ya = ring[i]
        xb, yb = ring[(i + 1) % n]
        crosses = (ya > ys) != (yb > ys)
        if not crosses.any():
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = xa + (ys - ya) * (xb - xa) / (yb - ya)
        inside ^= crosses & (xs < xc)
    return inside


def point_in_zone(x: float, y: float, zone: Ring) -> bool:
    return bool(_in_ring(np.array([x]), np.array([y]), np.asarray(zone, dtype=np.float64))[0])


@dataclass(slots=True, eq=False)
class _Presence:
    booth: str | None = None
    since: float = 0.0
    quiet_ticks: int = 0
    allowance: float = 0.0  # ticks of movement the avatar may still apply ...
    allowance_at: float = 0.0  # ... as of this reading of the room's movement clock


@dataclass
class RoomCounts:
    avatars: int
    detached: int
    dropped_inputs: int


class Room:
    def __init__(self, park_id: str, layout: ParkLayout, config: RoomConfig | None = None,
                 grid: WalkGrid | None = None) -> None:
        self.park_id = park_id
        self.layout = layout
        self.config = config or RoomConfig()
        self.grid = grid if grid is not None else WalkGrid.from_layout(layout)
        self.tick = 0
        self.time = 0.0  # seconds of simulated time (sum of dt)
        self.avatars: dict[int, Avatar] = {}
        self._next_eid = 1
        self._zones = _Zones.from_layout(layout)
        self._presence: dict[int, _Presence] = {}
        self._entities: dict[int, EntityBytes] = {}
        self._viewers: dict[int, ViewerState] = {}
        self._interest = Interest(self.config.view_radius, self.config.view_max, self.config.view_hysteresis)
        self._sent = SentViews()
        self._view_eids: np.ndarray | None = None  # the entities of the cached view
        self._view_keys: np.ndarray = np.zeros(0, dtype=np.int64)
        self._view_age = 0
        self._gen = 0  # build generation: entity changes are stamped with it, viewers remember it
        self._pending_events: list[RoomEvent] = []
        self._movement_clock = 0.0  # simulated time in ticks (sum of dt * tick_rate)
        self.dropped_inputs = 0
        self._pinned = np.zeros(0, dtype=np.int64)  # seen by every viewer (a showcase's presenters)

    # --- lifecycle -----------------------------------------------------------------

    def join(self, visitor: Person, spawn: str | None, rng: Rng,
             at: tuple[float, float, float] | None = None) -> int:
        """Place a new avatar and return its entity id.

        ``at`` (x, y, yaw) is where a returning visitor left this park: used exactly when
        that point is still on walkable ground (scenes can be rebuilt), else ignored and
        the avatar starts at ``spawn`` (a spawn id; None picks one at random)."""
        if at is not None and self.grid.contains(at[0], at[1]):
            x, y, yaw = at[0], at[1], at[2]
        else:
            point = self._spawn(spawn, rng)
            (x, y), yaw = self._place(point, rng), point.facing
        eid = self._next_eid
        self._next_eid += 1
        av = Avatar(eid=eid, user_id=visitor.user_id, name=visitor.name, color=visitor.color,
                    role=visitor.role, company=visitor.company, x=x, y=y, yaw=wrap_yaw(yaw),
                    queue_limit=self.config.input_queue)
        self.avatars[eid] = av
        self._presence[eid] = _Presence(allowance_at=self._movement_clock)
        self._entities[eid] = EntityBytes(eid, self._quantize(av), av.name, av.color, self._gen, self._gen)
        self._viewers[eid] = ViewerState()
        self._pending_events.extend(self._update_zones([eid]))
        return eid

    def leave(self, eid: int) -> list[RoomEvent]:
        """Remove the avatar; returns its ``BoothLeft`` if it stood in a booth zone."""
        if self.avatars.pop(eid, None) is None:
            return []
        presence = self._presence.pop(eid)
        self._entities.pop(eid, None)
        self._viewers.pop(eid, None)
        self._pending_events = [e for e in self._pending_events if e.eid != eid]
        if presence.booth is not None:
            return [BoothLeft(eid, presence.booth, self.time - presence.since)]
        return []

    def detach(self, eid: int) -> None:
        av = self.avatars[eid]
        av.detached = True
        av.clear_inputs()
        if av.anim != Anim.IDLE:
            av.anim = Anim.IDLE
            self._requantize(av)

    def attach(self, eid: int) -> None:
        self.avatars[eid].detached = False
        self._viewers[eid].reset()
        self._sent.reset(eid)

    def teleport(self, eid: int, x: float, y: float, yaw: float | None = None) -> None:
        """Put the avatar at (x, y) (or the nearest walkable point); booth events from the
        move come with the next ``step``. For restoring a saved position, or staff tools."""
        av = self.avatars[eid]
        found = self.grid.nearest_walkable(x, y)
        if found is not None:
            av.x, av.y = found
        if yaw is not None:
            av.yaw = wrap_yaw(yaw)
        self._requantize(av)
        self._pending_events.extend(self._update_zones([eid]))

    def mirror(self, eid: int, x: float, y: float, yaw: float, anim: int) -> None:
        """Show the avatar at (x, y) with ``anim``, as another room's avatar stands: a
        stand-in (a presenter standing in another hall) that no input moves."""
        av = self.avatars[eid]
        av.x, av.y, av.yaw = x, y, wrap_yaw(yaw)
        av.anim, av.emote = Anim(anim), Anim.IDLE
        self._requantize(av)

    def pin(self, eids: Iterable[int]) -> None:
        """Every viewer sees these avatars, whatever the view radius and the K-nearest cap
        (the presenters of the showcase on the stage); the rest of each view is as before."""
        self._pinned = np.array(sorted(set(eids)), dtype=np.int64)

    @property
    def pinned(self) -> tuple[int, ...]:
        return tuple(self._pinned.tolist())

    def __contains__(self, eid: object) -> bool:
        return eid in self.avatars

    # --- requests from connections -----------------------------------------------------

    def queue_input(self, eid: int, inp: Input) -> bool:
        av = self.avatars.get(eid)
        if av is None or av.detached:
            return False
        ok = av.queue_input(inp)
        if not ok:
            self.dropped_inputs += 1
        return ok

    def set_emote(self, eid: int, name: str) -> bool:
        av = self.avatars.get(eid)
        anim = EMOTES.get(name)
        if av is None or anim is None:
            return False
        av.emote = anim
        self._requantize(av)
        return True

    def set_look(self, eid: int, name: str | None = None, color: int | None = None) -> None:
        av = self.avatars[eid]
        av.name = name if name is not None else av.name
        av.color = color if color is not None else av.color
        self._entities[eid].set_look(av.name, av.color, self._gen)

    # --- simulation ---------------------------------------------------------------------

    def step(self, dt: float) -> list[RoomEvent]:
        """Apply queued inputs (one tick of movement each, within each avatar's
        allowance: see the module docstring), then booth zone changes."""
        self.tick += 1
        self.time += dt
        moved: set[int] = set()
        touched: set[int] = set()
        input_dt = self.config.dt
        clock = self._movement_clock = self._movement_clock + dt / input_dt
        avatars, presences = list(self.avatars.values()), list(self._presence.values())
        move_avatars(avatars, presences, self.grid, input_dt, clock, float(self.config.inputs_per_tick),
                     _ONE_TICK, self.config.inputs_per_tick, moved, touched)
        # no input for IDLE_AFTER_TICKS: the walk stops; then every changed state re-packed
        settle(avatars, presences, list(self._entities.values()), touched, IDLE_AFTER_TICKS, self._gen,
               float(CM_PER_M), YAW_UNITS)
        events = self._pending_events
        self._pending_events = []
        if moved and self._zones.ids:
            z = self._zones
            for i, booth in zone_changes(avatars, presences, moved, z.ids, z.boxes, z.rings):
                events.extend(self._booth_change(avatars[i].eid, presences[i], booth))
        return events

    @staticmethod
    def _quantize(av: Avatar) -> Quantized:
        return (pos_to_wire(av.x), pos_to_wire(av.y), yaw_to_wire(av.yaw), int(av.shown_anim))

    def _requantize(self, av: Avatar) -> None:
        self._entities[av.eid].set_state(self._quantize(av), self._gen)

    def _update_zones(self, eids: list[int]) -> list[RoomEvent]:
        if not self._zones.ids or not eids:
            return []
        xs = np.array([self.avatars[e].x for e in eids])
        ys = np.array([self.avatars[e].y for e in eids])
        events: list[RoomEvent] = []
        for eid, booth in zip(eids, self._zones.locate(xs, ys), strict=True):
            presence = self._presence[eid]
            if booth != presence.booth:
                events.extend(self._booth_change(eid, presence, booth))
        return events

    def _booth_change(self, eid: int, presence: _Presence, booth: str | None) -> list[RoomEvent]:
        events: list[RoomEvent] = []
        if presence.booth is not None:
            events.append(BoothLeft(eid, presence.booth, self.time - presence.since))
        if booth is not None:
            events.append(BoothEntered(eid, booth))
        presence.booth, presence.since = booth, self.time
        return events

    # --- queries --------------------------------------------------------------------------

    def booth_of(self, eid: int) -> str | None:
        p = self._presence.get(eid)
        return p.booth if p else None

    def visitors_in_booth(self, booth_id: str) -> list[int]:
        return sorted(eid for eid, p in self._presence.items() if p.booth == booth_id)

    def near(self, eid: int, radius: float) -> list[int]:
        """Avatars within ``radius`` metres of ``eid`` (itself included), nearest first."""
        me = self.avatars[eid]
        avatars = self.avatars
        n = len(avatars)
        eids = list(avatars)
        xs = np.fromiter((av.x for av in avatars.values()), dtype=np.float64, count=n) - me.x
        ys = np.fromiter((av.y for av in avatars.values()), dtype=np.float64, count=n) - me.y
        d2 = xs * xs + ys * ys
        idx = np.nonzero(d2 <= radius * radius)[0]
        idx = idx[np.argsort(d2[idx], kind="stable")]
        return [eids[i] for i in idx.tolist()]

    @property
    def counts(self) -> RoomCounts:
        detached = sum(1 for av in self.avatars.values() if av.detached)
        return RoomCounts(len(self.avatars), detached, self.dropped_inputs)

    def own_state(self, eid: int) -> Quantized:
        return self._entities[eid].state

    # --- snapshots -----------------------------------------------------------------------

    def build_snapshots(self, viewers: Iterable[int] | None = None) -> dict[int, bytes]:
        """Encoded ``snap`` messages for the viewers (default: every attached avatar)
        that have something new: ``build_frames`` as a dict of MessagePack bodies."""
        built = self.build_frames(viewers)
        data, out = built.data, {}
        for eid, (_, body, end) in zip(built.eids, built.bounds.tolist(), strict=True):
            if body != end:
                out[eid] = data[body:end]
        return out

    def build_frames(self, viewers: Iterable[int] | None = None) -> Frames:
        """Every viewer's ``snap`` frame of this build (default viewers: every attached
        avatar), each a websocket binary frame in one shared buffer, ready to write.
        Commits each viewer's state; see ``mark_skipped``.

        Who sees whom is array operations (``Interest``); the diff against what each
        client was sent and the frames themselves are one compiled pass
        (``world.snapshot_frames.assemble``) over the sorted pair keys."""
        avatars = self.avatars
        n = len(avatars)
        eids = np.fromiter(avatars, dtype=np.int64, count=n)  # join order: ascending
        avs = list(avatars.values())
        cached = self._view_eids
        if (cached is None or self._view_age + 1 >= self.config.view_every or len(cached) != n
                or not np.array_equal(cached, eids)):
            view = self._view_keys = self._interest.update_keys(
                eids,
                np.fromiter((av.x for av in avs), dtype=np.float64, count=n),
                np.fromiter((av.y for av in avs), dtype=np.float64, count=n),
            )
            self._view_eids, self._view_age = eids, 0
        else:  # same entities: last build's view (positions and states are still fresh)
            view = self._view_keys
            self._view_age += 1
        if len(self._pinned):
            view = self._with_pinned(view, eids)
        if viewers is None:
            tlist = [av.eid for av in avs if not av.detached]
        else:
            tlist = sorted({e for e in viewers if e in avatars})
        gen = self._gen
        self._gen += 1
        ents = list(self._entities.values())  # same order as ``avatars``
        states = self._viewers
        data, bounds = self._sent.assemble(
            view, eids, np.array(tlist, dtype=np.int64), [states[e] for e in tlist], ents, avs,
            self.tick, gen)
        return Frames(tlist, data, bounds)

    def _with_pinned(self, view: np.ndarray, eids: np.ndarray) -> np.ndarray:
        """The view keys plus (viewer, pinned) for every viewer and pinned avatar present."""
        pins = self._pinned[np.isin(self._pinned, eids)]
        if not len(pins) or not len(eids):
            return view
        viewers, pinned = np.repeat(eids, len(pins)), np.tile(pins, len(eids))
        other = viewers != pinned
        pairs = (viewers[other] << 32) | pinned[other]  # sorted: eids ascend, pins ascend
        pos = np.searchsorted(view, pairs)
        present = np.zeros(len(pairs), dtype=bool)
        inside = pos < len(view)
        present[inside] = view[pos[inside]] == pairs[inside]
        return np.insert(view, pos[~present], pairs[~present])  # merged in place of a sort: ~0.1 ms at 400

    def mark_skipped(self, eid: int) -> None:
        """The last frame built for ``eid`` was not delivered: the next one makes up for it."""
        vs = self._viewers.get(eid)
        if vs is not None and vs.rollback():
            self._sent.rollback(eid)

    # --- spawning --------------------------------------------------------------------------

    def _spawn(self, spawn: str | None, rng: Rng) -> Spawn:
        if spawn is None:
            return rng.choice(self.layout.spawns)
        for s in self.layout.spawns:
            if s.id == spawn:
                return s
        raise UnknownSpawn(f"park {self.park_id!r} has no spawn point {spawn!r}")

    def _place(self, s: Spawn, rng: Rng) -> tuple[float, float]:
        """A point drawn uniformly from the disc of radius ``SPAWN_JITTER`` around the
        spawn, on walkable ground (20 tries, then the nearest walkable cell)."""
        for _ in range(20):
            r = SPAWN_JITTER * math.sqrt(rng.uniform(0.0, 1.0))  # sqrt: uniform over the area
            a = rng.uniform(-math.pi, math.pi)
            x, y = s.x + r * math.cos(a), s.y + r * math.sin(a)
            if self.grid.contains(x, y):
                return x, y
        found = self.grid.nearest_walkable(s.x, s.y)
        return found if found is not None else (s.x, s.y)


__all__ = [
    "BoothEntered", "BoothLeft", "Room", "RoomConfig", "RoomCounts", "RoomEvent", "Rng",
    "UnknownSpawn",
]
