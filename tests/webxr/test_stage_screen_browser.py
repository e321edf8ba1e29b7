"""The stage screen in Debian's chromium: a real live HLS stream (ffmpeg's testsrc2, 1 s
segments, EXT-X-PROGRAM-DATE-TIME, the source's wall clock burnt into every frame as the
pixel clock) served by a real HTTP server, played by hls.js onto the park's
``stage_screen`` mesh, against the real world server.

Checked on the canvas itself: the title card, then moving frames (the screen's pixels
change between two pictures and are not the card), the delay behind the source clock
held near the common target (hls.js's program date time, and the pixel clock read back
from the canvas), a late joiner in a second page aligned with the first within a second;
the "stream interrupted" card when the source fails and the picture again when it comes
back; the replay on demand after the end; sound on a tap, positional and fading with
distance. Screenshots in build/screenshots/webxr/stage-*.png (looked at).
"""

from __future__ import annotations

import base64
import io
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.webxr.stage_stream import (
    HlsServer,
    LiveHls,
    make_vod,
    read_clock,
    serving_live,
    stage_glb,
    stage_layout,
)
from tests.webxr.world_server import WorldServer
from tools.webxr.export import publish_web

pytestmark = pytest.mark.slow
PARK = "test-park"
TITLE = "Spring showcase · 春季发布会"
SKEW_MS = 5000  # the second viewer's machine clock is this much fast


@pytest.fixture(scope="module")
def stage_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not Path("tools/node/node_modules/hls.js").exists():
        pytest.fail("hls.js missing: run bash tools/setup.sh")
    data = tmp_path_factory.mktemp("stage-data")
    (data / "scenes").mkdir()
    (data / "scenes" / f"{PARK}.glb").write_bytes(stage_glb(stage_layout(PARK)))
    publish_web(data)
    return data


@pytest.fixture
def server(stage_data: Path, tmp_path: Path) -> Iterator[WorldServer]:
    data = tmp_path / "data"
    shutil.copytree(stage_data, data)
    srv = WorldServer(data, layouts={PARK: stage_layout(PARK)}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveHls, HlsServer]]:
    with serving_live(tmp_path_factory.mktemp("hls")) as both:
        yield both


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HlsServer]:
    """A recording: a 6 s VOD playlist of the test pattern."""
    folder = tmp_path_factory.mktemp("replay")
    make_vod(folder)
    http = HlsServer(folder).start()
    yield http
    http.stop()


def _open(page, server: WorldServer, query: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url(f"/web/{PARK}/?spawn=stage&name=Viewer&lang=en{query}"))
    page.wait_for_function("() => window.cloudpark && window.cloudpark.state && window.cloudpark.state().you", timeout=30000)
    page.evaluate("() => document.getElementById('account').hidden = true")


def _stage(page) -> dict:  # type: ignore[no-untyped-def]
    return page.evaluate("() => window.cloudpark.state().stage")


def _wait_shown(page, shown: str, timeout: float = 30.0) -> dict:  # type: ignore[no-untyped-def]
    page.wait_for_function(f"() => window.cloudpark.state().stage.shown === {shown!r}", timeout=timeout * 1000)
    return _stage(page)


def _canvas(page) -> tuple[np.ndarray, int, dict]:  # type: ignore[no-untyped-def]
    """The 3D view's pixels (the canvas, no HTML over it), the wall clock it was drawn at,
    and where the screen's corners are on it. Two new frames are waited for first (software
    rendering on a busy machine draws a few frames a second)."""
    seen = page.evaluate("() => window.cloudpark.frames")
    page.wait_for_function(f"() => window.cloudpark.frames >= {seen + 2}", timeout=20000)
    got = page.evaluate("""() => { const c = document.getElementById('view');
        return {at: window.cloudpark.renderedAt, png: c.toDataURL('image/png'), rect: window.cloudpark.stage.rect()}; }""")
    img = Image.open(io.BytesIO(base64.b64decode(got["png"].split(",", 1)[1]))).convert("RGB")
    return np.asarray(img), int(got["at"]), got["rect"]


def _region(rgb: np.ndarray, rect: dict) -> np.ndarray:
    """The screen's inner part (the bounding box of its corners, shrunk by 15 %)."""
    xs = [c["x"] for c in rect["corners"]]
    ys = [c["y"] for c in rect["corners"]]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    dx, dy = (x1 - x0) * 0.15, (y1 - y0) * 0.15
    return rgb[int(y0 + dy):int(y1 - dy), int(x0 + dx):int(x1 - dx)].astype(np.int32)


def _save(rgb: np.ndarray, shots: Path, name: str) -> None:
    Image.fromarray(rgb).save(shots / f"stage-{name}.png")


def _settled(page, timeout: float = 40.0) -> dict:  # type: ignore[no-untyped-def]
    """Wait until the page holds the target delay (within 0.3 s) and say where it is."""
    deadline = time.monotonic() + timeout
    st = _stage(page)
    while time.monotonic() < deadline:
        st = _stage(page)
        if st["delay"] is not None and abs(st["delay"] - st["target"]) < 0.3:
            return st
        time.sleep(0.5)
    raise AssertionError(f"the page never settled at its target delay: {st}")


def _clock_delay(page, skew_ms: int = 0) -> tuple[float, np.ndarray] | None:  # type: ignore[no-untyped-def]
    """Seconds between the pixel clock on the screen and the true wall clock the canvas was
    drawn at (``skew_ms``: how far the page's clock is off)."""
    for _ in range(10):
        rgb, at, rect = _canvas(page)
        ms = read_clock(rgb, rect["corners"])
        if ms is not None:
            return (at - skew_ms - ms) / 1000, rgb
        time.sleep(0.1)
    return None


def test_live_stream_on_the_stage_screen_in_sync(server: WorldServer, live, browser, shots: Path) -> None:  # type: ignore[no-untyped-def]
    stream, http = live
    ctx_a = browser.new_context(viewport={"width": 1024, "height": 640})
    ctx_b = browser.new_context(viewport={"width": 1024, "height": 640})
    try:
        a = ctx_a.new_page()
        errors: list[str] = []
        a.on("pageerror", lambda e: errors.append(str(e)))
        _open(a, server)
        st = _stage(a)
        assert st["attached"], "the page did not find the scene's stage_screen mesh"
        assert st["shown"] == "idle"
        # the event's title card before it starts
        a.evaluate("(title) => window.cloudpark.stage.play({state: 'scheduled', title, starts: Date.now() / 1000 + 600})", TITLE)
        _wait_shown(a, "title")
        a.wait_for_timeout(300)
        card, _, rect = _canvas(a)
        _save(card, shots, "title-card")
        card_px = _region(card, rect)
        assert card_px.shape[0] > 40 and card_px.shape[1] > 80, f"the screen is too small in the view: {rect}"
        # live: moving frames
        a.evaluate("(url) => window.cloudpark.stage.play({state: 'live', url, title: 'Spring showcase'})", http.url())
        st = _wait_shown(a, "video", timeout=40)
        assert st["mode"] == "live" and st["src"] == http.url()
        a.wait_for_timeout(500)
        one, _, rect = _canvas(a)
        a.wait_for_timeout(1000)
        two, _, _ = _canvas(a)
        _save(one, shots, "live-1")
        _save(two, shots, "live-2")
        p1, p2 = _region(one, rect), _region(two, rect)
        moved = np.abs(p1 - p2).max(axis=-1) > 40
        assert moved.mean() > 0.05, f"the screen did not change between two pictures ({moved.mean():.3f})"
        not_card = np.abs(p1 - card_px).max(axis=-1) > 40
        assert not_card.mean() > 0.3, f"the screen still shows the title card ({not_card.mean():.3f})"
        # testsrc2's colours are on the screen (its saturated bars): not a blank or grey surface
        sat = p1.max(axis=-1) - p1.min(axis=-1)
        assert (sat > 120).mean() > 0.1, "no saturated test-pattern colours on the screen"
        st_a = _settled(a)
        assert 0.95 <= st_a["rate"] <= 1.05
        # a late joiner whose machine's clock is 5 s fast: a second page with ?stream= starts
        # at the live edge and aligns on the world server's clock (ping / pong)
        b = ctx_b.new_page()
        b.add_init_script(f"(() => {{ const real = Date.now; Date.now = () => real() + {SKEW_MS}; }})()")
        b.on("pageerror", lambda e: errors.append(str(e)))
        _open(b, server, f"&stream={http.url()}")
        _wait_shown(b, "video", timeout=40)
        st_b = _settled(b)
        a_now, b_now = _stage(a), _stage(b)
        assert abs(b_now["clockOffset"] + SKEW_MS / 1000) < 0.2, b_now["clockOffset"]
        assert abs(a_now["clockOffset"]) < 0.2, a_now["clockOffset"]
        spread_pdt = abs(a_now["delay"] - b_now["delay"])
        print(f"stage delay (program date time): A {a_now['delay']:.2f} s, B {b_now['delay']:.2f} s, "
              f"target {a_now['target']} s, spread {spread_pdt:.2f} s, seeks A {st_a['seeks']} B {st_b['seeks']}")
        assert spread_pdt < 0.5, (a_now, b_now)
        if stream.clock:
            got_a, got_b = _clock_delay(a), _clock_delay(b, skew_ms=SKEW_MS)
            assert got_a is not None and got_b is not None, "the pixel clock could not be read from the canvas"
            (da, img_a), (db, img_b) = got_a, got_b
            _save(img_a, shots, "sync-a")
            _save(img_b, shots, "sync-b")
            print(f"stage delay (pixel clock on the canvas): A {da:.2f} s, B {db:.2f} s, spread {abs(da - db):.2f} s")
            assert 1.0 < da < 8.0 and 1.0 < db < 8.0, (da, db)
            assert abs(da - db) < 1.0, f"two viewers are {abs(da - db):.2f} s apart"
        assert not errors, errors
    finally:
        ctx_a.close()
        ctx_b.close()


def test_interrupted_card_and_recovery(server: WorldServer, live, page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    _stream, http = live
    _open(page, server, f"&stream={http.url()}")
    _wait_shown(page, "video", timeout=40)
    # the server says the source failed: the card, in the viewer's language
    page.evaluate("(url) => window.cloudpark.stage.play({state: 'interrupted', url, title: 'Spring showcase'})", http.url())
    _wait_shown(page, "interrupted")
    page.wait_for_timeout(300)
    rgb, _, rect = _canvas(page)
    _save(rgb, shots, "interrupted")
    px = _region(rgb, rect)
    reddish = (px[..., 0] > px[..., 2] + 10).mean()
    assert reddish > 0.5, f"the interrupted card (dark red) is not on the screen ({reddish:.2f})"
    page.evaluate("(url) => window.cloudpark.stage.play({state: 'live', url})", http.url())
    _wait_shown(page, "video")
    # the source itself goes away (404): the page notices, shows the card and keeps retrying
    http.broken = True
    try:
        st = _wait_shown(page, "interrupted", timeout=30)
        assert st["stalled"]
        asked = http.requests
        page.wait_for_timeout(6000)
        assert http.requests > asked, "the page stopped asking for the stream"
    finally:
        http.broken = False
    st = _wait_shown(page, "video", timeout=40)
    assert st["mode"] == "live"


def test_replay_on_demand_and_sound(server: WorldServer, replay: HlsServer, live, page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    _stream, http = live
    _open(page, server, "&lang=zh")
    # a relative address is a path on the web app: from the world server's page, its port 8765
    st = page.evaluate("() => window.cloudpark.stage.play({state: 'interrupted', url: '/streams/7/live.m3u8'})")
    assert st["src"] == "http://127.0.0.1:8765/streams/7/live.m3u8" and st["shown"] == "interrupted", st
    page.evaluate("() => window.cloudpark.switchLang('zh')")
    page.evaluate("(url) => window.cloudpark.stage.play({state: 'ended', url, title: '春季发布会'})", replay.url("replay.m3u8"))
    _wait_shown(page, "ended")
    button = page.locator("#stage-replay")
    assert button.is_visible() and button.inner_text() == "观看回放"
    page.wait_for_timeout(300)
    rgb, _, _ = _canvas(page)
    _save(rgb, shots, "ended")
    button.click()
    st = _wait_shown(page, "video", timeout=30)
    assert st["mode"] == "replay" and st["sound"], st
    page.wait_for_function("() => window.cloudpark.state().stage.currentTime > 1.5", timeout=20000)
    page.screenshot(path=str(shots / "stage-replay.png"))
    # live again: muted until a tap; the tap turns positional sound on
    page.evaluate("(url) => window.cloudpark.stage.play({state: 'live', url})", http.url())
    _wait_shown(page, "video", timeout=40)
    sound = page.locator("#stage-sound")
    assert sound.is_visible()
    page.evaluate("() => window.cloudpark.stage.toggleSound()")  # a replay's tap kept sound on: off, then on by a tap
    assert _stage(page)["muted"]
    assert sound.inner_text() == "点击开启舞台声音"
    sound.click()
    st = _stage(page)
    assert st["sound"] and not st["muted"]
    assert sound.inner_text() == "关闭舞台声音"
    audio = page.evaluate("""() => { const s = window.cloudpark.stage.sound;
        return {model: s.getDistanceModel(), ref: s.getRefDistance(), max: s.getMaxDistance(), parent: s.parent.name}; }""")
    assert audio == {"model": "linear", "ref": 8, "max": 80, "parent": "stage_screen"}, audio
    assert 8 < st["distance"] < 25 and 0.7 < st["level"] <= 1.0, st
    page.screenshot(path=str(shots / "stage-sound.png"))


def test_vr_viewers_see_the_stream_on_the_same_screen(server: WorldServer, live, page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """In VR (the scripted WebXR device) the stage screen keeps playing: the headset's
    picture shows the moving test pattern on the screen."""
    _stream, http = live
    page.add_init_script((Path(__file__).parent / "xr_mock.js").read_text(encoding="utf-8"))
    _open(page, server, f"&stream={http.url()}")
    _wait_shown(page, "video", timeout=40)
    page.click("#enter-vr")
    page.wait_for_function("() => window.cloudpark.state().xr.mode === 'vr' && window.cloudpark.state().xr.frames > 5",
                           timeout=20000)
    st = _stage(page)
    assert st["sound"] and not st["muted"], "entering VR (a tap) did not bring the stage's sound"
    page.evaluate("() => { window.cloudpark.world.rig.rotation.y = Math.PI; }")  # turned round to face the stage (south)
    one, _, rect = _canvas(page)
    page.wait_for_timeout(1000)
    two, _, _ = _canvas(page)
    _save(one, shots, "vr")
    p1, p2 = _region(one, rect), _region(two, rect)
    assert p1.shape[0] > 20 and p1.shape[1] > 40, rect
    sat = p1.max(axis=-1) - p1.min(axis=-1)
    assert (sat > 120).mean() > 0.2, f"no test pattern on the screen in VR ({(sat > 120).mean():.2f})"
    assert (np.abs(p1 - p2).max(axis=-1) > 40).mean() > 0.01, "the picture in VR did not move"
    assert _stage(page)["shown"] == "video"


class _Stages:
    """The showcase service's side of the world server's stage board (``StageSource``)."""

    def __init__(self) -> None:
        self.now: dict[str, object] = {}

    async def stage_of(self, park_id: str) -> object | None:
        return self.now.get(park_id)


def test_the_world_servers_stage_message_drives_the_screen(server: WorldServer, live, replay: HlsServer,
                                                          page, shots: Path) -> None:  # type: ignore[no-untyped-def]
    """End to end through the wire: the world server's stage board pushes `stage` (scheduled,
    live, interrupted, ended) and the page's screen follows, in the viewer's language."""
    from server.stage_board import StageState

    _stream, http = live
    stages = _Stages()
    server.call(lambda app: setattr(app.stages, "source", stages))

    def stage_is(**kw: object) -> None:
        stages.now[PARK] = StageState(event=7, title_zh="春季发布会", title_en="Spring showcase", **kw)  # type: ignore[arg-type]
        server.run(server.app.stages.refresh(PARK))  # type: ignore[union-attr]

    page.context.add_cookies([{"name": "lang", "value": "zh", "url": server.url("/")}])
    page.goto(server.url(f"/web/{PARK}/?spawn=stage&name=Viewer"))
    page.wait_for_function("() => window.cloudpark && window.cloudpark.state && window.cloudpark.state().you", timeout=30000)
    page.evaluate("() => document.getElementById('account').hidden = true")
    assert _stage(page)["shown"] == "idle"
    stage_is(state="scheduled", starts=int(time.time()) + 3600)
    st = _wait_shown(page, "title")
    assert st["title"] == "春季发布会" and st["event"] == 7
    stage_is(state="live", hls=http.url())
    st = _wait_shown(page, "video", timeout=40)
    assert st["src"] == http.url() and st["mode"] == "live"
    stage_is(state="interrupted", hls=http.url())
    _wait_shown(page, "interrupted")
    stage_is(state="ended", hls=replay.url("replay.m3u8"))
    _wait_shown(page, "ended")
    assert page.locator("#stage-replay").inner_text() == "观看回放"
    page.locator("#stage-replay").click()
    st = _wait_shown(page, "video", timeout=30)
    assert st["mode"] == "replay" and st["src"] == replay.url("replay.m3u8")
    rgb, _, _ = _canvas(page)
    _save(rgb, shots, "from-the-server")
