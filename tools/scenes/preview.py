"""Preview pictures: each scene rendered offscreen in Panda3D with simplepbr.

Run as its own process (``python -m tools.scenes.preview OUT_DIR GLB...``) because a
ShowBase lives once per process. ``render_previews`` tries a headless GL buffer
(EGL) first and falls back to pandagl under Xvfb.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

SIZE = (960, 600)
SKY = (0.62, 0.78, 0.93, 1.0)


def render_previews(glbs: list[Path], out_dir: Path, timeout: float = 600.0) -> list[Path]:
    """Render one PNG per .glb into ``out_dir``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "tools.scenes.preview", str(out_dir), *map(str, glbs)]
    env = dict(os.environ)
    xvfb = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"] if shutil.which("xvfb-run") else None
    # simplepbr first; Mesa's llvmpipe has been seen to crash in its shaders, so Panda3D's
    # own per-pixel lighting (auto shader) is the fallback.
    attempts = [("p3headlessgl", "pbr", cmd)]
    if xvfb:
        attempts.append(("pandagl", "pbr", xvfb + cmd))
    attempts.append(("p3headlessgl", "auto", cmd))
    if xvfb:
        attempts.append(("pandagl", "auto", xvfb + cmd))
    last = ""
    for display, shading, argv in attempts:
        env["CLOUDPARK_PREVIEW_DISPLAY"] = display
        env["CLOUDPARK_PREVIEW_SHADING"] = shading
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode == 0:
            return [Path(p) for p in json.loads(proc.stdout.strip().splitlines()[-1])]
        last = (proc.stderr or proc.stdout)[-2000:]
        log.info("preview with %s/%s failed (rc %s), trying the next way", display, shading, proc.returncode)
    raise RuntimeError(f"could not render previews offscreen:\n{last}")


def _camera_for(layout_dict: dict) -> tuple[tuple[float, float, float], tuple[float, float, float]]:  # type: ignore[type-arg]
    """High three-quarter view from the south-east: the plaza, booth street and stage in frame."""
    r = float(layout_dict["plaza"]["radius"])
    eye = (r * 0.7, -r * 2.6, r * 1.6)
    look = (0.0, r * 0.15, 0.0)
    return eye, look


def _main(out_dir: Path, glbs: list[Path]) -> int:
    from panda3d.core import (
        AmbientLight,
        DirectionalLight,
        Filename,
        NodePath,
        loadPrcFileData,
    )

    display = os.environ.get("CLOUDPARK_PREVIEW_DISPLAY", "p3headlessgl")
    loadPrcFileData("", f"""
load-display {display}
window-type offscreen
win-size {SIZE[0]} {SIZE[1]}
audio-library-name null
notify-level error
default-directnotify-level error
sync-video false
""")
    import gltf
    import simplepbr
    from direct.showbase.ShowBase import ShowBase

    from world.glb import read_glb

    base = ShowBase(windowType="offscreen")
    pbr = os.environ.get("CLOUDPARK_PREVIEW_SHADING", "pbr") == "pbr"
    base.setBackgroundColor(*SKY)
    if pbr:
        simplepbr.init(render_node=base.render, window=base.win, camera_node=base.cam, msaa_samples=0,
                       exposure=0.6)
    else:
        base.render.setShaderAuto()
    sun = DirectionalLight("sun")
    sun.setColor((3.2, 3.0, 2.7, 1) if pbr else (0.85, 0.8, 0.72, 1))
    sun_np = base.render.attachNewNode(sun)
    sun_np.setHpr(35, -50, 0)
    base.render.setLight(sun_np)
    sky = AmbientLight("sky")
    sky.setColor((0.9, 0.95, 1.1, 1) if pbr else (0.42, 0.45, 0.52, 1))
    base.render.setLight(base.render.attachNewNode(sky))
    base.camLens.setFov(55)
    base.camLens.setNearFar(1.0, 5000.0)
    written = []
    for path in glbs:
        doc, _ = read_glb(path.read_bytes())
        layout = doc["scenes"][0]["extras"]["cloudpark"]
        model = NodePath(gltf.load_model(str(path)))
        model.reparentTo(base.render)
        eye, look = _camera_for(layout)
        base.camera.setPos(*eye)
        base.camera.lookAt(*look)
        for _ in range(3):
            base.taskMgr.step()
        target = out_dir / (path.stem + ".png")
        base.win.saveScreenshot(Filename.fromOsSpecific(str(target)))
        written.append(str(target))
        model.removeNode()
    print(json.dumps(written))  # noqa: T201  (the parent process reads this line)
    return 0


if __name__ == "__main__":
    sys.exit(_main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]))
