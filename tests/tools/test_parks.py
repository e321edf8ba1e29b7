"""`cloudpark parks`: the catalogue is a faithful seed of the public facts, and the CLI shows it."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tools.cli import main
from tools.parks import seed_entry, style_for, venue_kind_for
from world.catalogue import DEFAULT_CATALOGUE_DIR, parse_catalogue

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "parks.json"


@pytest.fixture(scope="module")
def public_facts() -> dict:
    if not SHARED.exists():
        pytest.fail(f"public facts file missing at {SHARED}")
    return json.loads(SHARED.read_text(encoding="utf-8"))


def test_every_public_park_is_in_the_catalogue_with_its_facts_and_sources(public_facts: dict) -> None:
    for entry in public_facts["parks"]:
        path = DEFAULT_CATALOGUE_DIR / f"{entry['id']}.toml"
        assert path.exists(), f"{entry['id']} missing from the catalogue"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert data["name_zh"] == entry["name_zh"] and data["name_en"] == entry["name_en"]
        assert data["sources"] == entry["sources"]
        assert data.get("former_use") == entry.get("former_use")
        assert data.get("focus") == entry.get("focus")
        if entry["area_m2"]:
            assert data["area"]["m2"] == entry["area_m2"] and not data["area"].get("estimated", False)
        else:
            assert data["area"]["estimated"] is True


def test_seeding_writes_files_the_loader_accepts(tmp_path: Path, public_facts: dict) -> None:
    assert main(["parks", "seed", str(SHARED), "--out", str(tmp_path)]) == 0
    files = {str(p): p.read_text(encoding="utf-8") for p in tmp_path.glob("*.toml")}
    assert len(parse_catalogue(files)) == len(public_facts["parks"])
    # a second seed keeps the park offices' edits unless forced
    (tmp_path / "zuiku.toml").write_text(files[str(tmp_path / "zuiku.toml")].replace("Zuiku", "Zuiku (edited)"))
    main(["parks", "seed", str(SHARED), "--out", str(tmp_path)])
    assert "Zuiku (edited)" in (tmp_path / "zuiku.toml").read_text()


def test_styles_follow_former_use() -> None:
    assert style_for("718 Joint Factory (electronics); sawtooth-roof Bauhaus halls") == "sawtooth"
    assert style_for("gas works: gas holders") == "gasworks"
    assert style_for("cement works: 46 cement silos") == "silo"
    assert style_for("Beijing No. 2 cotton mill") == "mill"
    assert style_for("grain depot") == "warehouse"
    assert style_for(None) == "campus"
    assert venue_kind_for("mini theatre") == "theatre"
    assert venue_kind_for("conference centre with 13 meeting rooms") == "meeting"


def test_venues_named_as_nearby_are_not_put_inside_the_park() -> None:
    entry = {"id": "x", "name_zh": "x", "name_en": "x", "venues": ["Today Art Museum nearby"], "sources": ["s"]}
    venues = seed_entry(entry)["venues"]
    assert all(v.get("estimated") for v in venues)


def test_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parks", "list"]) == 0
    out = capsys.readouterr().out
    assert "798-art-zone" in out and "26 parks" in out
    assert main(["parks", "show", "751-d-park", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["style"] == "gasworks" and shown["venues"][0]["kind"] == "theatre"
    assert main(["parks", "show", "no-such-park"]) == 1
    assert "no park 'no-such-park'" in capsys.readouterr().err


def test_a_broken_catalogue_is_reported_not_half_loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.toml").write_text('id = "a"\nname_zh = "甲"\nname_en = "A"\nstyle = "campus"\nsources = ["s"]\n[area]\nm2 = -1\nkind = "site"\n')
    with pytest.raises(SystemExit) as info:
        main(["parks", "--catalogue", str(tmp_path), "list"])
    assert info.value.code == 1
    assert "a.toml: area.m2: must be positive" in capsys.readouterr().err
