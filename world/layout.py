"""A park's layout: the walkable ground, booth slots, stage, bookable spaces, spawns,
and the policy kiosk (the park's policy service point).

This is what the server simulates against and what every scene carries in its
glTF extras (``scene.extras["cloudpark"]``). Coordinates are metres on the ground
plane: x east, y north, origin at the site centre. Angles (``facing``) are radians
counter-clockwise from +x. In glTF (Y up) a ground point (x, y) is (x, 0, -y).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LAYOUT_VERSION = 1

Point = tuple[float, float]
Ring = tuple[Point, ...]


class LayoutError(ValueError):
    """A layout (usually read from a scene's extras) is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Region:
    """A polygon with holes: ``outer`` counter-clockwise, ``holes`` clockwise."""

    outer: Ring
    holes: tuple[Ring, ...] = ()


@dataclass(frozen=True, slots=True)
class BoothSlot:
    """Where an enterprise's booth stands. ``zone``: ground a visitor stands on to visit it."""

    id: str
    x: float
    y: float
    width: float
    depth: float
    facing: float
    zone: Ring


@dataclass(frozen=True, slots=True)
class Stage:
    """The showcase stage. ``front``: where the audience faces it; the screen is a named quad."""

    x: float
    y: float
    width: float
    depth: float
    facing: float
    front: Point
    screen_width: float
    screen_height: float
    audience: Ring


@dataclass(frozen=True, slots=True)
class Space:
    """A bookable offline space (gallery, theatre, meeting room) from the catalogue's venues."""

    id: str
    name: str
    kind: str
    footprint: Ring
    entrance: Point
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class Kiosk:
    """The park's policy service point: a stand where a member of an enterprise sees the
    policies that match it. ``zone``: the ground in front of it where a visitor is "at"
    the kiosk (the clients ask for the matches when their avatar steps onto it)."""

    x: float
    y: float
    facing: float
    zone: Ring


@dataclass(frozen=True, slots=True)
class Spawn:
    id: str
    x: float
    y: float
    facing: float


@dataclass(frozen=True, slots=True)
class ParkLayout:
    park_id: str
    width: float
    depth: float
    walkable: tuple[Region, ...]
    booths: tuple[BoothSlot, ...]
    stage: Stage
    spaces: tuple[Space, ...]
    spawns: tuple[Spawn, ...]
    plaza: Point = (0.0, 0.0)
    plaza_radius: float = 0.0
    kiosk: Kiosk | None = None  # absent in scenes built before the kiosk came

    def booth(self, booth_id: str) -> BoothSlot:
        for b in self.booths:
            if b.id == booth_id:
                return b
        raise KeyError(f"no booth slot {booth_id!r} in park {self.park_id!r}")

    def to_dict(self) -> dict[str, Any]:
        def ring(r: Ring) -> list[list[float]]:
            return [[round(x, 3), round(y, 3)] for x, y in r]

        return {
            "version": LAYOUT_VERSION,
            "park": self.park_id,
            "site": {"width": self.width, "depth": self.depth},
            "plaza": {"x": self.plaza[0], "y": self.plaza[1], "radius": self.plaza_radius},
            "walkable": [
                {"outer": ring(r.outer), "holes": [ring(h) for h in r.holes]} for r in self.walkable
            ],
            "booths": [
                {"id": b.id, "x": b.x, "y": b.y, "width": b.width, "depth": b.depth,
                 "facing": b.facing, "zone": ring(b.zone)}
                for b in self.booths
            ],
            "stage": {
                "x": self.stage.x, "y": self.stage.y, "width": self.stage.width,
                "depth": self.stage.depth, "facing": self.stage.facing,
                "front": list(self.stage.front), "screen_width": self.stage.screen_width,
                "screen_height": self.stage.screen_height, "audience": ring(self.stage.audience),
            },
            "spaces": [
                {"id": s.id, "name": s.name, "kind": s.kind, "footprint": ring(s.footprint),
                 "entrance": list(s.entrance), "estimated": s.estimated}
                for s in self.spaces
            ],
            "spawns": [{"id": s.id, "x": s.x, "y": s.y, "facing": s.facing} for s in self.spawns],
            **({"kiosk": {"x": self.kiosk.x, "y": self.kiosk.y, "facing": self.kiosk.facing,
                          "zone": ring(self.kiosk.zone)}} if self.kiosk is not None else {}),
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> ParkLayout:
        """The layout ``to_dict`` wrote; anything else raises ``LayoutError`` (only that)."""
        if not isinstance(data, Mapping):
            raise LayoutError(f"a park layout is a JSON object, got {type(data).__name__}")
        try:
            return _from_dict(data)
        except LayoutError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
            raise LayoutError(f"malformed park layout: {type(exc).__name__}: {exc}") from None


def _num(v: Any, what: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise LayoutError(f"{what} must be a finite number, got {v!r}")
    return float(v)


def _point(v: Any, what: str) -> Point:
    if not isinstance(v, Sequence) or len(v) != 2:
        raise LayoutError(f"{what} must be [x, y]")
    return (_num(v[0], what), _num(v[1], what))


def _ring(v: Any, what: str) -> Ring:
    if not isinstance(v, Sequence) or len(v) < 3:
        raise LayoutError(f"{what} must be a list of at least 3 points")
    return tuple(_point(p, what) for p in v)


def _kiosk(k: Mapping[str, Any]) -> Kiosk:
    return Kiosk(_num(k["x"], "kiosk.x"), _num(k["y"], "kiosk.y"), _num(k["facing"], "kiosk.facing"),
                 _ring(k["zone"], "kiosk.zone"))


def _from_dict(d: Mapping[str, Any]) -> ParkLayout:
    if d.get("version") != LAYOUT_VERSION:
        raise LayoutError(f"layout version {d.get('version')!r} is not supported (expected {LAYOUT_VERSION})")
    st = d["stage"]
    plaza = d.get("plaza", {"x": 0, "y": 0, "radius": 0})
    layout = ParkLayout(
        park_id=str(d["park"]),
        width=_num(d["site"]["width"], "site.width"),
        depth=_num(d["site"]["depth"], "site.depth"),
        plaza=(_num(plaza["x"], "plaza.x"), _num(plaza["y"], "plaza.y")),
        plaza_radius=_num(plaza["radius"], "plaza.radius"),
        walkable=tuple(
            Region(_ring(r["outer"], "walkable.outer"),
                   tuple(_ring(h, "walkable.holes") for h in r.get("holes", [])))
            for r in d["walkable"]
        ),
        booths=tuple(
            BoothSlot(str(b["id"]), _num(b["x"], "booth.x"), _num(b["y"], "booth.y"),
                      _num(b["width"], "booth.width"), _num(b["depth"], "booth.depth"),
                      _num(b["facing"], "booth.facing"), _ring(b["zone"], "booth.zone"))
            for b in d["booths"]
        ),
        stage=Stage(
            _num(st["x"], "stage.x"), _num(st["y"], "stage.y"), _num(st["width"], "stage.width"),
            _num(st["depth"], "stage.depth"), _num(st["facing"], "stage.facing"),
            _point(st["front"], "stage.front"), _num(st["screen_width"], "stage.screen_width"),
            _num(st["screen_height"], "stage.screen_height"), _ring(st["audience"], "stage.audience"),
        ),
        spaces=tuple(
            Space(str(s["id"]), str(s["name"]), str(s["kind"]), _ring(s["footprint"], "space.footprint"),
                  _point(s["entrance"], "space.entrance"), bool(s.get("estimated", False)))
            for s in d["spaces"]
        ),
        spawns=tuple(
            Spawn(str(s["id"]), _num(s["x"], "spawn.x"), _num(s["y"], "spawn.y"), _num(s["facing"], "spawn.facing"))
            for s in d["spawns"]
        ),
        kiosk=_kiosk(d["kiosk"]) if d.get("kiosk") is not None else None,
    )
    if not layout.walkable:
        raise LayoutError("layout has no walkable area")
    if not layout.spawns:
        raise LayoutError("layout has no spawn points")
    ids = [b.id for b in layout.booths]
    if len(set(ids)) != len(ids):
        raise LayoutError("duplicate booth slot ids")
    return layout
