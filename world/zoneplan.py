"""A plan of the zone: the parks' catalogue locations projected onto a small drawing.

Pure. An equirectangular projection around the parks' mean latitude is exact enough
for a zone a few kilometres across (and the locations are estimates anyway). Parks
are numbered in catalogue order, the same numbers the portal's list shows; parks
without a location keep their number and are listed as unplaced.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from world.catalogue import Park

EARTH_KM_PER_DEGREE = 111.32


@dataclass(frozen=True, slots=True)
class PlanPoint:
    park_id: str
    number: int
    x: float
    y: float
    estimated: bool


@dataclass(frozen=True, slots=True)
class ZonePlan:
    width: float
    height: float
    points: tuple[PlanPoint, ...]
    unplaced: tuple[str, ...]
    px_per_km: float
    estimated: bool  # any location is an estimate


def _spread(xy: list[list[float]], gap: float, box: tuple[float, float, float, float], rounds: int = 30) -> None:
    """Push dots closer than ``gap`` apart (in place) so every number stays readable;
    a pair at the very same spot is split along a fixed direction (deterministic)."""
    x0, y0, x1, y1 = box
    for _ in range(rounds):
        moved = False
        for i in range(len(xy)):
            for j in range(i + 1, len(xy)):
                dx, dy = xy[j][0] - xy[i][0], xy[j][1] - xy[i][1]
                dist = math.hypot(dx, dy)
                if dist >= gap:
                    continue
                ux, uy = (dx / dist, dy / dist) if dist > 1e-9 else (1.0, 0.0)
                push = (gap - dist) / 2
                xy[i][0], xy[i][1] = xy[i][0] - ux * push, xy[i][1] - uy * push
                xy[j][0], xy[j][1] = xy[j][0] + ux * push, xy[j][1] + uy * push
                moved = True
        for p in xy:
            p[0], p[1] = min(max(p[0], x0), x1), min(max(p[1], y0), y1)
        if not moved:
            return


def zone_plan(parks: Iterable[Park], *, width: float = 360.0, margin: float = 24.0,
              gap: float = 19.0) -> ZonePlan:
    """``gap``: the least distance between two dots' centres (px); closer ones are pushed apart."""
    numbered = list(enumerate(parks, start=1))
    placed = [(n, p) for n, p in numbered if p.location is not None]
    unplaced = tuple(p.id for _, p in numbered if p.location is None)
    if not placed:
        return ZonePlan(width, width / 2, (), unplaced, 0.0, False)
    lats = [p.location.lat for _, p in placed if p.location]
    lons = [p.location.lon for _, p in placed if p.location]
    squeeze = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * squeeze, 1e-4)
    span_y = max(max(lats) - min(lats), 1e-4)
    scale = (width - 2 * margin) / max(span_x, span_y)  # px per degree of latitude
    height = span_y * scale + 2 * margin
    xy = [[margin + (p.location.lon - min(lons)) * squeeze * scale, margin + (max(lats) - p.location.lat) * scale]
          for _, p in placed if p.location]
    _spread(xy, gap, (margin / 2, margin / 2, width - margin / 2, height - margin / 2))
    points = tuple(PlanPoint(p.id, n, round(x, 1), round(y, 1), bool(p.location and p.location.estimated))
                   for (n, p), (x, y) in zip(placed, xy, strict=True))
    return ZonePlan(width, round(height, 1), points, unplaced, scale / EARTH_KM_PER_DEGREE,
                    any(pt.estimated for pt in points))
