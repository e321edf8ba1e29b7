"""``tools/webxr/export.py``: the static folder is complete, offline and relative."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.webxr.scene import build_glb, park_layout
from tools.webxr.export import (
    TEMPLATE,
    TITLE_MARK,
    ExportError,
    export_all,
    export_park,
    publish_web,
)

VALIDATE = """
import { readFileSync } from "node:fs";
import { validateBytes } from "gltf-validator";
const r = await validateBytes(new Uint8Array(readFileSync(process.argv[2])));
process.stdout.write(JSON.stringify(r.issues));
"""


def config_of(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="cloudpark-config">(.*?)</script>', page, re.S)
    assert m, "the page carries its config"
    return json.loads(m.group(1))


def test_one_park_exports_a_self_contained_relative_folder(exported) -> None:
    out = exported.out
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "THIRD_PARTY_LICENSES.txt", "app.css", "app.js", "index.html", "test-park.glb"]
    page = (out / "index.html").read_text(encoding="utf-8")
    config = config_of(page)
    texts = config.pop("texts")
    # the hash the world server names the scene by: a joined naming another one swaps it
    assert config.pop("scene_hash") == hashlib.sha256((out / "test-park.glb").read_bytes()).hexdigest()
    assert config == {"park": "test-park", "glb": "test-park.glb", "server": "", "title": "test-park", "title_zh": "",
                      "lang": "", "web_session": ""}  # the web app fills in lang and web_session
    assert texts["zh"]["client.booth.like"] == "点赞" and texts["en"]["client.booth.like"] == "Like"  # both languages
    # No CDN, no absolute paths: every src/href is relative (or inline data).
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert refs and all(not re.match(r"^(https?:)?//|^/", r) for r in refs), refs
    bundle = (out / "app.js").read_text(encoding="utf-8")
    assert not re.search(r"""(import|from)\s*["'](https?:|/)""", bundle), "the bundle imports nothing from outside"
    assert "WebGLRenderer" in bundle or "webgl" in bundle.lower()  # three.js is inside
    assert exported.bundle_bytes == (out / "app.js").stat().st_size


def test_the_exported_glb_passes_the_khronos_validator(exported, tmp_path: Path) -> None:
    script = tmp_path / "validate.mjs"
    script.write_text(VALIDATE, encoding="utf-8")
    node_modules = Path("tools/node/node_modules").resolve()
    (tmp_path / "node_modules").symlink_to(node_modules)
    out = subprocess.run(["node", str(script), str(exported.out / "test-park.glb")], check=True,
                         capture_output=True, text=True, cwd=tmp_path)
    issues = json.loads(out.stdout)
    assert issues["numErrors"] == 0, issues["messages"][:5]


def test_server_url_is_written_into_the_page(scenes_dir: Path, tmp_path: Path) -> None:
    export_park("test-park", tmp_path, scenes_dir=scenes_dir, server="wss://parks.example/ws")
    assert config_of((tmp_path / "index.html").read_text(encoding="utf-8"))["server"] == "wss://parks.example/ws"


def test_all_parks_share_one_bundle_and_get_a_list_page(tmp_path: Path) -> None:
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    for pid in ("park-b", "park-a"):
        (scenes / f"{pid}.glb").write_bytes(build_glb(park_layout(pid)))
    seen: list[tuple[int, int, str]] = []
    report = export_all(tmp_path / "web", scenes_dir=scenes, progress=lambda d, t, w: seen.append((d, t, w)))
    web = tmp_path / "web"
    assert report.parks == ("park-a", "park-b")
    assert (web / "app.js").is_file() and not (web / "park-a" / "app.js").exists()
    for pid in report.parks:
        page = (web / pid / "index.html").read_text(encoding="utf-8")
        assert 'src="../app.js"' in page and config_of(page)["glb"] == f"{pid}.glb"
        assert (web / pid / f"{pid}.glb").is_file()
        assert config_of(page)["scene_hash"] == hashlib.sha256((scenes / f"{pid}.glb").read_bytes()).hexdigest()
    # the page for any park (the web app serves it for every live park): nothing of a park in it
    template = (web / TEMPLATE).read_text(encoding="utf-8")
    config = config_of(template)
    assert {k: config[k] for k in ("park", "glb", "scene_hash", "title", "title_zh", "lang")} == {
        "park": "", "glb": "", "scene_hash": "", "title": "", "title_zh": "", "lang": ""}
    assert config["texts"]["en"]["web3d.scene.building"]  # waiting for a just-approved park's scene
    assert f"<title>{TITLE_MARK} · Cloud Park</title>" in template and 'src="../app.js"' in template
    listing = (web / "index.html").read_text(encoding="utf-8")
    assert listing.index('href="park-a/"') < listing.index('href="park-b/"')
    assert seen[0][0] == 0 and seen[-1][:2] == (3, 3) and [s[2] for s in seen[1:3]] == ["park-a", "park-b"]


def test_publish_web_writes_data_dir_web_for_the_server(tmp_path: Path, scenes_dir: Path) -> None:
    shutil.copytree(scenes_dir, tmp_path / "scenes")
    report = publish_web(tmp_path)
    assert report.out == tmp_path / "web"
    assert (tmp_path / "web" / "test-park" / "index.html").is_file()
    assert config_of((tmp_path / "web" / "test-park" / "index.html").read_text(encoding="utf-8"))["server"] == ""


@pytest.mark.parametrize("bad", ["../etc", "Park", "", "a/b"])
def test_bad_park_ids_are_refused_before_touching_disk(bad: str, tmp_path: Path, scenes_dir: Path) -> None:
    with pytest.raises(ExportError, match="not valid"):
        export_park(bad, tmp_path / "out", scenes_dir=scenes_dir)
    assert not (tmp_path / "out").exists()


def test_a_scene_without_a_layout_is_refused(tmp_path: Path) -> None:
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    (scenes / "broken.glb").write_bytes(b"glTF" + b"\x00" * 30)
    with pytest.raises(ExportError, match="not a usable park scene"):
        export_park("broken", tmp_path / "out", scenes_dir=scenes)


def test_publish_web_rewrites_only_when_scenes_or_client_changed(tmp_path: Path, scenes_dir: Path) -> None:
    shutil.copytree(scenes_dir, tmp_path / "scenes")
    first = publish_web(tmp_path)
    assert not first.up_to_date
    app_js = tmp_path / "web" / "app.js"
    stamp = app_js.stat().st_mtime_ns
    again = publish_web(tmp_path)
    assert again.up_to_date and again.parks == ("test-park",) and app_js.stat().st_mtime_ns == stamp
    # A new park's scene: exported, and listed.
    (tmp_path / "scenes" / "park-b.glb").write_bytes(build_glb(park_layout("park-b")))
    grown = publish_web(tmp_path)
    assert not grown.up_to_date and grown.parks == ("park-b", "test-park")
    assert 'href="park-b/"' in (tmp_path / "web" / "index.html").read_text(encoding="utf-8")
    # A scene gone: its page goes too (the server would not host the park).
    (tmp_path / "scenes" / "park-b.glb").unlink()
    assert publish_web(tmp_path).parks == ("test-park",)
    assert not (tmp_path / "web" / "park-b").exists()
    # The server never serves the stamp: it is a hidden name.
    assert sorted(p.name for p in (tmp_path / "web").iterdir() if p.name.startswith(".")) == [
        ".export.json", ".park.html"]
