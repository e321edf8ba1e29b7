"""Catalogue entries written back as TOML: the shipped files' own layout, byte for byte."""

from __future__ import annotations

import tomllib

import pytest

from world.catalogue import BUILDING_STYLES, DEFAULT_CATALOGUE_DIR, parse_park
from world.catalogue_toml import entry_text, header_for, split_header


def test_every_shipped_entry_is_written_back_byte_for_byte() -> None:
    files = sorted(DEFAULT_CATALOGUE_DIR.glob("*.toml"))
    assert len(files) >= 26
    for path in files:
        text = path.read_text(encoding="utf-8")
        header, body = split_header(text)
        assert header.startswith("# Cloud Park catalogue entry:"), path.name
        assert entry_text(tomllib.loads(body), header) == text, path.name


def test_an_edited_entry_parses_to_what_was_written() -> None:
    raw = {"id": "new-park", "name_zh": "新园 \"引号\"", "name_en": "New\\Park\tA", "style": "mill",
           "sources": ["park office"], "location": {"lat": 39.9, "lon": 116.51234567, "estimated": False},
           "venues": [{"id": "hall-1", "name": "Hall", "kind": "hall", "capacity": 120, "building": "B2"}],
           "area": {"m2": 12_500.5, "kind": "site"}, "focus": []}
    text = entry_text(raw, header_for("New Park", "新园", "Proposed in the park console.", BUILDING_STYLES))
    park = parse_park("new-park.toml", text)
    assert park.name_zh == '新园 "引号"' and park.name_en == "New\\Park\tA"
    assert park.location is not None and park.location.lat == 39.9 and park.location.lon == 116.51234567
    assert park.venues[0].building == "B2" and park.venues[0].capacity == 120
    assert park.area.m2 == 12_500.5
    assert 'lat = 39.9000' in text and text.index("[area]") > text.index("venues")


def test_values_toml_cannot_hold_are_refused() -> None:
    with pytest.raises(ValueError):
        entry_text({"area": {"m2": float("nan")}}, "")
    with pytest.raises(TypeError):
        entry_text({"id": object()}, "")
