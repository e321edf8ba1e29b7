"""``cloudpark bench browser-frames``: the browser client's frame times with a crowd in view.

A scratch data dir with the park's scene and the published web client, ``cloudpark serve``
(pinned like the crowd bench), headless Debian Chromium (SwiftShader: no GPU) at 1280x720 as a
guest on ``/web/<park>/``: the visitor walks to the stage's audience and faces it, frame times
are read from requestAnimationFrame timestamps in the page with no bots, then again with
``cloudpark bots`` in the showcase shape (packed in the audience polygon, in front of the visitor).
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.bench.server_process import BenchError, ServerUnderTest, pinned

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (  # the web tests' flags (tests/webxr/conftest.py): tools do not import tests
    "--headless=new", "--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)
VIEWPORT = {"width": 1280, "height": 720}
STAND_BEFORE_AUDIENCE_M = 10.0  # the visitor stops this far in front of the audience (its camera 5 m further)

# Avatars the page holds, and those whose chest projects inside the camera's frustum (not occlusion).
COUNT_JS = """() => {
  const w = window.cloudpark.world; const v = w.camera.position.clone(); let seen = 0;
  for (const a of w.avatars.values()) {
    a.node.getWorldPosition(v); v.y += 1.0; v.project(w.camera);
    if (Math.abs(v.x) <= 1 && Math.abs(v.y) <= 1 && v.z >= -1 && v.z <= 1) seen += 1;
  }
  return {held: w.avatars.size, in_view: seen};
}"""
FRAMES_JS = """(ms) => new Promise((done) => {
  const deltas = []; let last = null; let end = null;
  const step = (t) => {
    if (last !== null) deltas.push(t - last);
    last = t; if (end === null) end = t + ms;
    if (t < end) requestAnimationFrame(step); else done(deltas);
  };
  requestAnimationFrame(step);
})"""
RENDERER_JS = """() => {
  const gl = window.cloudpark.world.renderer.getContext();
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  return ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
}"""


@dataclass(frozen=True)
class BrowserFramesBench:
    bots: int = 200
    seconds: float = 10.0
    park: str = "798-art-zone"
    shape: str = "showcase"
    data_dir: Path = Path("var")
    work_dir: Path = Path("var/bench")
    server_core: int | None = 0
    bots_core: int | None = 1
    ramp_per_s: float = 100.0
    settle_s: float = 3.0  # after the crowd is shown, before measuring


def percentile(values: list[float], q: float) -> float | None:
    """The q-quantile (0..1) by linear interpolation between order statistics."""
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def frame_stats(deltas: list[float]) -> dict[str, Any]:
    """Frame-time figures (ms) from requestAnimationFrame deltas."""
    total = sum(deltas)
    r = lambda v: None if v is None else round(v, 2)  # noqa: E731
    return {"frames": len(deltas), "median_ms": r(percentile(deltas, 0.5)), "p95_ms": r(percentile(deltas, 0.95)),
            "p99_ms": r(percentile(deltas, 0.99)), "max_ms": r(max(deltas) if deltas else None),
            "fps": round(1000.0 * len(deltas) / total, 1) if total > 0 else None}


def markdown(run: dict[str, Any]) -> str:
    m = run["machine"]
    lines = [f"### Browser frame times: {run['started']}", "",
             f"`{run['command']}` on {m['cpu_model']} ({m['nproc']} cores, load {m['load_average_1m']}); "
             f"renderer `{run['renderer']}`, {VIEWPORT['width']}x{VIEWPORT['height']}, park {run['settings']['park']}, "
             f"shape {run['settings']['shape']}.", "",
             "| bots | avatars held | avatars in view | frames | median ms | p95 ms | p99 ms | max ms | fps |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in run["steps"]:
        lines.append(f"| {s['bots']} | {s['avatars_held']} | {s['avatars_in_view']} | {s['frames']} | "
                     f"{s['median_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['max_ms']} | {s['fps']} |")
    return "\n".join(lines) + "\n"


def _walk_to_audience(page: Any, stage: Any) -> None:
    """Hold W (and Shift) until the visitor stands in front of the audience, then face the stage."""
    ys = [p[1] for p in stage.audience]
    target = min(ys) - STAND_BEFORE_AUDIENCE_M
    page.evaluate("() => window.cloudpark.setHeading(Math.PI / 2)")
    page.keyboard.down("Shift")
    page.keyboard.down("KeyW")
    deadline = time.monotonic() + 90.0
    try:
        while page.evaluate("() => window.cloudpark.state().self.y") < target:
            if time.monotonic() > deadline:
                raise BenchError("the visitor did not reach the audience within 90 s")
            time.sleep(0.2)
    finally:
        page.keyboard.up("KeyW")
        page.keyboard.up("Shift")
    self = page.evaluate("() => window.cloudpark.state().self")
    cx, cy = sum(p[0] for p in stage.audience) / len(ys), sum(ys) / len(ys)
    page.evaluate("(h) => window.cloudpark.setHeading(h)", math.atan2(cy - self["y"], cx - self["x"]))
    time.sleep(1.0)


def _measure(page: Any, bench: BrowserFramesBench, bots: int, shot: Path) -> dict[str, Any]:
    deltas = page.evaluate(FRAMES_JS, bench.seconds * 1000.0)
    counts = page.evaluate(COUNT_JS)
    page.screenshot(path=str(shot))
    return {"bots": bots, "avatars_held": counts["held"], "avatars_in_view": counts["in_view"],
            **frame_stats(deltas), "screenshot": str(shot)}


def _wait_for_crowd(page: Any, want: int, timeout_s: float) -> None:
    """Until the page holds ``want`` avatars, or holds a steady count for 5 s after the timeout's half."""
    start = time.monotonic()
    best, since = -1, time.monotonic()
    while time.monotonic() - start < timeout_s:
        held = page.evaluate(COUNT_JS)["held"]
        if held >= want:
            return
        if held != best:
            best, since = held, time.monotonic()
        elif time.monotonic() - start > timeout_s / 2 and time.monotonic() - since > 5.0:
            return
        time.sleep(0.5)


def run_bench(bench: BrowserFramesBench) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tools.bench.crowd import CrowdBench, prepare_data_dir
    from tools.bots.scene import layout_from_glb
    from tools.webxr.export import publish_web

    work = bench.work_dir.resolve() / "browser-frames"
    data = prepare_data_dir(CrowdBench(clients=(bench.bots,), park=bench.park, data_dir=bench.data_dir.resolve(),
                                       work_dir=work)).data_dir
    publish_web(data)
    layout = layout_from_glb((data / "scenes" / f"{bench.park}.glb").read_bytes())
    stamp = time.strftime("%Y%m%d-%H%M%S")
    server = ServerUnderTest(data_dir=data, log_path=work / "logs" / f"serve-{stamp}.log", core=bench.server_core,
                             tick_rate=20, view_radius=None, naive=False, max_clients=bench.bots + 10)
    server.start()
    bots: subprocess.Popen[bytes] | None = None
    steps: list[dict[str, Any]] = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True)
            try:
                page = browser.new_context(viewport=VIEWPORT).new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"{server.http}/web/{bench.park}/?name=FrameBench")
                page.wait_for_function("() => window.cloudpark && window.cloudpark.you != null", timeout=90_000)
                renderer = page.evaluate(RENDERER_JS)
                _walk_to_audience(page, layout.stage)
                shots = bench.work_dir.resolve()
                shots.mkdir(parents=True, exist_ok=True)
                steps.append(_measure(page, bench, 0, shots / "browser_frames_0.png"))
                if bench.bots:
                    cmd = pinned([sys.executable, "-m", "tools.cli", "bots", "--url", server.ws_url, "--clients",
                                  str(bench.bots), "--park", bench.park, "--shape", bench.shape, "--seconds", "3600",
                                  "--ramp", str(bench.ramp_per_s), "--data-dir", str(data)], bench.bots_core)
                    log = (work / "logs" / f"bots-{stamp}.log").open("ab")
                    bots = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
                    log.close()
                    # bots walk from the spawns to the audience: ~70 m at walking pace
                    _wait_for_crowd(page, bench.bots, bench.bots / bench.ramp_per_s + 120.0)
                    time.sleep(bench.settle_s)
                    steps.append(_measure(page, bench, bench.bots, shots / "browser_frames.png"))
                self = page.evaluate("() => window.cloudpark.state().self")
            finally:
                browser.close()
    finally:
        if bots is not None and bots.poll() is None:
            bots.send_signal(signal.SIGINT)
            try:
                bots.wait(timeout=15)
            except subprocess.TimeoutExpired:
                bots.kill()
        server.stop()
    return {"renderer": renderer, "steps": steps, "visitor": self, "page_errors": errors}


def cmd_browser_frames(args: Any) -> int:
    from tools.bench.report import machine, save

    if args.seconds <= 0 or args.bots < 0 or args.ramp <= 0:
        sys.stderr.write("cloudpark bench browser-frames: --seconds and --ramp must be positive, --bots >= 0\n")
        return 2
    bench = BrowserFramesBench(bots=args.bots, seconds=args.seconds, park=args.park, shape=args.shape,
                               data_dir=args.data_dir, work_dir=args.out, server_core=args.server_core,
                               bots_core=args.bots_core, ramp_per_s=args.ramp)
    started = time.time()
    host = machine()
    try:
        results = run_bench(bench)
    except BenchError as exc:
        sys.stderr.write(f"cloudpark bench browser-frames: {exc}\n")
        return 1
    run = {"bench": "browser-frames", "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
           "started_epoch": started,
           "command": f"cloudpark bench browser-frames --bots {args.bots} --seconds {args.seconds:g} "
                      f"--park {args.park} --shape {args.shape}",
           "machine": host, "settings": {"park": args.park, "shape": args.shape, "bots": args.bots,
                                         "seconds": args.seconds, "viewport": VIEWPORT,
                                         "server_core": args.server_core, "bots_core": args.bots_core,
                                         "browser_core": None},
           **results}
    paths = save(run, args.out, None if args.no_docs else args.docs, "browser-frames", markdown)
    sys.stdout.write(markdown(run) + "".join(f"{k}: {v}\n" for k, v in paths.items()))
    if results["page_errors"]:
        sys.stderr.write("page errors: " + "; ".join(results["page_errors"][:5]) + "\n")
    return 0
