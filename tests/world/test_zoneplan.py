"""The zone plan: catalogue locations projected with north up and east right, in the box."""

from __future__ import annotations

import pytest

from world.catalogue import Area, CatalogueError, Location, Park, parse_park
from world.zoneplan import zone_plan


def _park(pid: str, lat: float | None = None, lon: float | None = None) -> Park:
    loc = Location(lat, lon, True, "test") if lat is not None and lon is not None else None
    return Park(pid, pid, pid, Area(40_000, "site"), "warehouse", ("test",), location=loc)


def test_north_is_up_east_is_right_and_the_plan_fits_its_box() -> None:
    plan = zone_plan([_park("west", 39.90, 116.45), _park("nowhere"), _park("north-east", 39.98, 116.60)],
                     width=300, margin=20)
    west, ne = plan.points
    assert (west.number, ne.number) == (1, 3) and plan.unplaced == ("nowhere",)
    assert ne.x > west.x and ne.y < west.y
    for pt in plan.points:
        assert 20 <= pt.x <= 280 and 20 <= pt.y <= plan.height - 20
    # about 12.8 km east-west at this latitude spans the 260 px drawing
    assert plan.px_per_km == pytest.approx(260 / 12.8, rel=0.02) and plan.estimated


def test_no_locations_no_points() -> None:
    plan = zone_plan([_park("a")])
    assert plan.points == () and plan.unplaced == ("a",)


BASE = 'id = "p"\nname_zh = "园"\nname_en = "P"\nstyle = "warehouse"\nsources = ["s"]\n'


def test_a_location_is_checked_and_an_estimate_must_say_how_it_was_found() -> None:
    park = parse_park("p.toml", BASE + 'location = { lat = 39.98, lon = 116.49, estimated = true, basis = "map" }\n')
    assert park.location == Location(39.98, 116.49, True, "map")
    with pytest.raises(CatalogueError) as err:
        parse_park("p.toml", BASE + "location = { lat = 116.49, lon = 39.98, estimated = true }\n")
    fields = {f for _, f, _ in err.value.problems}
    assert fields == {"location.lat", "location.lon", "location.basis"}


def test_dots_at_one_spot_are_pushed_apart_to_stay_readable() -> None:
    plan = zone_plan([_park("a", 39.90, 116.45), _park("b", 39.90, 116.45), _park("c", 39.98, 116.60)], gap=19)
    a, b, _ = plan.points
    assert ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5 >= 18.9
    assert plan == zone_plan([_park("a", 39.90, 116.45), _park("b", 39.90, 116.45), _park("c", 39.98, 116.60)])
