"""Reachability: rasterised walkable area, flood from spawns, precise complaints."""

import math

from world.geometry import box_ring, clockwise, counter_clockwise
from world.layout import BoothSlot, ParkLayout, Region, Space, Spawn, Stage
from world.reachability import WalkGrid, check_layout


def park(walls=(), spawns=None, entrance=(20.0, -20.0)) -> ParkLayout:
    """A 100 m square; ``walls`` are (cx, cy, width_x, depth_y) solid boxes."""
    holes = tuple(clockwise(box_ring(cx, cy, dy, dx)) for cx, cy, dx, dy in walls)
    stage = Stage(0.0, 40.0, 10.0, 4.0, -math.pi / 2, (0.0, 35.0), 8.0, 4.5, box_ring(0.0, 30.0, 10.0, 6.0))
    return ParkLayout(
        park_id="t", width=100, depth=100,
        walkable=(Region(counter_clockwise(box_ring(0, 0, 100, 100)), holes),),
        booths=(BoothSlot("b01", -20.0, 10.0, 3, 2, 0.0, box_ring(-20.0, 5.0, 3.0, 3.0)),),
        stage=stage,
        spaces=(Space("hall-1", "Hall", "hall", box_ring(30, -30, 10, 10), entrance),),
        spawns=spawns or (Spawn("s1", 0.0, -40.0, 0.0),),
    )


def test_an_open_square_is_all_reachable():
    report = check_layout(park())
    assert report.ok, report.problems


def test_a_wall_across_the_park_cuts_off_the_north_half():
    report = check_layout(park(walls=((0.0, 20.0, 100.0, 2.0),)))
    assert not report.ok
    assert any("stage front" in p and "cannot be reached" in p for p in report.problems)
    assert not any("booth" in p for p in report.problems)


def test_a_wall_with_a_gap_lets_visitors_through():
    walls = ((-26.0, 20.0, 48.0, 2.0), (26.0, 20.0, 48.0, 2.0))  # a 4 m gap at x = 0
    assert check_layout(park(walls=walls)).ok


def test_a_spawn_inside_a_building_is_reported():
    report = check_layout(park(walls=((0.0, -40.0, 6.0, 6.0),)))
    assert any("spawn s1" in p and "off the walkable" in p for p in report.problems)


def test_an_entrance_outside_the_site_is_reported():
    report = check_layout(park(entrance=(80.0, 0.0)))
    assert any("space hall-1 entrance" in p for p in report.problems)


def test_the_grid_counts_cells_of_the_walkable_area():
    layout = park(walls=((0.0, 0.0, 10.0, 10.0),))
    grid = WalkGrid(layout.walkable, 0.5)
    assert grid.walkable_cells() * 0.25 == 100 * 100 - 10 * 10
    assert grid.component((0.0, 0.0)) is None
    assert grid.component((-30.0, -30.0)) == grid.component((30.0, 30.0))
