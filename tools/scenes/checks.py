"""Checks every scene must pass: glTF-Validator, budgets, reachability.

The validator is the Khronos one from npm, run by ``tools/node/validate.mjs`` (one
node process for all files). Draw calls are counted the way the client sees them:
the .glb loaded with panda3d-gltf, ``flattenStrong()``, Geoms summed over GeomNodes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from world.glb import layout_from_glb, read_glb
from world.reachability import check_layout

MAX_TRIANGLES = 150_000
MAX_BYTES = 4 * 1024 * 1024
MAX_DRAW_CALLS = 300
VALIDATOR = Path(__file__).resolve().parents[1] / "node" / "validate.mjs"


@dataclass
class SceneReport:
    path: Path
    bytes: int
    triangles: int
    draw_calls: int
    errors: int
    warnings: int
    messages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def scene_triangles(glb: bytes) -> int:
    """Triangles drawn: each mesh's index count / 3, times the nodes that place it."""
    doc, _ = read_glb(glb)
    accessors = doc.get("accessors", [])
    per_mesh = []
    for mesh in doc.get("meshes", []):
        tris = 0
        for prim in mesh.get("primitives", []):
            if "indices" in prim:
                tris += accessors[prim["indices"]]["count"] // 3
            else:
                tris += accessors[prim["attributes"]["POSITION"]]["count"] // 3
        per_mesh.append(tris)
    return sum(per_mesh[n["mesh"]] for n in doc.get("nodes", []) if "mesh" in n)


INSTALL_HINT = ("run `bash tools/setup.sh` (it installs the pinned Node packages in tools/node with npm; "
                "it needs Node.js 20+ and npm, on Debian: `apt-get install nodejs npm`)")


class ValidatorMissing(RuntimeError):
    """The Khronos glTF-Validator (Node.js and the tools/node packages) is not installed."""


def validate(paths: list[Path]) -> dict[str, dict]:  # type: ignore[type-arg]
    """The Khronos validator's verdict per file: errors, warnings, messages. Raises
    ``ValidatorMissing`` saying what to install, or ``RuntimeError`` if it fails."""
    if not paths:
        return {}
    node = shutil.which("node")
    if node is None:
        raise ValidatorMissing(f"Node.js is not installed, so scenes cannot be validated: {INSTALL_HINT}")
    if not (VALIDATOR.parent / "node_modules" / "gltf-validator").is_dir():
        raise ValidatorMissing(f"the glTF-Validator package is missing from {VALIDATOR.parent / 'node_modules'}: "
                               f"{INSTALL_HINT}")
    absolute = {str(p.resolve()): str(p) for p in paths}
    proc = subprocess.run([node, str(VALIDATOR), *absolute], capture_output=True, text=True,
                          cwd=VALIDATOR.parent, check=False, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"glTF validator failed: {proc.stderr[-1000:]}")
    return {absolute[r["path"]]: r for r in json.loads(proc.stdout)}


def draw_calls(path: Path) -> int:
    """Geoms left after Panda3D's flattenStrong: what the client draws per frame; -1 when
    Panda3D cannot load the file."""
    try:
        return _draw_calls(path)
    except Exception:  # noqa: BLE001  (any loader failure is reported as a problem)
        return -1


def _draw_calls(path: Path) -> int:
    from panda3d.core import NodePath, loadPrcFileData

    loadPrcFileData("", "notify-level-gltf error\nnotify-level error\n")
    import gltf

    root = NodePath(gltf.load_model(str(path)))
    root.flattenStrong()
    return sum(n.node().getNumGeoms() for n in root.findAllMatches("**/+GeomNode"))


def check_scenes(paths: list[Path], jobs: int = 2) -> list[SceneReport]:
    from multiprocessing import get_context

    verdicts = validate(paths)
    with get_context("spawn").Pool(min(jobs, max(1, len(paths)))) as pool:
        calls = pool.map(draw_calls, paths)
    return [_report(p, verdicts[str(p)], c) for p, c in zip(paths, calls, strict=True)]


def _report(path: Path, verdict: dict, calls: int) -> SceneReport:  # type: ignore[type-arg]
    data = path.read_bytes()
    tris = scene_triangles(data)
    rep = SceneReport(path, len(data), tris, calls, verdict["errors"], verdict["warnings"],
                      [f"{m['severity']} {m['code']} {m['pointer']}: {m['message']}" for m in verdict["messages"]])
    if rep.errors:
        rep.problems.append(f"glTF validator: {rep.errors} error(s): " + "; ".join(rep.messages[:5]))
    if tris > MAX_TRIANGLES:
        rep.problems.append(f"{tris:,} triangles > budget {MAX_TRIANGLES:,}")
    if len(data) > MAX_BYTES:
        rep.problems.append(f"{len(data):,} bytes > budget {MAX_BYTES:,}")
    if calls < 0:
        rep.problems.append("Panda3D (panda3d-gltf) could not load the scene")
    elif calls > MAX_DRAW_CALLS:
        rep.problems.append(f"{calls} draw calls after flattenStrong > budget {MAX_DRAW_CALLS}")
    try:
        reach = check_layout(layout_from_glb(data))
        rep.problems.extend(f"reachability: {p}" for p in reach.problems)
    except ValueError as exc:
        rep.problems.append(f"layout: {exc}")
    return rep
