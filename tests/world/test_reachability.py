"""Reachability, on the grid avatars walk on: connected areas from spawns, precise complaints."""

import math

from world.geometry import box_ring, clockwise, counter_clockwise
from world.layout import BoothSlot, ParkLayout, Region, Space, Spawn, Stage
from world.reachability import check_layout
from world.walkable import WalkGrid


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


def test_the_grids_areas_join_what_walls_do_not_separate():
    layout = park(walls=((0.0, 0.0, 10.0, 10.0), (0.0, 30.0, 100.0, 1.0)))  # a block, and a wall across
    areas = WalkGrid.from_layout(layout).components()
    assert areas.count == 2
    assert areas.at(0.0, 0.0) is None  # inside the block
    assert areas.at(-30.0, -30.0) == areas.at(30.0, 20.0) != areas.at(0.0, 40.0)
    assert areas.at(500.0, 0.0) is None


def test_the_check_can_use_the_rooms_own_grid():
    layout = park()
    grid = WalkGrid.from_layout(layout, cell=0.5, radius=0.3)
    assert check_layout(layout, grid=grid) == check_layout(layout, cell=0.5)
    assert check_layout(layout, grid=grid).cell == 0.5


def test_a_gap_too_narrow_for_an_avatar_cuts_the_park_in_two():
    """The check asks the grid avatars really walk on (0.25 m cells, 0.3 m radius): a
    0.5 m gap is open on a raster of cell centres, but no avatar 0.6 m wide fits through."""
    walls = ((-25.125, 20.0, 49.75, 2.0), (25.125, 20.0, 49.75, 2.0))  # gap: x -0.25 .. 0.25
    report = check_layout(park(walls=walls))
    assert any("stage front" in p and "cannot be reached" in p for p in report.problems), report.problems
    assert report.cell == 0.25


def test_reachable_means_an_avatar_can_walk_there():
    from world.movement import apply_input
    from world.protocol.messages import Input
    from world.walkable import WalkGrid as RoomGrid

    layout = park(walls=((-26.0, 20.0, 48.0, 2.0), (26.0, 20.0, 48.0, 2.0)))  # a 4 m gap at x = 0
    assert check_layout(layout).ok
    grid = RoomGrid.from_layout(layout)
    x, y = 0.0, -40.0  # the spawn
    for s in range(1, 400):
        x, y, _, _ = apply_input(x, y, 0.0, Input(s=s, my=1.0, mx=0.0, run=True), 0.05, grid)
    assert y > 30.0  # walked through the gap to the stage front at y = 35
