"""Geometry helpers: rectangles, rings, point-in-polygon."""

import math

from hypothesis import given
from hypothesis import strategies as st

from world.geometry import (
    Rect,
    ahead,
    box_ring,
    centroid,
    circle_ring,
    clockwise,
    counter_clockwise,
    point_in_region,
    point_in_ring,
    rotate,
    signed_area,
)

coord = st.floats(-500, 500, allow_nan=False)
size = st.floats(0.5, 200, allow_nan=False)
angle = st.floats(-2 * math.pi, 2 * math.pi, allow_nan=False)


@given(coord, coord, size, size, angle)
def test_box_ring_is_counter_clockwise_with_area_width_times_depth(x, y, w, d, a):
    ring = box_ring(x, y, w, d, a)
    assert math.isclose(signed_area(ring), w * d, rel_tol=1e-6)
    assert math.isclose(centroid(ring)[0], x, abs_tol=1e-6)
    assert math.isclose(centroid(ring)[1], y, abs_tol=1e-6)


@given(coord, coord, size, size, angle)
def test_a_box_contains_its_centre_and_not_a_point_beyond_its_reach(x, y, w, d, a):
    ring = box_ring(x, y, w, d, a)
    assert point_in_ring((x, y), ring)
    far = ahead(x, y, a, math.hypot(w, d))
    assert not point_in_ring(far, ring)


@given(coord, coord, size, size, angle, angle)
def test_rotating_a_point_keeps_it_inside_the_equally_rotated_box(x, y, w, d, a, b):
    inner = ahead(x, y, a, 0.4 * d)  # along the box's facing, inside its depth
    turned = rotate(inner, b, (x, y))
    assert point_in_ring(turned, box_ring(x, y, w, d, a + b))


@given(st.lists(st.tuples(coord, coord), min_size=3, max_size=12))
def test_orientation_helpers_give_the_requested_winding(points):
    ring = tuple(points)
    assert signed_area(counter_clockwise(ring)) >= -1e-6  # a degenerate (zero-area) ring may round either way
    assert signed_area(clockwise(ring)) <= 1e-6
    assert math.isclose(abs(signed_area(ring)), abs(signed_area(clockwise(ring))), abs_tol=1e-6)


@given(coord, coord, st.floats(1, 100), st.integers(6, 32))
def test_circle_ring_contains_the_circle(x, y, r, sides):
    ring = circle_ring(x, y, r, sides)
    assert signed_area(ring) >= math.pi * r * r * 0.999
    for k in range(8):
        assert point_in_ring(ahead(x, y, k * math.pi / 4, r * 0.999), ring)


def test_point_in_region_excludes_holes():
    outer = Rect(0, 0, 10, 10).ring()
    hole = clockwise(Rect(0, 0, 2, 2).ring())
    assert point_in_region((3, 3), outer, (hole,))
    assert not point_in_region((0, 0), outer, (hole,))
    assert not point_in_region((20, 0), outer, (hole,))


@given(coord, coord, size, size, coord, coord, size, size)
def test_rect_overlap_is_symmetric_and_matches_interval_overlap(x, y, w, d, x2, y2, w2, d2):
    a, b = Rect(x, y, w, d), Rect(x2, y2, w2, d2)
    assert a.overlaps(b) == b.overlaps(a)
    apart = a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0
    assert a.overlaps(b) == (not apart)
    assert a.grown(1.0).contains_rect(a)
