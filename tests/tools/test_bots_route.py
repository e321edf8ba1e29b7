"""Bot itineraries: waypoints stand on walkable ground, shapes crowd where they should."""

from __future__ import annotations

import random

import pytest

from tools.bots.route import Itinerary, steer
from tools.catalogue_files import load_catalogue
from world.geometry import point_in_region, point_in_ring
from world.siteplan import plan_park


@pytest.fixture(scope="module")
def layout():
    return plan_park(load_catalogue().get("798-art-zone")).layout


def _walkable(layout, x, y) -> bool:
    return any(point_in_region((x, y), r.outer, r.holes) for r in layout.walkable)


def test_tour_waypoints_are_walkable_and_visit_booths_and_the_stage(layout) -> None:
    points = []
    for i in range(40):
        it = Itinerary(layout, "tour", random.Random(i))
        points += [it.next() for _ in range(10)]
    zones = [b.zone for b in layout.booths] + [layout.stage.audience]
    assert all(_walkable(layout, p.x, p.y) or any(point_in_ring((p.x, p.y), z) for z in zones) for p in points)
    at_booths = [p for p in points if p.booth]
    assert at_booths and all(p.linger > 0 for p in at_booths)
    in_audience = [p for p in points if point_in_ring((p.x, p.y), layout.stage.audience)]
    assert 0 < len(in_audience) < len(points) / 2  # a tour spreads out


def test_showcase_packs_most_visitors_in_the_audience(layout) -> None:
    firsts = [Itinerary(layout, "showcase", random.Random(i)).start() for i in range(200)]
    inside = sum(point_in_ring((p.x, p.y), layout.stage.audience) for p in firsts)
    assert inside > 0.7 * len(firsts)


def test_same_seed_same_route(layout) -> None:
    a = Itinerary(layout, "tour", random.Random(7))
    b = Itinerary(layout, "tour", random.Random(7))
    assert [a.next() for _ in range(20)] == [b.next() for _ in range(20)]


def test_unknown_shape_is_refused_by_name(layout) -> None:
    with pytest.raises(ValueError, match="unknown crowd shape 'parade'"):
        Itinerary(layout, "parade", random.Random(1))


def test_steer_points_at_the_goal_and_stops_on_arrival(layout) -> None:
    goal = Itinerary(layout, "tour", random.Random(3)).next()
    mx, my, _ = steer(goal.x - 10.0, goal.y, goal)
    assert (round(mx, 6), round(my, 6)) == (1.0, 0.0)
    assert steer(goal.x + 0.2, goal.y, goal)[:2] == (0.0, 0.0)
