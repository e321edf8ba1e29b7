"""A park's site plan: what stands where, from its catalogue entry.

Pure and deterministic: the same ``Park`` always gives the same plan (any variety
comes from ``random.Random`` seeded by a CRC of the park id). The plan holds the
``ParkLayout`` the server simulates on, plus the things the scene builder turns into
meshes: buildings in the park's style, trees, street furniture, paths and the plaza.

The site is a rectangle of the park's site area (aspect about 1.3) centred at the
origin, x east, y north, metres. A central square plaza holds a booth street on its
east and west edges and the stage on its north edge, facing south down the plaza
toward the main gate at the middle of the south edge. The policy kiosk (the park's
policy service point) stands just inside the plaza where the boulevard from the gate
enters it, on its west side, facing the path. A boulevard (north-south) and
an avenue (east-west) cross at the plaza; the four quarters around them are cut into
lots divided by streets, one building group per lot.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass

from world.catalogue import Park
from world.geometry import Rect, Ring, ahead, box_ring, clockwise, counter_clockwise
from world.layout import BoothSlot, Kiosk, ParkLayout, Region, Spawn, Stage
from world.siteplan_lots import (
    Building,
    Furniture,
    Pipe,
    Tree,
    cut_lots,
    furnish,
    place_buildings,
)

ASPECT = 1.3
BOOTHS_PER_SIDE = 8
BOOTH_WIDTH = 3.2
BOOTH_DEPTH = 2.4
BOOTH_PITCH = 5.0
STAGE_WIDTH = 14.0
STAGE_DEPTH = 6.0
SCREEN_WIDTH = 9.6
SCREEN_HEIGHT = 5.4
PATH_HALF_WIDTH = 6.0
KIOSK_WIDTH = 1.4  # across its face
KIOSK_DEPTH = 0.8
KIOSK_ZONE = 2.6  # the square of ground in front of it

__all__ = ["Building", "Furniture", "Pipe", "SitePlan", "Tree", "plan_park", "site_size"]


@dataclass(frozen=True, slots=True)
class SitePlan:
    """Everything the scene builder needs for one park."""

    park_id: str
    style: str
    layout: ParkLayout
    site: Rect
    plaza: Rect
    paths: tuple[Rect, ...]
    lots: tuple[Rect, ...]
    buildings: tuple[Building, ...]
    trees: tuple[Tree, ...]
    furniture: tuple[Furniture, ...]
    pipes: tuple[Pipe, ...]

    def holes(self) -> tuple[Ring, ...]:
        return self.layout.walkable[0].holes


def site_size(site_m2: float) -> tuple[float, float]:
    """Width (east-west) and depth (north-south) of a site of this area."""
    width = math.sqrt(site_m2 * ASPECT)
    return round(width, 2), round(site_m2 / width, 2)


def park_seed(park_id: str) -> int:
    return zlib.crc32(park_id.encode("utf-8"))


def plan_park(park: Park) -> SitePlan:
    rng = random.Random(park_seed(park.id))
    width, depth = site_size(park.area.site_m2)
    site = Rect(0.0, 0.0, width, depth)
    half = min(max(0.18 * min(width, depth), 30.0), 45.0)
    plaza = Rect(0.0, 0.0, 2 * half, 2 * half)
    paths = (
        Rect(0.0, 0.0, 2 * PATH_HALF_WIDTH, depth),  # boulevard, gate at the south edge
        Rect(0.0, 0.0, width, 2 * PATH_HALF_WIDTH),  # avenue
    )

    booths, booth_holes = _booth_street(half)
    stage, stage_hole = _stage(half)
    kiosk, kiosk_hole = _kiosk(half)
    spawns = _spawns(half, depth)

    lots = cut_lots(site, plaza, PATH_HALF_WIDTH, park.style)
    placed = place_buildings(park, lots, rng)
    trees, furniture = furnish(site, plaza, paths, placed.buildings, rng)

    holes = tuple(clockwise(r) for r in booth_holes) + (clockwise(stage_hole), clockwise(kiosk_hole)) + tuple(
        clockwise(b.footprint) for b in placed.buildings if b.solid
    )
    layout = ParkLayout(
        park_id=park.id,
        width=width,
        depth=depth,
        walkable=(Region(counter_clockwise(site.ring()), holes),),
        booths=booths,
        stage=stage,
        spaces=placed.spaces,
        spawns=spawns,
        plaza=(0.0, 0.0),
        plaza_radius=half,
        kiosk=kiosk,
    )
    return SitePlan(
        park_id=park.id, style=park.style, layout=layout, site=site, plaza=plaza, paths=paths,
        lots=tuple(lots), buildings=placed.buildings, trees=trees, furniture=furniture,
        pipes=placed.pipes,
    )


def _booth_street(half: float) -> tuple[tuple[BoothSlot, ...], list[Ring]]:
    """Two rows of stands on the plaza's west and east edges, facing into the plaza."""
    booths: list[BoothSlot] = []
    holes: list[Ring] = []
    first = -(BOOTHS_PER_SIDE - 1) * BOOTH_PITCH / 2 - 2.0  # a little south of centre: the stage is north
    for side, (x, facing) in enumerate(((-half + 1.0 + BOOTH_DEPTH / 2, 0.0),
                                        (half - 1.0 - BOOTH_DEPTH / 2, math.pi))):
        for i in range(BOOTHS_PER_SIDE):
            y = first + i * BOOTH_PITCH
            zone_centre = ahead(x, y, facing, BOOTH_DEPTH / 2 + 0.4 + 1.5)
            n = side * BOOTHS_PER_SIDE + i + 1
            booths.append(BoothSlot(
                id=f"b{n:02d}", x=round(x, 3), y=round(y, 3), width=BOOTH_WIDTH, depth=BOOTH_DEPTH,
                facing=round(facing, 6),
                zone=_rounded(box_ring(zone_centre[0], zone_centre[1], BOOTH_WIDTH, 3.0, facing)),
            ))
            holes.append(_rounded(box_ring(x, y, BOOTH_WIDTH, BOOTH_DEPTH, facing)))
    return tuple(booths), holes


def _stage(half: float) -> tuple[Stage, Ring]:
    facing = -math.pi / 2  # toward the plaza and the main gate
    x, y = 0.0, half - 1.5 - STAGE_DEPTH / 2
    front = ahead(x, y, facing, STAGE_DEPTH / 2 + 3.0)
    audience_centre = ahead(x, y, facing, STAGE_DEPTH / 2 + 1.0 + 6.0)
    stage = Stage(
        x=x, y=round(y, 3), width=STAGE_WIDTH, depth=STAGE_DEPTH, facing=round(facing, 6),
        front=(round(front[0], 3), round(front[1], 3)),
        screen_width=SCREEN_WIDTH, screen_height=SCREEN_HEIGHT,
        audience=_rounded(box_ring(audience_centre[0], audience_centre[1], 20.0, 12.0, facing)),
    )
    return stage, _rounded(box_ring(x, y, STAGE_WIDTH, STAGE_DEPTH, facing))


def _kiosk(half: float) -> tuple[Kiosk, Ring]:
    """West of where the boulevard enters the plaza, facing east onto the path: the
    first thing on a visitor's left who walks in from the gate."""
    facing = 0.0
    x, y = -(PATH_HALF_WIDTH + 1.0), -half + 6.0
    zone_centre = ahead(x, y, facing, KIOSK_DEPTH / 2 + 0.2 + KIOSK_ZONE / 2)
    kiosk = Kiosk(x=round(x, 3), y=round(y, 3), facing=facing,
                  zone=_rounded(box_ring(zone_centre[0], zone_centre[1], KIOSK_ZONE, KIOSK_ZONE, facing)))
    return kiosk, _rounded(box_ring(x, y, KIOSK_WIDTH, KIOSK_DEPTH, facing))


def _spawns(half: float, depth: float) -> tuple[Spawn, ...]:
    """Two near the main gate, four where the boulevard enters the plaza."""
    north = math.pi / 2
    gate = -depth / 2 + 6.0
    points = [(-2.5, gate), (2.5, gate), (-3.0, -half + 4.0), (3.0, -half + 4.0),
              (-3.0, -half - 4.0), (3.0, -half - 4.0)]
    return tuple(Spawn(f"s{i + 1}", round(x, 3), round(y, 3), north) for i, (x, y) in enumerate(points))


def _rounded(ring: Ring) -> Ring:
    # The layout is stored rounded to millimetres; round here so the plan equals its round trip.
    return tuple((round(x, 3) + 0.0, round(y, 3) + 0.0) for x, y in ring)
