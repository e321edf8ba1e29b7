"""Plane geometry for site plans: rectangles, rings and point-in-polygon.

Pure and small on purpose: the site planner, the reachability check and the tests
share these. Coordinates are metres on the ground plane (x east, y north); a ring is
a tuple of (x, y) points without the closing repeat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Point = tuple[float, float]
Ring = tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned rectangle given by its centre and full size."""

    x: float
    y: float
    width: float
    depth: float

    @property
    def x0(self) -> float:
        return self.x - self.width / 2

    @property
    def x1(self) -> float:
        return self.x + self.width / 2

    @property
    def y0(self) -> float:
        return self.y - self.depth / 2

    @property
    def y1(self) -> float:
        return self.y + self.depth / 2

    @property
    def area(self) -> float:
        return self.width * self.depth

    @staticmethod
    def from_bounds(x0: float, y0: float, x1: float, y1: float) -> Rect:
        return Rect((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0)

    def grown(self, margin: float) -> Rect:
        return Rect(self.x, self.y, self.width + 2 * margin, self.depth + 2 * margin)

    def overlaps(self, other: Rect) -> bool:
        """True when the interiors intersect (touching edges do not count)."""
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def contains_rect(self, other: Rect) -> bool:
        return self.x0 <= other.x0 and other.x1 <= self.x1 and self.y0 <= other.y0 and other.y1 <= self.y1

    def contains(self, p: Point) -> bool:
        return self.x0 <= p[0] <= self.x1 and self.y0 <= p[1] <= self.y1

    def ring(self) -> Ring:
        """Counter-clockwise corners."""
        return ((self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1))


def box_ring(cx: float, cy: float, width: float, depth: float, angle: float = 0.0) -> Ring:
    """Counter-clockwise corners of a width x depth box centred at (cx, cy), turned by
    ``angle`` radians. ``width`` runs along the box's local y (across its facing),
    ``depth`` along its local x (the facing direction)."""
    c, s = math.cos(angle), math.sin(angle)
    hd, hw = depth / 2, width / 2
    local = ((-hd, -hw), (hd, -hw), (hd, hw), (-hd, hw))
    return tuple((cx + c * u - s * v, cy + s * u + c * v) for u, v in local)


def circle_ring(cx: float, cy: float, radius: float, sides: int = 12) -> Ring:
    """A regular polygon circumscribing a circle, counter-clockwise, so the circle lies inside."""
    r = radius / math.cos(math.pi / sides)
    return tuple(
        (cx + r * math.cos(2 * math.pi * (i + 0.5) / sides), cy + r * math.sin(2 * math.pi * (i + 0.5) / sides))
        for i in range(sides)
    )


def signed_area(ring: Ring) -> float:
    """Shoelace area: positive for counter-clockwise rings."""
    total = 0.0
    n = len(ring)
    for i in range(n):
        x0, y0 = ring[i]
        x1, y1 = ring[(i + 1) % n]
        total += x0 * y1 - x1 * y0
    return total / 2


def counter_clockwise(ring: Ring) -> Ring:
    return ring if signed_area(ring) >= 0 else tuple(reversed(ring))


def clockwise(ring: Ring) -> Ring:
    return ring if signed_area(ring) <= 0 else tuple(reversed(ring))


def centroid(ring: Ring) -> Point:
    """Area centroid of a simple polygon (vertex mean if degenerate)."""
    a = signed_area(ring)
    if abs(a) < 1e-12:
        n = len(ring)
        return (sum(p[0] for p in ring) / n, sum(p[1] for p in ring) / n)
    cx = cy = 0.0
    n = len(ring)
    for i in range(n):
        x0, y0 = ring[i]
        x1, y1 = ring[(i + 1) % n]
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return (cx / (6 * a), cy / (6 * a))


def bounds(ring: Ring) -> Rect:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return Rect.from_bounds(min(xs), min(ys), max(xs), max(ys))


def point_in_ring(p: Point, ring: Ring) -> bool:
    """Even-odd ray cast; points exactly on an edge may fall either way."""
    x, y = p
    inside = False
    n = len(ring)
    for i in range(n):
        x0, y0 = ring[i]
        x1, y1 = ring[(i + 1) % n]
        if (y0 > y) != (y1 > y):
            xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            if x < xc:
                inside = not inside
    return inside


def point_in_region(p: Point, outer: Ring, holes: tuple[Ring, ...] = ()) -> bool:
    """Inside ``outer`` and outside every hole."""
    return point_in_ring(p, outer) and not any(point_in_ring(p, h) for h in holes)


def rotate(p: Point, angle: float, about: Point = (0.0, 0.0)) -> Point:
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = p[0] - about[0], p[1] - about[1]
    return (about[0] + c * dx - s * dy, about[1] + s * dx + c * dy)


def ahead(x: float, y: float, facing: float, distance: float) -> Point:
    """The point ``distance`` metres from (x, y) in the direction ``facing``."""
    return (x + distance * math.cos(facing), y + distance * math.sin(facing))
