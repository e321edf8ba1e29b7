"""Can a visitor walk from a spawn to every booth, the stage and every space?

Pure (numpy). The check runs on the grid avatars walk on in the room
(``world.walkable.WalkGrid.from_layout``: 0.25 m cells, eroded by the 0.3 m avatar
radius) and its connected areas (``WalkGrid.components``), so "reachable" means an
avatar the server moves can get there. A target is reachable when its cell lies in an
area that holds a spawn's cell. Points are also checked exactly against the polygons,
so "off the walkable area", "too close to a wall to stand on" and "cut off" are
reported separately.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from world.geometry import Point, Ring, centroid, point_in_region
from world.layout import ParkLayout
from world.protocol.constants import AVATAR_RADIUS, WALK_CELL
from world.walkable import WalkGrid


@dataclass(frozen=True, slots=True)
class Reachability:
    """What is wrong with a layout's walkable area; empty ``problems`` means all is well."""

    park_id: str
    cell: float
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_layout(layout: ParkLayout, cell: float | None = None, grid: WalkGrid | None = None) -> Reachability:
    """Every spawn on walkable ground; every booth zone, the stage front and audience, and
    every space entrance and the policy kiosk's zone on walkable ground and reachable on
    foot from a spawn.

    ``grid`` is the room's walk grid if the caller has one; otherwise it is built as the
    room builds it (``cell`` defaults to ``WALK_CELL``, the radius is ``AVATAR_RADIUS``)."""
    if grid is None:
        grid = WalkGrid.from_layout(layout, cell or WALK_CELL, AVATAR_RADIUS)
    cell = grid.cell
    areas = grid.components()
    problems: list[str] = []

    def on_ground(p: Point) -> bool:
        return any(point_in_region(p, r.outer, r.holes) for r in layout.walkable)

    start: set[int] = set()
    for s in layout.spawns:
        comp = areas.at(s.x, s.y)
        if not on_ground((s.x, s.y)) or comp is None:
            problems.append(f"spawn {s.id} at ({s.x:.1f}, {s.y:.1f}) is off the walkable area")
        else:
            start.add(comp)

    def target(what: str, p: Point) -> None:
        if not on_ground(p):
            problems.append(f"{what} at ({p[0]:.1f}, {p[1]:.1f}) is off the walkable area")
            return
        comp = areas.at(p[0], p[1])
        if comp is None:
            problems.append(f"{what} at ({p[0]:.1f}, {p[1]:.1f}) is too close to a wall for an avatar to "
                            f"stand on (radius {AVATAR_RADIUS} m, cell {cell} m)")
        elif comp not in start:
            problems.append(f"{what} at ({p[0]:.1f}, {p[1]:.1f}) cannot be reached on foot from any spawn")

    for b in layout.booths:
        target(f"booth {b.id} zone", centroid(b.zone))
        _zone_on_ground(f"booth {b.id} zone", b.zone, on_ground, problems)
    target("stage front", layout.stage.front)
    target("stage audience", centroid(layout.stage.audience))
    _zone_on_ground("stage audience", layout.stage.audience, on_ground, problems)
    for space in layout.spaces:
        target(f"space {space.id} entrance", space.entrance)
    if layout.kiosk is not None:
        target("policy kiosk zone", centroid(layout.kiosk.zone))
        _zone_on_ground("policy kiosk zone", layout.kiosk.zone, on_ground, problems)
    return Reachability(layout.park_id, cell, tuple(problems))


def _zone_on_ground(what: str, zone: Ring, on_ground: Callable[[Point], bool], problems: list[str]) -> None:
    """Each corner pulled 10% toward the centre must stand on walkable ground."""
    cx, cy = centroid(zone)
    for x, y in zone:
        p = (x + 0.1 * (cx - x), y + 0.1 * (cy - y))
        if not on_ground(p):
            problems.append(f"{what} corner near ({x:.1f}, {y:.1f}) is off the walkable area")
            return
