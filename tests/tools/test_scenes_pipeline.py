"""Building scenes: determinism, the layout round trip, the manifest cache."""

import hashlib
import json

from tools.catalogue_files import load_catalogue
from tools.scenes.assemble import build_scene
from tools.scenes.pipeline import build_parks
from world.glb import layout_from_glb, read_glb
from world.siteplan import plan_park


def test_the_same_catalogue_gives_byte_identical_scenes():
    park = load_catalogue().get("sailong")
    assert build_scene(park).glb == build_scene(park).glb


def test_the_layout_reads_back_from_the_glb_unchanged():
    park = load_catalogue().get("751-d-park")
    layout = layout_from_glb(build_scene(park).glb)
    assert layout == plan_park(park).layout


def test_named_nodes_carry_their_metadata():
    park = load_catalogue().get("798-art-zone")
    doc, _ = read_glb(build_scene(park).glb)
    nodes = {n.get("name"): n for n in doc["nodes"]}
    b = nodes["booth:b01"]["extras"]
    assert set(b) == {"id", "width", "depth", "facing"} and b["id"] == "b01"
    assert sum(1 for name in nodes if name and name.startswith("booth:")) >= 12
    assert "stage" in nodes and "stage_screen" in nodes
    screen = nodes["stage_screen"]
    mesh = doc["meshes"][screen["mesh"]]
    assert mesh["name"] == "stage_screen" and "TEXCOORD_0" in mesh["primitives"][0]["attributes"]
    space = nodes["space:gallery-1"]["extras"]
    assert space["id"] == "gallery-1" and space["kind"] == "gallery" and space["estimated"] is False
    assert all(f"spawn:s{i}" in nodes for i in range(1, 7))
    trees = [n for n in doc["nodes"] if n.get("name") == "tree"]
    assert len(trees) > 10 and len({n["mesh"] for n in trees}) == 1  # one mesh, many nodes
    assert "uri" not in json.dumps(doc["buffers"]) and all("uri" not in i for i in doc.get("images", []))


def test_the_manifest_records_hashes_and_skips_up_to_date_parks(tmp_path):
    first = build_parks(tmp_path, ["zuiku"])
    assert first[0].rebuilt
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    entry = manifest["parks"]["zuiku"]
    data = (tmp_path / "zuiku.glb").read_bytes()
    assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
    assert entry["builder"] and entry["catalogue_sha256"] and entry["triangles"] > 0
    assert not build_parks(tmp_path, ["zuiku"])[0].rebuilt
    assert build_parks(tmp_path, ["zuiku"], force=True)[0].rebuilt
    assert (tmp_path / "zuiku.glb").read_bytes() == data
