"""Small hand-made park layouts for the world tests (no scene build needed)."""

from __future__ import annotations

import math

import pytest

from world.geometry import box_ring, clockwise, counter_clockwise
from world.layout import BoothSlot, ParkLayout, Region, Spawn, Stage


def square_park(size: float = 100.0, walls: tuple[tuple[float, float, float, float], ...] = (),
                booths: tuple[BoothSlot, ...] = (), spawns: tuple[Spawn, ...] | None = None,
                park_id: str = "test-park") -> ParkLayout:
    """A ``size`` x ``size`` square centred on the origin; ``walls`` are (cx, cy, w, d) boxes."""
    holes = tuple(clockwise(box_ring(cx, cy, d, w)) for cx, cy, w, d in walls)
    stage = Stage(0.0, size / 2 - 5, 10.0, 4.0, -math.pi / 2, (0.0, size / 2 - 10), 8.0, 4.5,
                  box_ring(0.0, size / 2 - 14, 10.0, 6.0))
    return ParkLayout(
        park_id=park_id, width=size, depth=size,
        walkable=(Region(counter_clockwise(box_ring(0, 0, size, size)), holes),),
        booths=booths, stage=stage, spaces=(),
        spawns=spawns if spawns is not None else (Spawn("s1", 0.0, 0.0, math.pi / 2),),
    )


def booth(bid: str, x: float, y: float, zone_size: float = 4.0) -> BoothSlot:
    """A booth whose zone is a square of ``zone_size`` centred at (x, y)."""
    return BoothSlot(bid, x, y + zone_size, 3.0, 2.0, -math.pi / 2, box_ring(x, y, zone_size, zone_size))


@pytest.fixture(scope="session")
def walled_park() -> ParkLayout:
    """A 100 m square with a 20 m-long, 0.2 m-thin north-south wall at x = 10, and two
    booths: b01 zone centred (-20, 0), b02 zone centred (-20, 20)."""
    return square_park(walls=((10.0, 0.0, 0.2, 20.0),),
                       booths=(booth("b01", -20.0, 0.0), booth("b02", -20.0, 20.0)))
