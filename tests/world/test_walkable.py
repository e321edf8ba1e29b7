"""The walkable raster: where avatars may stand, and movement with collision."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.world.conftest import square_park
from world.geometry import box_ring, clockwise, counter_clockwise
from world.layout import Region
from world.walkable import WalkGrid


@pytest.fixture(scope="module")
def grid(walled_park):  # type: ignore[no-untyped-def]
    return WalkGrid.from_layout(walled_park)


def test_open_ground_walls_and_outside(grid: WalkGrid) -> None:
    assert grid.contains(0.0, 0.0)
    assert not grid.contains(10.0, 0.0)  # inside the thin wall
    assert not grid.contains(10.3, 0.0)  # within the avatar radius of it
    assert grid.contains(10.8, 0.0)
    assert not grid.contains(60.0, 0.0)  # off the site
    assert not grid.contains(49.9, 0.0)  # hugging the site edge: the body would stick out
    assert not grid.contains(math.nan, 0.0)


def test_holes_are_subtracted_and_radius_erodes() -> None:
    big = Region(counter_clockwise(box_ring(0, 0, 20, 20)), (clockwise(box_ring(0, 0, 4, 4)),))
    g0 = WalkGrid.from_regions((big,), radius=0.0)
    g1 = WalkGrid.from_regions((big,), radius=0.3)
    # at most one cell's width along the 96 m of edges is lost to edge cells
    assert 400 - 16 - 96 * 0.25 <= g0.walkable_area() <= 400 - 16
    assert g1.walkable_area() < g0.walkable_area() - 20  # eroded along 96 m of edges
    assert not g0.contains(0.0, 0.0)


def test_wall_stops_a_walker(grid: WalkGrid) -> None:
    x, y = 5.0, 0.0
    for _ in range(100):
        x, y = grid.move(x, y, 0.1, 0.0)
    assert 9.0 < x < 10.0 and y == 0.0


def test_slides_along_a_wall_when_moving_diagonally(grid: WalkGrid) -> None:
    x, y = 9.2, 0.0
    for _ in range(20):
        x, y = grid.move(x, y, 0.1, 0.1)
    assert x < 10.0
    assert y == pytest.approx(2.0)  # the y component kept going


def test_a_long_step_does_not_tunnel_through_a_thin_wall(grid: WalkGrid) -> None:
    x, y = grid.move(8.0, 0.0, 5.0, 0.0)
    assert x < 10.0


def test_cannot_squeeze_between_diagonal_wall_cells() -> None:
    g = WalkGrid(0.0, 0.0, 1.0, np.array([[1, 0], [0, 1]], dtype=np.uint8))
    assert g.move(0.9, 0.9, 0.2, 0.2) == (0.9, 0.9)


def test_unwalkable_start_can_only_step_onto_walkable_ground(grid: WalkGrid) -> None:
    assert grid.move(60.0, 0.0, 0.1, 0.0) == (60.0, 0.0)


def test_nearest_walkable(grid: WalkGrid) -> None:
    p = grid.nearest_walkable(10.0, 0.0)
    assert p is not None and grid.contains(*p) and abs(p[0] - 10.0) < 1.0
    assert grid.nearest_walkable(500.0, 500.0, max_distance=5.0) is None


coords = st.floats(-49.0, 49.0, allow_nan=False)
steps = st.floats(-3.0, 3.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(x=coords, y=coords, dx=steps, dy=steps)
def test_move_never_leaves_walkable_ground(grid: WalkGrid, x: float, y: float, dx: float, dy: float) -> None:
    if not grid.contains(x, y):
        return
    nx, ny = grid.move(x, y, dx, dy)
    assert grid.contains(nx, ny)
    assert math.hypot(nx - x, ny - y) <= math.hypot(dx, dy) + 1e-9


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(coords, coords, steps, steps), min_size=1, max_size=40))
def test_move_many_equals_move_exactly(grid: WalkGrid, cases: list[tuple[float, float, float, float]]) -> None:
    arr = np.array(cases, dtype=np.float64)
    xs, ys = grid.move_many(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])
    for (x, y, dx, dy), mx, my in zip(cases, xs.tolist(), ys.tolist(), strict=True):
        assert grid.move(x, y, dx, dy) == (mx, my)


def test_concave_site_is_rasterised_even_odd() -> None:
    # an L-shaped park: the notch is not walkable
    lay = square_park(size=40.0)
    ell = Region(counter_clockwise(((-20, -20), (20, -20), (20, 0), (0, 0), (0, 20), (-20, 20))))
    g = WalkGrid.from_regions((ell,))
    assert g.contains(-10, 10) and g.contains(10, -10)
    assert not g.contains(10, 10)
    assert lay.walkable  # the helper builds too


def _flood_areas(cells: np.ndarray) -> dict[tuple[int, int], int]:
    """Reference: breadth-first flood fill over edge neighbours."""
    area: dict[tuple[int, int], int] = {}
    rows, cols = cells.shape
    for start in zip(*np.nonzero(cells), strict=True):
        if start in area:
            continue
        label = len(set(area.values()))
        todo = [start]
        area[start] = label
        while todo:
            i, j = todo.pop()
            for ni, nj in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
                if 0 <= ni < rows and 0 <= nj < cols and cells[ni, nj] and (ni, nj) not in area:
                    area[(ni, nj)] = label
                    todo.append((ni, nj))
    return area


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 14).flatmap(lambda r: st.integers(1, 14).flatmap(
    lambda c: st.lists(st.integers(0, 1), min_size=r * c, max_size=r * c).map(
        lambda v: np.array(v, dtype=np.uint8).reshape(r, c)))))
def test_components_are_the_areas_a_flood_fill_finds(cells: np.ndarray) -> None:
    g = WalkGrid(0.0, 0.0, 1.0, cells)
    areas = g.components()
    expected = _flood_areas(cells)
    assert areas.count == len(set(expected.values()))
    found = {(i, j): areas.at(j + 0.5, i + 0.5) for i in range(cells.shape[0]) for j in range(cells.shape[1])}
    for cell, label in found.items():
        assert (label is None) == (cell not in expected)
    pairs = [(a, b) for a in expected for b in expected]
    assert all((expected[a] == expected[b]) == (found[a] == found[b]) for a, b in pairs)
