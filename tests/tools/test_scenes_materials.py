"""The palette is authored in sRGB and written to the .glb in linear light, as glTF requires."""

import numpy as np
import pytest

from tools.catalogue_files import load_catalogue
from tools.scenes.assemble import build_scene
from tools.scenes.materials import MATERIALS, SRGB_TO_LINEAR_U8, linear_rgb, srgb_to_linear
from world.glb import read_glb

UNSIGNED_BYTE = 5121


@pytest.fixture(scope="module")
def scene() -> tuple[dict, bytes]:  # type: ignore[type-arg]
    return read_glb(build_scene(load_catalogue().get("798-art-zone")).glb)


def _material(doc: dict, name: str) -> dict:  # type: ignore[type-arg]
    [m] = [m for m in doc["materials"] if m["name"] == name]
    return m


def _colours(doc: dict, binary: bytes, accessor: int) -> np.ndarray:  # type: ignore[type-arg]
    acc = doc["accessors"][accessor]
    view = doc["bufferViews"][acc["bufferView"]]
    assert acc["componentType"] == UNSIGNED_BYTE and acc["type"] == "VEC4" and acc["normalized"] is True
    start = view.get("byteOffset", 0) + acc.get("byteOffset", 0)
    return np.frombuffer(binary, dtype=np.uint8, count=acc["count"] * 4, offset=start).reshape(-1, 4)


def test_the_srgb_eotf_matches_the_standard() -> None:
    assert srgb_to_linear(0.0) == 0.0 and srgb_to_linear(1.0) == pytest.approx(1.0)
    assert srgb_to_linear(0.5) == pytest.approx(0.2140, abs=1e-4)
    assert srgb_to_linear(0.04) == pytest.approx(0.04 / 12.92)  # the linear toe
    assert SRGB_TO_LINEAR_U8[0] == 0 and SRGB_TO_LINEAR_U8[255] == 255 and SRGB_TO_LINEAR_U8[128] == 55
    assert list(SRGB_TO_LINEAR_U8) == sorted(SRGB_TO_LINEAR_U8)


def test_the_plaza_paving_colour_is_written_linear(scene) -> None:  # type: ignore[no-untyped-def]
    doc, _ = scene
    srgb = MATERIALS["plaza"].color
    factor = _material(doc, "plaza")["pbrMetallicRoughness"]["baseColorFactor"]
    assert factor == pytest.approx([srgb_to_linear(c) for c in srgb[:3]] + [1.0], abs=1e-6)
    assert factor[0] == pytest.approx(0.448, abs=0.001)  # sRGB 0.70 is 0.448 in linear light
    assert factor != pytest.approx(list(srgb), abs=0.01)  # not the sRGB value as if it were linear


def test_every_material_factor_is_the_linear_form_of_its_srgb_definition(scene) -> None:  # type: ignore[no-untyped-def]
    doc, _ = scene
    for m in doc["materials"]:
        defined = MATERIALS[m["name"]]
        assert m["pbrMetallicRoughness"]["baseColorFactor"] == linear_rgb(defined.color), m["name"]
        if defined.emissive is not None:
            assert m["emissiveFactor"] == linear_rgb(defined.emissive), m["name"]


def test_the_screen_texture_stays_srgb_and_its_emission_factor_is_linear(scene) -> None:  # type: ignore[no-untyped-def]
    doc, _ = scene
    screen = _material(doc, "screen")
    assert "baseColorTexture" in screen["pbrMetallicRoughness"]  # PNG bytes: sRGB, decoded by the viewer
    assert screen["emissiveFactor"] == pytest.approx([srgb_to_linear(0.9)] * 3, abs=1e-6)


def test_vertex_shades_are_written_linear(scene) -> None:  # type: ignore[no-untyped-def]
    doc, binary = scene
    ground = next(m for m in doc["meshes"] if m["name"] == "ground")
    grass = _material_index(doc, "grass")
    first = next(p for p in ground["primitives"] if p["material"] == grass)  # the outer lawn, shaded
    colours = _colours(doc, binary, first["attributes"]["COLOR_0"])
    srgb = (200, 215, 190)  # assemble._ground's outer lawn shade
    assert tuple(colours[0]) == (SRGB_TO_LINEAR_U8[200], SRGB_TO_LINEAR_U8[215], SRGB_TO_LINEAR_U8[190], 255)
    assert tuple(colours[0][:3]) != srgb
    plain = next(p for p in ground["primitives"] if p["material"] == _material_index(doc, "plaza"))
    assert (_colours(doc, binary, plain["attributes"]["COLOR_0"]) == 255).all()  # white stays white


def _material_index(doc: dict, name: str) -> int:  # type: ignore[type-arg]
    return next(i for i, m in enumerate(doc["materials"]) if m["name"] == name)
