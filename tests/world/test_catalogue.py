"""The park catalogue: the seeded parks load, and every kind of broken file is refused precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from world.catalogue import (
    DEFAULT_CATALOGUE_DIR,
    CatalogueError,
    parse_catalogue,
    parse_park,
)

GOOD = """
id = "test-park"
name_zh = "测试园"
name_en = "Test Park"
style = "warehouse"
focus = ["design"]
sources = ["a public report"]
venues = [{ id = "gallery-1", name = "Gallery", kind = "gallery" }]

[area]
m2 = 50000
kind = "site"
"""


def catalogue_files() -> dict[str, str]:
    return {str(p): p.read_text(encoding="utf-8") for p in sorted(DEFAULT_CATALOGUE_DIR.glob("*.toml"))}


def problems_of(text: str, name: str = "test-park.toml") -> list[tuple[str, str, str]]:
    with pytest.raises(CatalogueError) as info:
        parse_park(name, text)
    return info.value.problems


def test_the_seeded_catalogue_loads_every_park_with_sources() -> None:
    cat = parse_catalogue(catalogue_files())
    assert len(cat) == 26
    for park in cat:
        assert park.sources, park.id
        assert park.name_zh and park.name_en
        assert park.venues, f"{park.id} has no bookable spaces"


def test_known_facts_survive_seeding() -> None:
    cat = parse_catalogue(catalogue_files())
    p798 = cat.get("798-art-zone")
    assert p798.name_zh == "798艺术区"
    assert p798.area.m2 == 600_000 and p798.area.kind == "site" and not p798.area.estimated
    assert p798.style == "sawtooth"
    assert cat.get("751-d-park").style == "gasworks"
    assert cat.get("sailong").style == "silo"
    assert "China Fashion Week (March and November)" in cat.get("751-d-park").events


def test_missing_facts_are_explicit_estimates_not_inventions() -> None:
    cat = parse_catalogue(catalogue_files())
    zuiku = cat.get("zuiku")
    assert zuiku.area.estimated and zuiku.area.basis
    assert all(v.estimated for v in zuiku.venues)
    # a building (floor) area is turned into a site estimate, and says so
    station = cat.get("tongniu-film")
    assert station.area.kind == "building" and station.area.site_is_estimate
    assert station.area.site_m2 > station.area.m2


def test_a_good_file_parses() -> None:
    park = parse_park("test-park.toml", GOOD)
    assert park.id == "test-park" and park.area.m2 == 50_000 and park.venues[0].kind == "gallery"


def test_omitted_area_gets_a_marked_default() -> None:
    text = GOOD.split("[area]")[0]
    park = parse_park("test-park.toml", text)
    assert park.area.estimated and "no public figure" in park.area.basis


def test_negative_area_is_refused_naming_the_field() -> None:
    probs = problems_of(GOOD.replace("m2 = 50000", "m2 = -5"))
    assert ("test-park.toml", "area.m2", "must be positive, got -5") in probs


def test_unknown_field_is_refused() -> None:
    probs = problems_of(GOOD.replace("[area]", 'colour = "red"\n[area]\nheight = 3'))
    fields = {f: p for _, f, p in probs}
    assert "unknown field" in fields["colour"]
    assert "unknown field" in fields["area.height"]


def test_bad_type_is_refused() -> None:
    probs = problems_of(GOOD.replace('focus = ["design"]', "focus = 3"))
    assert ("test-park.toml", "focus", "must be a list of strings") in probs


def test_unquoted_year_is_explained() -> None:
    probs = problems_of(GOOD.replace('style = "warehouse"', 'style = "warehouse"\nopened = 2002'))
    assert any(f == "opened" and "quote it" in p for _, f, p in probs)


def test_unknown_style_and_venue_kind_list_the_choices() -> None:
    probs = problems_of(GOOD.replace('"warehouse"', '"castle"').replace('kind = "gallery"', 'kind = "spa"'))
    fields = {f for _, f, _ in probs}
    assert {"style", "venues[0].kind"} <= fields
    assert any("sawtooth" in p for _, _, p in probs)


def test_invalid_toml_names_the_file() -> None:
    probs = problems_of("id = \n", "broken.toml")
    assert probs[0][0] == "broken.toml" and "not valid TOML" in probs[0][2]


def test_id_must_match_the_file_name() -> None:
    probs = problems_of(GOOD, "other-name.toml")
    assert any(f == "id" and "does not match the file name" in p for _, f, p in probs)


def test_estimate_without_basis_is_refused() -> None:
    probs = problems_of(GOOD.replace('kind = "site"', 'kind = "site"\nestimated = true'))
    assert any(f == "area.basis" for _, f, _ in probs)


def test_missing_sources_are_refused() -> None:
    probs = problems_of(GOOD.replace('sources = ["a public report"]', ""))
    assert any(f == "sources" for _, f, _ in probs)


def test_duplicate_venue_ids_are_refused() -> None:
    text = GOOD.replace(
        'venues = [{ id = "gallery-1", name = "Gallery", kind = "gallery" }]',
        'venues = [{ id = "v-1", name = "A", kind = "gallery" }, { id = "v-1", name = "B", kind = "hall" }]',
    )
    probs = problems_of(text)
    assert any(f == "venues[1].id" and "duplicate" in p for _, f, p in probs)


def test_duplicate_park_ids_across_folders_are_refused() -> None:
    with pytest.raises(CatalogueError) as info:
        parse_catalogue({"a/test-park.toml": GOOD, "b/test-park.toml": GOOD})
    assert any("duplicate park id" in p for _, _, p in info.value.problems)


def test_one_broken_file_loads_nothing_and_names_every_problem() -> None:
    files = catalogue_files()
    files[str(Path("bad/zz-broken.toml"))] = GOOD.replace('"test-park"', '"zz-broken"').replace("m2 = 50000", "m2 = 0")
    files[str(Path("bad/zz-worse.toml"))] = "name_en = 5"
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(files)
    named = {Path(f).name for f, _, _ in info.value.problems}
    assert named == {"zz-broken.toml", "zz-worse.toml"}
    message = str(info.value)
    assert "zz-worse.toml: name_en: must be a string, got int" in message


def test_an_empty_catalogue_is_an_error() -> None:
    with pytest.raises(CatalogueError, match="no park files"):
        parse_catalogue({})
