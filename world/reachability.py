"""Can a visitor walk from a spawn to every booth, the stage and every space?

Pure (numpy). The walkable regions are rasterised row by row into runs of cells
whose centres lie inside (scanline, even-odd over outer ring and holes); runs that
share a column on neighbouring rows are joined (4-connectivity) with a union-find.
A target is reachable when its cell lies in a run joined to a spawn's run. Points
are also checked exactly against the polygons, so "off the walkable area" and
"cut off" are reported separately.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from world.geometry import Point, Ring, centroid, point_in_region
from world.layout import ParkLayout, Region

MAX_CELLS = 4_000_000


@dataclass(frozen=True, slots=True)
class Reachability:
    """What is wrong with a layout's walkable area; empty ``problems`` means all is well."""

    park_id: str
    cell: float
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems


class WalkGrid:
    """Runs of walkable cells per row, with connected-component labels."""

    def __init__(self, regions: tuple[Region, ...], cell: float) -> None:
        xs = [p[0] for r in regions for p in r.outer]
        ys = [p[1] for r in regions for p in r.outer]
        self.cell = cell
        self.x0, self.y0 = min(xs), min(ys)
        self.cols = int(math.ceil((max(xs) - self.x0) / cell))
        self.rows = int(math.ceil((max(ys) - self.y0) / cell))
        edges = [_edges(r.outer) for r in regions] + [_edges(h) for r in regions for h in r.holes]
        self._edges = np.concatenate(edges) if edges else np.zeros((0, 4))
        self.runs: list[list[tuple[int, int, int]]] = []  # per row: (first col, last col, run id)
        self._parent: list[int] = []
        self._rasterise()

    def _rasterise(self) -> None:
        e = self._edges
        ex0, ey0, ex1, ey1 = e[:, 0], e[:, 1], e[:, 2], e[:, 3]
        previous: list[tuple[int, int, int]] = []
        for row in range(self.rows):
            y = self.y0 + (row + 0.5) * self.cell
            crossing = (ey0 > y) != (ey1 > y)
            with np.errstate(divide="ignore", invalid="ignore"):
                xc = ex0[crossing] + (y - ey0[crossing]) * (ex1[crossing] - ex0[crossing]) / (
                    ey1[crossing] - ey0[crossing])
            xc = np.sort(xc)
            runs: list[tuple[int, int, int]] = []
            for a, b in zip(xc[0::2], xc[1::2], strict=False):
                # cells whose centre x0 + (c + 0.5) * cell lies in [a, b)
                first = int(math.ceil((a - self.x0) / self.cell - 0.5))
                last = int(math.ceil((b - self.x0) / self.cell - 0.5)) - 1
                first, last = max(first, 0), min(last, self.cols - 1)
                if first > last:
                    continue
                rid = len(self._parent)
                self._parent.append(rid)
                runs.append((first, last, rid))
            self._join(previous, runs)
            self.runs.append(runs)
            previous = runs

    def _join(self, above: list[tuple[int, int, int]], below: list[tuple[int, int, int]]) -> None:
        i = j = 0
        while i < len(above) and j < len(below):
            a0, a1, ra = above[i]
            b0, b1, rb = below[j]
            if a0 <= b1 and b0 <= a1:
                self._union(ra, rb)
            if a1 < b1:
                i += 1
            else:
                j += 1

    def _find(self, r: int) -> int:
        parent = self._parent
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def component(self, p: Point) -> int | None:
        """The component of the cell holding ``p``; None when that cell is not walkable."""
        col = int(math.floor((p[0] - self.x0) / self.cell))
        row = int(math.floor((p[1] - self.y0) / self.cell))
        if not (0 <= row < self.rows and 0 <= col < self.cols):
            return None
        for first, last, rid in self.runs[row]:
            if first <= col <= last:
                return self._find(rid)
        return None

    def walkable_cells(self) -> int:
        return sum(last - first + 1 for runs in self.runs for first, last, _ in runs)


def _edges(ring: Ring) -> np.ndarray:
    pts = np.asarray(ring, dtype=np.float64)
    return np.concatenate([pts, np.roll(pts, -1, axis=0)], axis=1)


def choose_cell(layout: ParkLayout, finest: float = 0.5) -> float:
    cell = finest
    while (layout.width / cell) * (layout.depth / cell) > MAX_CELLS:
        cell *= 2
    return cell


def check_layout(layout: ParkLayout, cell: float | None = None) -> Reachability:
    """Every spawn on walkable ground; every booth zone, the stage front and audience, and
    every space entrance on walkable ground and reachable on foot from a spawn."""
    cell = cell or choose_cell(layout)
    grid = WalkGrid(layout.walkable, cell)
    problems: list[str] = []

    def on_ground(p: Point) -> bool:
        return any(point_in_region(p, r.outer, r.holes) for r in layout.walkable)

    start: set[int] = set()
    for s in layout.spawns:
        comp = grid.component((s.x, s.y))
        if not on_ground((s.x, s.y)) or comp is None:
            problems.append(f"spawn {s.id} at ({s.x:.1f}, {s.y:.1f}) is off the walkable area")
        else:
            start.add(comp)

    def target(what: str, p: Point) -> None:
        if not on_ground(p):
            problems.append(f"{what} at ({p[0]:.1f}, {p[1]:.1f}) is off the walkable area")
            return
        comp = grid.component(p)
        if comp is None:
            problems.append(f"{what} at ({p[0]:.1f}, {p[1]:.1f}) is too close to a wall to stand on "
                            f"(cell {cell} m)")
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
    return Reachability(layout.park_id, cell, tuple(problems))


def _zone_on_ground(what: str, zone: Ring, on_ground: Callable[[Point], bool], problems: list[str]) -> None:
    """Each corner pulled 10% toward the centre must stand on walkable ground."""
    cx, cy = centroid(zone)
    for x, y in zone:
        p = (x + 0.1 * (cx - x), y + 0.1 * (cy - y))
        if not on_ground(p):
            problems.append(f"{what} corner near ({x:.1f}, {y:.1f}) is off the walkable area")
            return
