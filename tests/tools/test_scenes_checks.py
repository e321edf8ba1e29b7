"""Scene checks: Khronos validator, budgets, reachability."""

import pytest

from tests.tools.conftest import REPRESENTATIVE, with_wrong_bounds
from tools.scenes.checks import MAX_BYTES, MAX_DRAW_CALLS, MAX_TRIANGLES, check_scenes, validate


def test_representative_styles_pass_every_check(all_scenes):
    reports = check_scenes([all_scenes / f"{p}.glb" for p in REPRESENTATIVE])
    for r in reports:
        assert r.errors == 0, r.messages
        assert r.triangles <= MAX_TRIANGLES and r.bytes <= MAX_BYTES and 0 < r.draw_calls <= MAX_DRAW_CALLS
        assert r.ok, r.problems


@pytest.mark.slow
def test_every_park_passes_the_validator_and_budgets(all_scenes):
    paths = sorted(all_scenes.glob("*.glb"))
    assert len(paths) == 26
    reports = check_scenes(paths)
    assert [r.path.stem for r in reports if not r.ok] == []


def test_the_validator_reports_errors_for_a_broken_file(tmp_path):
    bad = tmp_path / "bad.glb"
    good = (tmp_path / "good.glb")
    from tools.catalogue_files import load_catalogue
    from tools.scenes.assemble import build_scene

    glb = build_scene(load_catalogue().get("zuiku")).glb
    good.write_bytes(glb)
    bad.write_bytes(with_wrong_bounds(glb))
    verdicts = validate([good, bad])
    assert verdicts[str(good)]["errors"] == 0
    assert verdicts[str(bad)]["errors"] > 0


def test_relative_paths_are_validated_from_the_callers_folder(all_scenes, monkeypatch):
    monkeypatch.chdir(all_scenes)
    verdicts = validate([__import__("pathlib").Path("zuiku.glb")])
    assert verdicts["zuiku.glb"]["errors"] == 0


def test_every_scene_carries_its_policy_kiosk_as_a_node_and_in_the_layout(all_scenes):
    import json
    import struct

    from world.glb import layout_from_glb

    for path in sorted(all_scenes.glob("*.glb")):
        data = path.read_bytes()
        layout = layout_from_glb(data)
        assert layout.kiosk is not None, path.name
        length = struct.unpack_from("<I", data, 12)[0]
        gltf = json.loads(data[20:20 + length])
        nodes = [n for n in gltf["nodes"] if n.get("name") == "kiosk"]
        assert len(nodes) == 1, path.name
        x, _, z = nodes[0]["translation"]
        assert (round(x, 3), round(-z, 3)) == (layout.kiosk.x, layout.kiosk.y)
