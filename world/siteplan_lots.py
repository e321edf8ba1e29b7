"""Lots and what stands on them: buildings in the park's style, spaces, trees, furniture.

Part of the site planner (``world.siteplan``). A lot is a rectangle between streets;
each holds one group of buildings whose form follows the park's former use. Every
solid footprint keeps at least ``GAP`` metres from its neighbours and lies inside its
lot, so the walkable area's holes stay disjoint and inside the site.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from world.catalogue import Park, Venue
from world.geometry import Rect, Ring, circle_ring
from world.layout import Space

STREET_HALF = 5.0  # half the width of the streets between lots
EDGE = 10.0  # free band inside the site boundary
GAP = 2.0
TARGET_LOTS = 48

# Lot pitch per style: large halls want large lots.
_BASE_PITCH = {"sawtooth": 60.0, "gasworks": 50.0, "warehouse": 45.0, "mill": 50.0,
               "silo": 40.0, "factory": 45.0, "campus": 40.0}


@dataclass(frozen=True, slots=True)
class Building:
    """A solid thing on a lot. ``kind`` picks the mesh; ``roof`` its top.

    Box kinds (hall, shed, block, mill, locomotive) span ``width`` along x and ``depth``
    along y; round kinds (gas-holder, silo, chimney, water-tower) have diameter ``width``.
    ``solid`` buildings are holes in the walkable area; an outdoor space is not.
    """

    id: str
    kind: str
    x: float
    y: float
    width: float
    depth: float
    height: float
    roof: str
    material: str
    footprint: Ring
    space_id: str | None = None
    solid: bool = True


@dataclass(frozen=True, slots=True)
class Tree:
    x: float
    y: float
    scale: float


@dataclass(frozen=True, slots=True)
class Furniture:
    kind: str  # "bench" or "lamp"
    x: float
    y: float
    facing: float


@dataclass(frozen=True, slots=True)
class Pipe:
    """An overhead pipe (gasworks) from (x0, y0) to (x1, y1) at ``z`` metres up."""

    x0: float
    y0: float
    x1: float
    y1: float
    z: float
    radius: float


@dataclass(frozen=True, slots=True)
class Placed:
    buildings: tuple[Building, ...]
    spaces: tuple[Space, ...]
    pipes: tuple[Pipe, ...]


def cut_lots(site: Rect, plaza: Rect, path_half: float, style: str) -> list[Rect]:
    """Lots in the four quarters around the boulevard, avenue and plaza, nearest first."""
    inner = path_half + 2.0  # keep a verge beside the main paths
    keep_out = plaza.grown(8.0)
    qw = site.width / 2 - EDGE - inner
    qd = site.depth / 2 - EDGE - inner
    pitch = max(_BASE_PITCH.get(style, 50.0), math.sqrt(4 * qw * qd / TARGET_LOTS))
    nx, ny = max(1, round(qw / pitch + 0.2)), max(1, round(qd / pitch + 0.2))
    cw, cd = qw / nx, qd / ny
    lots: list[Rect] = []
    for sx in (-1, 1):
        for sy in (-1, 1):
            for i in range(nx):
                for j in range(ny):
                    a = inner + i * cw
                    b = inner + j * cd
                    cell = Rect.from_bounds(a, b, a + cw, b + cd)
                    lot = Rect(sx * cell.x, sy * cell.y, cw - 2 * STREET_HALF, cd - 2 * STREET_HALF)
                    if lot.overlaps(keep_out) or lot.width < 12 or lot.depth < 12:
                        continue
                    lots.append(_round_rect(lot))
    lots.sort(key=lambda r: (round(math.hypot(r.x, r.y), 3), r.x, r.y))
    return lots


def place_buildings(park: Park, lots: list[Rect], rng: random.Random) -> Placed:
    buildings: list[Building] = []
    spaces: list[Space] = []
    pipes: list[Pipe] = []
    venues = list(park.venues)
    for n, lot in enumerate(lots):
        if venues:
            venue = venues.pop(0)
            group = _space_group(park.style, venue, lot, f"v{n:02d}")
            spaces.append(_space(venue, group, lot))
        else:
            group = _STYLE_GROUPS.get(park.style, _campus)(lot, f"l{n:02d}", rng, n)
        buildings.extend(group)
    if park.style == "gasworks":
        pipes = _pipes(buildings)
    if venues:
        raise ValueError(f"park {park.id!r}: {len(lots)} lots cannot hold {len(park.venues)} venues")
    marked = []
    space_of = {s.footprint: s.id for s in spaces}
    for b in buildings:
        sid = space_of.get(b.footprint)
        marked.append(b if sid is None else _with_space(b, sid))
    return Placed(tuple(marked), tuple(spaces), tuple(pipes))


def _with_space(b: Building, sid: str) -> Building:
    return Building(b.id, b.kind, b.x, b.y, b.width, b.depth, b.height, b.roof, b.material,
                    b.footprint, sid, b.solid)


def _space(venue: Venue, group: list[Building], lot: Rect) -> Space:
    """The venue's building (the group's first); its entrance faces the plaza."""
    main = group[0]
    # Solid buildings: 2.5 m outside the face nearer the plaza. Outdoor spaces: 2 m inside it.
    out = 2.5 if main.solid else -2.0
    if abs(lot.x) * main.depth > abs(lot.y) * main.width:
        entrance = (main.x - math.copysign(main.width / 2 + out, lot.x), main.y)
    else:
        entrance = (main.x, main.y - math.copysign(main.depth / 2 + out, lot.y))
    return Space(venue.id, venue.name, venue.kind, main.footprint,
                 (round(entrance[0], 3), round(entrance[1], 3)), venue.estimated)


def _space_group(style: str, venue: Venue, lot: Rect, bid: str) -> list[Building]:
    name = venue.name.lower()
    if venue.kind == "outdoor":
        zone = Rect(lot.x, lot.y, lot.width, lot.depth)
        ground = Building(bid, "outdoor", lot.x, lot.y, lot.width, lot.depth, 0.05, "flat", "paving",
                          _ring_r(zone.ring()), solid=False)
        feature_w = min(lot.width, lot.depth) * 0.3
        if "locomotive" in name:
            loco = _box("locomotive", bid + "-loco", lot.x, lot.y, min(18.0, lot.width * 0.6), 3.2,
                        4.2, "flat", "steel")
            return [ground, loco]
        return [ground, _box("plinth", bid + "-art", lot.x, lot.y, feature_w, feature_w, 1.0, "flat", "concrete")]
    if "gas" in name and style == "gasworks":
        d = min(lot.width, lot.depth) * 0.85
        return [_round("gas-holder", bid, lot.x, lot.y, d, d * 0.8, "dome", "steel")]
    w, dp = lot.width * 0.9, lot.depth * 0.9
    roof = {"sawtooth": "sawtooth", "warehouse": "gable", "mill": "multigable",
            "factory": "gable", "campus": "flat"}.get(style, "flat")
    material = "concrete" if style in ("campus", "silo") else "brick"
    return [_box("hall", bid, lot.x, lot.y, w, dp, 9.0 if style != "campus" else 12.0, roof, material)]


# --- style groups --------------------------------------------------------------

def _sawtooth(lot: Rect, bid: str, rng: random.Random, n: int) -> list[Building]:
    h = rng.uniform(8.0, 11.0)
    if n % 7 == 3:  # the 798 halls stand beside tall brick chimneys
        d = 4.0
        hall = _box("hall", bid, lot.x - d, lot.y, lot.width - 2 * d - GAP, lot.depth, h, "sawtooth", "brick")
        chim = _round("chimney", bid + "-c", lot.x1 - d, lot.y1 - d, d, 45.0, "flat", "brick")
        return [hall, chim]
    return [_box("hall", bid, lot.x, lot.y, lot.width, lot.depth, h, "sawtooth", "brick")]


def _gasworks(lot: Rect, bid: str, rng: random.Random, n: int) -> list[Building]:
    if n % 2 == 0:
        d = min(lot.width, lot.depth) * rng.uniform(0.7, 0.9)
        return [_round("gas-holder", bid, lot.x, lot.y, d, d * rng.uniform(0.6, 0.9), "dome", "steel")]
    return [_box("hall", bid, lot.x, lot.y, lot.width * 0.9, lot.depth * 0.8, 10.0, "flat", "brick")]


def _warehouse(lot: Rect, bid: str, rng: random.Random, n: int) -> list[Building]:
    h = rng.uniform(6.0, 8.5)
    if lot.width >= lot.depth and lot.depth > 30:
        d = (lot.depth - GAP) / 2
        return [_box("shed", bid + "a", lot.x, lot.y0 + d / 2, lot.width, d, h, "gable", "brick"),
                _box("shed", bid + "b", lot.x, lot.y1 - d / 2, lot.width, d, h, "gable", "brick")]
    if lot.width < lot.depth and lot.width > 30:
        w = (lot.width - GAP) / 2
        return [_box("shed", bid + "a", lot.x0 + w / 2, lot.y, w, lot.depth, h, "gable", "brick"),
                _box("shed", bid + "b", lot.x1 - w / 2, lot.y, w, lot.depth, h, "gable", "brick")]
    return [_box("shed", bid, lot.x, lot.y, lot.width, lot.depth, h, "gable", "brick")]


def _mill(lot: Rect, bid: str, rng: random.Random, n: int) -> list[Building]:
    h = rng.uniform(7.0, 9.0)
    if n % 4 == 1:
        d = 8.0
        mill = _box("mill", bid, lot.x - d / 2 - GAP / 2, lot.y, lot.width - d - GAP, lot.depth, h,
                    "multigable", "brick")
        kind, height = ("water-tower", 24.0) if n % 8 == 1 else ("chimney", 40.0)
        return [mill, _round(kind, bid + "-t", lot.x1 - d / 2, lot.y, d, height, "flat", "brick")]
    return [_box("mill", bid, lot.x, lot.y, lot.width, lot.depth, h, "multigable", "brick")]


def _silo(lot: Rect, bid: str, rng: random.Random, n: int) -> list[Building]:
    if n % 3 == 2:
        return [_box("block", bid, lot.x, lot.y, lot.width * 0.9, lot.depth * 0.9, 10.0, "flat", "concrete")]
    # A cluster of cement silos in a grid, on one shared solid base (one hole).
    d = 8.0
    cols = max(1, int((lot.width - 2) // (d + 0.6)))
    rows = max(1, int((lot.depth - 2) // (d + 0.6)))
    cols, rows = min(cols, 4), min(rows, 3)
    w, dp = cols * (d + 0.6), rows * (d + 0.6)
    return [_box("silo-cluster", bid, lot.x, lot.y, w, dp, rng.choice((26.0, 30.0, 34.0)), "silos", "concrete")]


def _factory(lot: Rect, bid: str, rng: random.Random, n: int) -> list[Building]:
    h = rng.uniform(8.0, 12.0)
    if n % 3 == 0:
        d = 4.0
        hall = _box("hall", bid, lot.x - d / 2 - GAP / 2, lot.y, lot.width - d - GAP, lot.depth, h, "gable", "brick")
        return [hall, _round("chimney", bid + "-c", lot.x1 - d / 2, lot.y1 - d / 2, d, 36.0, "flat", "brick")]
    roof = "gable" if n % 2 else "flat"
    return [_box("hall", bid, lot.x, lot.y, lot.width * 0.95, lot.depth * 0.9, h, roof, "brick")]


def _campus(lot: Rect, bid: str, rng: random.Random, n: int) -> list[Building]:
    floors = rng.randint(2, 5)
    material = ("render", "concrete", "brick", "glass")[n % 4]
    w = lot.width * rng.uniform(0.7, 0.95)
    d = lot.depth * rng.uniform(0.6, 0.9)
    return [_box("block", bid, lot.x, lot.y, w, d, floors * 3.8, "flat", material)]


_STYLE_GROUPS = {"sawtooth": _sawtooth, "gasworks": _gasworks, "warehouse": _warehouse,
                 "mill": _mill, "silo": _silo, "factory": _factory, "campus": _campus}


def _pipes(buildings: list[Building]) -> list[Pipe]:
    """Overhead pipes linking each gas holder to its nearest neighbour building."""
    holders = [b for b in buildings if b.kind == "gas-holder"]
    pipes: list[Pipe] = []
    for h in holders:
        others = [b for b in buildings if b is not h and b.solid]
        if not others:
            continue
        near = min(others, key=lambda b: (math.hypot(b.x - h.x, b.y - h.y), b.id))
        pipes.append(Pipe(round(h.x, 3), round(h.y, 3), round(near.x, 3), round(near.y, 3), 7.0, 0.6))
    return pipes


def _box(kind: str, bid: str, x: float, y: float, w: float, d: float, h: float, roof: str,
         material: str) -> Building:
    r = Rect(round(x, 3), round(y, 3), round(w, 3), round(d, 3))
    return Building(bid, kind, r.x, r.y, r.width, r.depth, round(h, 3), roof, material, _ring_r(r.ring()))


def _round(kind: str, bid: str, x: float, y: float, d: float, h: float, roof: str, material: str) -> Building:
    x, y, d = round(x, 3), round(y, 3), round(d, 3)
    return Building(bid, kind, x, y, d, d, round(h, 3), roof, material, _ring_r(circle_ring(x, y, d / 2, 12)))


def _ring_r(ring: Ring) -> Ring:
    return tuple((round(x, 3) + 0.0, round(y, 3) + 0.0) for x, y in ring)


def _round_rect(r: Rect) -> Rect:
    return Rect(round(r.x, 3), round(r.y, 3), round(r.width, 3), round(r.depth, 3))


# --- trees and street furniture ------------------------------------------------------

def furnish(site: Rect, plaza: Rect, paths: tuple[Rect, ...], buildings: tuple[Building, ...],
            rng: random.Random) -> tuple[tuple[Tree, ...], tuple[Furniture, ...]]:
    """Rows of trees along the boulevard and avenue, lamps and benches by the paths."""
    trees: list[Tree] = []
    furniture: list[Furniture] = []
    keep_clear = plaza.grown(3.0)
    boulevard, avenue = paths
    offset = boulevard.width / 2 + 1.5
    spacing = 12.0 if site.area < 200_000 else 18.0
    for along, is_ns in ((site.depth, True), (site.width, False)):
        steps = int((along / 2 - EDGE) // spacing)
        for k in range(-steps, steps + 1):
            t = k * spacing
            for side in (-1.0, 1.0):
                x, y = (side * offset, t) if is_ns else (t, side * offset)
                if keep_clear.contains((x, y)) or abs(x) < offset - 0.1 and abs(y) < offset - 0.1:
                    continue
                if abs(x) < offset + 0.1 and abs(y) < offset + 0.1:
                    continue  # the crossing stays open
                if k % 2 == 0:
                    trees.append(Tree(round(x, 3), round(y, 3), round(rng.uniform(0.8, 1.25), 3)))
                elif k % 4 == 1:
                    furniture.append(Furniture("lamp", round(x, 3), round(y, 3), 0.0))
                else:
                    facing = (0.0 if side < 0 else math.pi) if is_ns else (math.pi / 2 if side < 0 else -math.pi / 2)
                    furniture.append(Furniture("bench", round(x, 3), round(y, 3), round(facing, 6)))
    # Lamps on the plaza corners and benches on its south edge, beside the gate spawns.
    h = plaza.width / 2 - 1.0
    for cx, cy in ((-h, -h), (h, -h), (-h, h), (h, h)):
        furniture.append(Furniture("lamp", round(cx, 3), round(cy, 3), 0.0))
    for bx in (-14.0, -10.0, 10.0, 14.0):
        furniture.append(Furniture("bench", bx, round(-h + 0.5, 3), math.pi / 2))
    return tuple(trees), tuple(furniture)
