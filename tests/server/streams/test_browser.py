"""The real consumer: hls.js in Debian's Chromium plays the supervisor's live playlist from
the web app (the page on another origin, so CORS is needed), and the pixel clock reads
back from the canvas the video is drawn into, advancing, where the playlist's program
date and time says it is."""

from __future__ import annotations

import asyncio
import functools
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from server.streams.sources import TestPattern
from server.streams.supervisor import StreamSupervisor
from world.stream_clock import decode

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
HLS_JS = Path(__file__).resolve().parents[3] / "tools" / "node" / "node_modules" / "hls.js" / "dist" / "hls.min.js"
PAGE = """<!doctype html><video id=v muted autoplay playsinline></video>
<canvas id=c width=640 height=32></canvas><script src=hls.min.js></script><script>
const v = document.getElementById('v'); const hls = new Hls(); window.errors = [];
hls.on(Hls.Events.ERROR, (_, e) => window.errors.push(e.details));
hls.loadSource(new URLSearchParams(location.search).get('src')); hls.attachMedia(v); v.play();
window.sample = () => { const c = document.getElementById('c').getContext('2d', {willReadFrequently: true});
  c.drawImage(v, 0, 0, 640, 360, 0, 0, 640, 360);
  return [Array.from(c.getImageData(0, 0, 640, 32).data), hls.playingDate ? hls.playingDate.getTime() : null]; };
</script>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def test_hls_js_in_chromium_plays_the_live_stream_with_its_clock(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    from tests.web.conftest import LiveServer
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(HLS_JS, site / "hls.min.js")
    (site / "page.html").write_text(PAGE)
    pages = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=pages.serve_forever, daemon=True).start()
    web = LiveServer(tmp_path / "data").start()

    async def go() -> None:
        sup = StreamSupervisor(web.config.data_dir / "streams")
        status = await sup.start(31, TestPattern())
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
                    "--headless=new", "--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
                page = await browser.new_page()
                await page.goto(f"http://127.0.0.1:{pages.server_address[1]}/page.html?src={web.url}{status.url}")
                samples: list[tuple[int | None, int | None]] = []
                for _ in range(120):
                    await asyncio.sleep(0.25)
                    data, playing = await page.evaluate("sample()")
                    clock = decode(np.array(data, dtype=np.uint8).reshape(32, 640, 4))
                    if clock is not None:
                        samples.append((clock, playing))
                    if len(samples) >= 5:
                        break
                errors = await page.evaluate("window.errors")
                await browser.close()
        finally:
            await sup.stop(31)
        assert len(samples) >= 5, f"the clock was read {len(samples)} times; hls.js errors: {errors}"
        clocks = [c for c, _ in samples]
        assert clocks == sorted(clocks) and clocks[-1] > clocks[0]  # a moving picture, in order
        # hls.js's reading of EXT-X-PROGRAM-DATE-TIME names the moment the picture shows
        assert all(p is not None and abs(p - c) < 1000 for c, p in samples), samples  # type: ignore[operator]
    try:
        asyncio.run(go())
    finally:
        web.stop()
        pages.shutdown()
        pages.server_close()
