"""Bundle size and first-render time of the web client on the real server (figures, not a test).

    .venv/bin/python -m tests.webxr.measure [--runs 5] [--park 798-art-zone --park 751-d-park]

Builds the parks with the scene builder, publishes the web client (publish_web), runs
``cloudpark serve`` on port 0 and opens each park's page in Debian's chromium (SwiftShader,
a fresh browser context each run, so nothing is cached). Prints one line per park and
writes build/measure/webxr.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.webxr.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.webxr.world_server import ServeProcess
from tools.webxr.export import publish_web

TIMES = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {first_render_ms: window.cloudpark.firstRenderMs, joined_ms: window.__joinedMs,
          dom_ms: Math.round(nav.domContentLoadedEventEnd)};
}"""
WATCH_JOIN = """() => { const t = setInterval(() => {
  if (window.cloudpark && window.cloudpark.conn && window.cloudpark.conn.state === 'joined') {
    window.__joinedMs = Math.round(performance.now()); clearInterval(t); } }, 5); }"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--park", action="append", default=None)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    parks = args.park or ["798-art-zone", "751-d-park"]
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "var"
        cli = str(Path(sys.executable).with_name("cloudpark"))
        build = [cli, "scenes", "build", "--out", str(data / "scenes")]
        for p in parks:
            build += ["--park", p]
        subprocess.run(build, check=True, capture_output=True)
        report = publish_web(data)
        app_js = (data / "web" / "app.js").read_bytes()
        sizes = {"app_js_bytes": len(app_js), "app_js_gzip_bytes": len(gzip.compress(app_js, 9)),
                 "app_css_bytes": (data / "web" / "app.css").stat().st_size}
        print(f"app.js {sizes['app_js_bytes'] / 1024:.0f} KiB ({sizes['app_js_gzip_bytes'] / 1024:.0f} KiB gzip), "
              f"web folder {report.total_bytes / 1024 / 1024:.1f} MiB for {len(report.parks)} parks")  # noqa: T201
        server = ServeProcess(data)
        results: dict[str, object] = {"sizes": sizes, "parks": {}}
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                for park in parks:
                    runs = []
                    for _ in range(args.runs):
                        ctx = browser.new_context(viewport={"width": 1024, "height": 640})
                        page = ctx.new_page()
                        page.add_init_script(f"({WATCH_JOIN})()")
                        page.goto(server.url(f"/web/{park}/"))
                        page.wait_for_function("window.cloudpark && window.cloudpark.firstRenderMs !== null"
                                               " && window.__joinedMs !== undefined", timeout=60_000)
                        runs.append(page.evaluate(TIMES))
                        ctx.close()
                    glb = (data / "web" / park / f"{park}.glb").stat().st_size
                    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                    results["parks"][park] = {"glb_bytes": glb, "runs": runs, "median": med}  # type: ignore[index]
                    print(f"{park}: glb {glb / 1024:.0f} KiB, median of {len(runs)}: first render "  # noqa: T201
                          f"{med['first_render_ms']:.0f} ms, joined {med['joined_ms']:.0f} ms, "
                          f"DOMContentLoaded {med['dom_ms']:.0f} ms after navigation start")
                browser.close()
        finally:
            server.stop()
    out = Path("build/measure/webxr.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
