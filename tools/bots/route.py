"""Where a bot walks: waypoints drawn from a park's layout, per crowd shape.

``tour``: the crowd spreads over the plaza and the walkable ground, with a few
booths as hotspots where visitors linger. ``showcase``: most visitors pack the
stage's audience polygon and stay there (the worst case for interest management),
a few still tour the booths.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from world.geometry import bounds, centroid, point_in_region, point_in_ring
from world.layout import ParkLayout, Ring

SHAPES = ("tour", "showcase")
ARRIVE_M = 1.0
HOTSPOTS = 3


@dataclass(frozen=True, slots=True)
class Waypoint:
    x: float
    y: float
    linger: float  # seconds to stay once arrived
    booth: str = ""  # the booth visited here, if any


def _point_in(ring: Ring, rng: random.Random, tries: int = 40) -> tuple[float, float]:
    box = bounds(ring)
    for _ in range(tries):
        p = (rng.uniform(box.x0, box.x1), rng.uniform(box.y0, box.y1))
        if point_in_ring(p, ring):
            return p
    return centroid(ring)


class Itinerary:
    """Draws a visitor's next waypoint. One per bot; the ``rng`` makes it reproducible."""

    def __init__(self, layout: ParkLayout, shape: str, rng: random.Random) -> None:
        if shape not in SHAPES:
            raise ValueError(f"unknown crowd shape {shape!r} (expected one of {', '.join(SHAPES)})")
        self.layout = layout
        self.rng = rng
        # A showcase crowd is mostly audience; a few wander the booths anyway.
        self.audience = shape == "showcase" and rng.random() < 0.85
        self.hotspots = layout.booths[:: max(1, len(layout.booths) // HOTSPOTS)][:HOTSPOTS]

    def start(self) -> Waypoint:
        return self.next()

    def next(self) -> Waypoint:
        rng = self.rng
        stage = self.layout.stage
        if self.audience:
            x, y = _point_in(stage.audience, rng)
            return Waypoint(x, y, rng.uniform(10.0, 40.0))
        roll = rng.random()
        if roll < 0.30 and self.layout.booths:
            booths = self.hotspots if rng.random() < 0.6 else self.layout.booths
            booth = rng.choice(booths)
            x, y = _point_in(booth.zone, rng)
            return Waypoint(x, y, rng.uniform(3.0, 15.0), booth.id)
        if roll < 0.40:
            x, y = _point_in(stage.audience, rng)
            return Waypoint(x, y, rng.uniform(5.0, 20.0))
        if roll < 0.85 and self.layout.plaza_radius > 0:
            return self._plaza(rng)
        return self._anywhere(rng)

    def _plaza(self, rng: random.Random) -> Waypoint:
        (cx, cy), r = self.layout.plaza, self.layout.plaza_radius
        for _ in range(20):
            a, d = rng.uniform(0, math.tau), r * math.sqrt(rng.random())
            p = (cx + d * math.cos(a), cy + d * math.sin(a))
            if self._walkable(p):
                return Waypoint(p[0], p[1], rng.uniform(0.0, 3.0))
        return self._anywhere(rng)

    def _anywhere(self, rng: random.Random) -> Waypoint:
        w, d = self.layout.width, self.layout.depth
        for _ in range(40):
            p = (rng.uniform(-w / 2, w / 2), rng.uniform(-d / 2, d / 2))
            if self._walkable(p):
                return Waypoint(p[0], p[1], rng.uniform(0.0, 2.0))
        s = rng.choice(self.layout.spawns)
        return Waypoint(s.x, s.y, 1.0)

    def _walkable(self, p: tuple[float, float]) -> bool:
        return any(point_in_region(p, r.outer, r.holes) for r in self.layout.walkable)


def steer(x: float, y: float, goal: Waypoint) -> tuple[float, float, float]:
    """Unit movement intent (mx, my) toward ``goal`` and the yaw to face; zero when arrived."""
    dx, dy = goal.x - x, goal.y - y
    dist = math.hypot(dx, dy)
    if dist < ARRIVE_M:
        return 0.0, 0.0, 0.0
    return dx / dist, dy / dist, math.atan2(dy, dx)
