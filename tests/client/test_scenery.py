"""Scene colours on the shading paths without a tone map: the .glb's linear colours go back to sRGB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from panda3d.core import GeomVertexReader, NodePath

from client.colour import srgb_to_linear
from client.scenery import to_srgb

PARK = "zuiku"
PLAZA_SRGB = (0.70, 0.48, 0.38)  # tools/scenes/materials.py, the plaza pavers as picked
LAWN_SRGB = (200, 215, 190)  # the outer lawn's vertex shade, as picked


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenes")
    exe = Path(sys.executable).with_name("cloudpark")
    subprocess.run([str(exe), "scenes", "build", "--out", str(out), "--park", PARK],
                   check=True, capture_output=True, timeout=600)
    return out / f"{PARK}.glb"


def _load(path: Path) -> NodePath:
    import gltf

    return NodePath(gltf.load_model(str(path)))


def _vertex_colours(model: NodePath) -> set[tuple[int, int, int]]:
    seen = set()
    for gnp in model.findAllMatches("**/+GeomNode"):
        node = gnp.node()
        for i in range(node.getNumGeoms()):
            reader = GeomVertexReader(node.getGeom(i).getVertexData(), "color")
            while not reader.isAtEnd():
                c = reader.getData4()
                seen.add(tuple(round(v * 255) for v in (c[0], c[1], c[2])))
    return seen


def test_the_scene_arrives_linear_and_goes_back_to_the_srgb_palette(scene: Path) -> None:
    model = _load(scene)
    plaza = next(m for m in model.findAllMaterials() if m.getName().startswith("plaza"))
    loaded = plaza.getBaseColor()
    assert [loaded[i] for i in range(3)] == pytest.approx([srgb_to_linear(c) for c in PLAZA_SRGB], abs=1e-4)
    assert to_srgb(model) > 0
    back = plaza.getBaseColor()
    assert [back[i] for i in range(3)] == pytest.approx(PLAZA_SRGB, abs=1e-4)
    colours = _vertex_colours(model)
    assert any(np.abs(np.subtract(c, LAWN_SRGB)).max() <= 1 for c in colours)


def test_converting_twice_changes_nothing_more(scene: Path) -> None:
    model = _load(scene)
    to_srgb(model)
    once = _vertex_colours(model), [tuple(m.getBaseColor()) for m in model.findAllMaterials()]
    assert to_srgb(model) == 0  # every vertex table is marked as done
    assert (_vertex_colours(model), [tuple(m.getBaseColor()) for m in model.findAllMaterials()]) == once
