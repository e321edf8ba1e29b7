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


def zone_plan(parks: Iterable[Park], *, width: float = 360.0, margin: float = 24.0) -> ZonePlan:
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
    points = tuple(
        PlanPoint(p.id, n, round(margin + (p.location.lon - min(lons)) * squeeze * scale, 1),
                  round(margin + (max(lats) - p.location.lat) * scale, 1), p.location.estimated)
        for n, p in placed if p.location)
    return ZonePlan(width, round(height, 1), points, unplaced, scale / EARTH_KM_PER_DEGREE,
                    any(pt.estimated for pt in points))
