"""Benchmark (not a test): draw calls and frame time with 0, 50 and 200 avatars in view.

Each renderer runs in its own subprocess (Panda3D picks its display once per process):
``software`` = p3tinydisplay offscreen; ``opengl`` = pandagl in a window on Xvfb
(Mesa llvmpipe here). The busiest park is the scene with the most triangles. Avatars
walk in a ring around the camera's focus so all are in view. Prints a table and
writes JSON (default var/bench/client_frames.json).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

COUNTS = (0, 50, 200)


def busiest_scene(folder: Path, park: str | None) -> Path:
    if park:
        return folder / f"{park}.glb"
    scenes = sorted(folder.glob("*.glb"))
    if not scenes:
        raise SystemExit(f"no scenes in {folder}: run `cloudpark scenes build` first")
    from world.glb import read_glb

    def triangles(p: Path) -> int:
        doc, _ = read_glb(p.read_bytes())
        acc = doc.get("accessors", [])
        return sum(acc[prim["indices"]]["count"] // 3 for m in doc.get("meshes", [])
                   for prim in m["primitives"] if "indices" in prim)

    return max(scenes, key=triangles)


def measure(scene: Path, renderer: str, frames: int) -> dict[str, object]:
    """Runs inside the child process."""
    from client.app import ClientConfig, build_app
    from client.crowd_mesh import Figure
    from client.visit import Visit  # noqa: F401 - the app's model
    from world.glb import layout_from_glb

    cfg = ClientConfig(server="", name="bench", offscreen=renderer == "software",
                       software=renderer == "software", size=(1280, 720))
    app = build_app(cfg)
    app.taskMgr.remove("cloudpark-frame")  # the bench drives the crowd itself
    app._finish_scene(scene, "bench")
    layout = layout_from_glb(scene.read_bytes())
    sp = layout.spawns[0]
    app.camera.setPos(sp.x - 14, sp.y - 14, 10)
    app.camera.lookAt(sp.x, sp.y, 1)
    gsg = app.win.getGsg()
    out: dict[str, object] = {"renderer": gsg.getDriverRenderer() or renderer, "scene": scene.stem, "runs": []}
    for n in COUNTS:
        figures = [Figure(sp.x + 6 * math.cos(i * 2.4) * (1 + i / 60), sp.y + 6 * math.sin(i * 2.4) * (1 + i / 60),
                          i * 0.3, 1, i * 0.5, (i * 2654435761) & 0xFFFFFF) for i in range(n)]
        for plate, f in zip(app.plates, figures, strict=False):
            plate.node().setText(f"visitor {figures.index(f)}")
            plate.setPos(f.x, f.y, 2.0)
            plate.show()
        for plate in app.plates[len(figures):]:
            plate.hide()
        for _ in range(10):
            app.crowd.update(figures)
            app.taskMgr.step()
        times = []
        for k in range(frames):
            t0 = time.perf_counter()
            moved = [Figure(f.x + 0.01 * k, f.y, f.yaw, f.anim, f.phase + 0.1 * k, f.rgb) for f in figures]
            app.crowd.update(moved)
            app.taskMgr.step()  # simplepbr's per-frame task and the render
            app.graphicsEngine.syncFrame()
            times.append(time.perf_counter() - t0)
        # draw calls: geoms the cull pass sent to the draw pass for the last frame
        draws = _draw_calls(app)
        if n == COUNTS[-1]:
            shot = Path("var/bench") / f"client_{renderer}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            from panda3d.core import Filename

            app.win.saveScreenshot(Filename.fromOsSpecific(str(shot.resolve())))
        times.sort()
        out["runs"].append({  # type: ignore[union-attr]
            "avatars": n, "draw_calls": draws,
            "frame_ms_median": round(1000 * times[len(times) // 2], 2),
            "frame_ms_p95": round(1000 * times[int(len(times) * 0.95)], 2),
        })
    return out


def _draw_calls(app) -> int:  # type: ignore[no-untyped-def]
    """Geoms submitted: the flattened scene's, the crowd batch, two per shown name plate
    (its card and its glyphs), each one draw call."""
    plates = sum(2 for p in app.plates if not p.isHidden())
    scene_geoms = app.render.findAllMatches("**/+GeomNode")
    total = 0
    for np_ in scene_geoms:
        if not np_.isHidden() and not np_.isStashed():
            total += np_.node().getNumGeoms()
    return total + plates


def main(args: argparse.Namespace) -> int:
    scene = busiest_scene(args.scenes, args.park).resolve()
    renderers = ("software", "opengl") if args.renderer == "all" else (args.renderer,)
    results = []
    for r in renderers:
        cmd = [sys.executable, "-m", "client.bench_frames", r, str(scene), str(args.frames)]
        if r == "opengl" and not os.environ.get("DISPLAY"):
            if not shutil.which("xvfb-run"):
                sys.stderr.write("xvfb-run not found: skipping OpenGL\n")
                continue
            cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x720x24", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("{")), None)
        if done.returncode != 0 or line is None:
            sys.stderr.write(f"{r}: failed\n{done.stderr[-2000:]}\n")
            continue
        results.append(json.loads(line))
    for res in results:
        sys.stdout.write(f"{res['renderer']} ({res['scene']}):\n")
        for run in res["runs"]:
            sys.stdout.write(f"  {run['avatars']:4d} avatars: {run['draw_calls']:4d} draw calls, "
                             f"frame {run['frame_ms_median']:.1f} ms median, {run['frame_ms_p95']:.1f} ms p95\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"scene": scene.stem, "results": results}, indent=2), encoding="utf-8")
    sys.stdout.write(f"wrote {args.out}\n")
    return 0 if results else 1


if __name__ == "__main__":
    result = measure(Path(sys.argv[2]), sys.argv[1], int(sys.argv[3]))
    sys.stdout.write(json.dumps(result) + "\n")
