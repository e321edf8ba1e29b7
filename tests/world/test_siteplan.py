"""Site plans for every park in the catalogue: booths, stage, spaces, spawns, holes."""

import math

import pytest

from world.catalogue import DEFAULT_CATALOGUE_DIR, parse_catalogue
from world.geometry import bounds, point_in_ring, signed_area
from world.layout import ParkLayout
from world.reachability import check_layout
from world.siteplan import plan_park, site_size

CATALOGUE = parse_catalogue(
    {str(p): p.read_text(encoding="utf-8") for p in sorted(DEFAULT_CATALOGUE_DIR.glob("*.toml"))})
PARKS = {p.id: p for p in CATALOGUE}


@pytest.fixture(scope="module", params=sorted(PARKS))
def plan(request):
    return plan_park(PARKS[request.param])


def test_the_site_has_the_parks_area_and_aspect():
    w, d = site_size(600_000)
    assert math.isclose(w * d, 600_000, rel_tol=1e-4)
    assert math.isclose(w / d, 1.3, rel_tol=1e-3)


def test_every_park_has_booths_a_stage_spaces_and_spawns(plan):
    park = PARKS[plan.park_id]
    layout = plan.layout
    assert len(layout.booths) >= 12
    assert len({b.id for b in layout.booths}) == len(layout.booths)
    assert [s.id for s in layout.spaces] == [v.id for v in park.venues]
    assert all(s.estimated == v.estimated for s, v in zip(layout.spaces, park.venues, strict=True))
    assert len(layout.spawns) >= 2
    assert layout.stage.screen_width > 0


def test_everything_is_reachable_from_a_spawn(plan):
    report = check_layout(plan.layout)
    assert report.ok, report.problems


def test_holes_are_clockwise_disjoint_and_inside_the_site_with_a_margin(plan):
    holes = plan.holes()
    boxes = [bounds(h) for h in holes]
    site = plan.site.grown(-1.0)
    for h, b in zip(holes, boxes, strict=True):
        assert signed_area(h) < 0
        assert site.contains_rect(b)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.grown(0.4).overlaps(b), (a, b)


def test_buildings_follow_the_parks_style():
    kinds = {pid: {b.kind for b in plan_park(p).buildings} | {b.roof for b in plan_park(p).buildings}
             for pid, p in PARKS.items()}
    assert "sawtooth" in kinds["798-art-zone"]
    assert "gas-holder" in kinds["751-d-park"]
    assert "silos" in kinds["sailong"]
    assert "multigable" in kinds["laijin"]
    assert "gable" in kinds["898-innovation-valley"]


def test_a_space_entrance_is_not_inside_its_own_building(plan):
    for space in plan.layout.spaces:
        solid = any(b.space_id == space.id and b.solid for b in plan.buildings)
        assert point_in_ring(space.entrance, space.footprint) is not solid


def test_the_plan_is_deterministic_and_survives_the_layout_round_trip(plan):
    again = plan_park(PARKS[plan.park_id])
    assert again == plan
    assert ParkLayout.from_dict(plan.layout.to_dict()) == plan.layout


def test_a_very_large_site_keeps_a_bounded_number_of_buildings():
    assert len(plan_park(PARKS["798-art-zone"]).buildings) <= 120


def test_every_park_has_a_policy_kiosk_by_the_plaza_entrance_facing_the_path(plan):
    kiosk = plan.layout.kiosk
    assert kiosk is not None
    half = plan.layout.plaza_radius
    # inside the plaza, near its south (gate) edge, beside the boulevard, facing it
    assert -half < kiosk.y < -half + 10 and -10 < kiosk.x < 0 and kiosk.facing == 0.0
    cx = sum(x for x, _ in kiosk.zone) / len(kiosk.zone)
    assert cx > kiosk.x  # the zone lies in front of it, on the path side
    # nobody spawns in it, and no booth zone or stand overlaps it
    assert not any(point_in_ring((s.x, s.y), kiosk.zone) for s in plan.layout.spawns)
    zone = bounds(kiosk.zone)
    for b in plan.layout.booths:
        assert not zone.overlaps(bounds(b.zone))
    # its stand is a hole in the walkable ground (avatars walk around it)
    assert any(point_in_ring((kiosk.x, kiosk.y), h) for h in plan.holes())
    # a layout without a kiosk (a scene built before it) still reads
    data = plan.layout.to_dict()
    data.pop("kiosk")
    assert ParkLayout.from_dict(data).kiosk is None
