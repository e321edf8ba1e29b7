"""Preview pictures: each scene rendered offscreen in Panda3D with simplepbr.

Run as its own process (``python -m tools.scenes.preview OUT_DIR GLB...``) because a
ShowBase lives once per process. ``render_previews`` tries a headless GL buffer
(EGL) first and falls back to pandagl under Xvfb.

The scene's colours are linear (glTF), so the picture must be encoded for the screen:
simplepbr's tone map does it (set up as the Panda3D client does: no shadow maps, which
crash Mesa's software GL, and the same lights and exposure, so a preview looks like the
client); the auto-shader fallback draws into an sRGB framebuffer instead.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tools.scenes.materials import srgb_to_linear

log = logging.getLogger(__name__)

SIZE = (960, 600)
SKY = (0.62, 0.78, 0.93)  # sRGB, as shown


def filmic_inverse(y: float) -> float:
    """The linear value simplepbr's tone map (exposure 0) turns into display value ``y``."""
    y = min(0.995, max(0.0, y))
    a, b, c = 6.2 * (1.0 - y), 0.5 - 1.7 * y, -0.06 * y  # 6.2(1-y)x^2 + (0.5-1.7y)x - 0.06y = 0
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a) + 0.004 if y > 0 else 0.0


def render_previews(glbs: list[Path], out_dir: Path, timeout: float = 600.0) -> list[Path]:
    """Render one PNG per .glb into ``out_dir``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "tools.scenes.preview", str(out_dir), *map(str, glbs)]
    env = dict(os.environ)
    xvfb = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24"] if shutil.which("xvfb-run") else None
    # simplepbr first (its shadow-map shaders crashed Mesa's llvmpipe; they are off now);
    # Panda3D's own per-pixel lighting (auto shader) stays as the fallback.
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


def stale(glbs: list[Path], out_dir: Path) -> list[Path]:
    """The scenes whose picture in ``out_dir`` is missing or older than the scene."""
    out = []
    for glb in glbs:
        png = out_dir / (glb.stem + ".png")
        if not png.is_file() or png.stat().st_mtime_ns < glb.stat().st_mtime_ns:
            out.append(glb)
    return out


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
    pbr = os.environ.get("CLOUDPARK_PREVIEW_SHADING", "pbr") == "pbr"
    loadPrcFileData("", f"""
load-display {display}
window-type offscreen
win-size {SIZE[0]} {SIZE[1]}
audio-library-name null
notify-level error
default-directnotify-level error
sync-video false
framebuffer-multisample 0
framebuffer-srgb {"false" if pbr else "true"}
""")
    import gltf
    import simplepbr
    from direct.showbase.ShowBase import ShowBase

    from world.glb import read_glb

    base = ShowBase(windowType="offscreen")
    if pbr:
        simplepbr.init(render_node=base.render, window=base.win, camera_node=base.cam, msaa_samples=0,
                       enable_shadows=False, use_normal_maps=False, use_emission_maps=True, exposure=0.0)
        base.setBackgroundColor(*(filmic_inverse(c) for c in SKY), 1.0)
    else:
        if not base.win.getFbProperties().getSrgbColor():
            raise RuntimeError("no sRGB framebuffer: the picture would come out too dark")
        base.render.setShaderAuto()
        base.setBackgroundColor(*(srgb_to_linear(c) for c in SKY), 1.0)
    # the Panda3D client's sun and sky light (client/scenery.py), all in linear light
    sun = DirectionalLight("sun")
    sun.setColor((3.4, 3.25, 3.0, 1) if pbr else (0.95, 0.9, 0.82, 1))
    sun_np = base.render.attachNewNode(sun)
    sun_np.setHpr(35, -50, 0)
    base.render.setLight(sun_np)
    sky = AmbientLight("sky")
    sky.setColor((0.55, 0.6, 0.72, 1) if pbr else (0.2, 0.22, 0.27, 1))
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
        partial = out_dir / f".{path.stem}.partial.png"  # the web app serves the folder: never a half-written picture
        if not base.win.saveScreenshot(Filename.fromOsSpecific(str(partial))):
            raise RuntimeError(f"could not write {partial}")
        os.replace(partial, target)
        written.append(str(target))
        model.removeNode()
    print(json.dumps(written))  # noqa: T201  (the parent process reads this line)
    return 0


if __name__ == "__main__":
    sys.exit(_main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]))
