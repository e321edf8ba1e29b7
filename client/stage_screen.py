"""The stage screen in the desktop client: the showcase's stream on the scene's
``stage_screen`` quad, in step with every other viewer.

``StreamPlayer`` (client/stage_stream.py) decodes the HLS on its own thread and hands on
each frame when it is due (the source clock plus the common target delay); once per
frame ``update()`` uploads the newest one into a Panda3D texture (``setRamImage``, the
main thread). States as the browser shows them (the world server's ``stage`` message,
``--stream URL`` or the script step ``stage``): live (the stream; "stream interrupted"
when it stops or fails, while it is retried), interrupted (the card), ended (a card; the
replay plays with ``replay()``), scheduled / none (the title card; none without a title:
the scene's own idle picture). The cards are drawn with PIL in the person's language.

The screen is drawn unlit. Under simplepbr a two-line shader hands the tone map the
inverse of each texel (``client.colour.filmic_inverse`` in GLSL), so the screen shows the
video's own sRGB colours, as the sky dome does; the other paths show the texture as is.
Sound: none (the client runs Panda3D with its null audio library).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from panda3d.core import NodePath, Shader, Texture, TextureStage
from PIL import Image, ImageDraw, ImageFont

from client.stage_stream import TARGET_DELAY_S, Frame, StreamPlayer

log = logging.getLogger(__name__)

CARD_W, CARD_H = 1024, 576
STATES = ("live", "interrupted", "ended", "scheduled", "none")
FONTS = (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
         Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
         Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
REPORT_S = 2.0  # how often the delay is logged while the stream plays

_VERT = """#version 120
uniform mat4 p3d_ModelViewProjectionMatrix;
attribute vec4 p3d_Vertex;
attribute vec2 p3d_MultiTexCoord0;
varying vec2 uv;
void main() { gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex; uv = p3d_MultiTexCoord0; }
"""
# simplepbr's filmic tone map y = x(6.2x + 0.5) / (x(6.2x + 1.7) + 0.06) after x - 0.004, inverted
_FRAG = """#version 120
uniform sampler2D screen_tex;
varying vec2 uv;
void main() {
  vec3 y = clamp(texture2D(screen_tex, uv).rgb, 0.0, 0.995);
  vec3 a = 6.2 * (1.0 - y);
  vec3 b = 0.5 - 1.7 * y;
  vec3 x = (-b + sqrt(b * b + 0.24 * a * y)) / (2.0 * a);
  gl_FragColor = vec4(x + 0.004 * step(0.0001, y), 1.0);
}
"""

Translate = Callable[..., str]


def stage_state(m: object) -> dict[str, object]:
    """A stage state from the ``stage`` message (a struct) or a dict (script, ``--stream``)."""
    get = m.get if isinstance(m, dict) else (lambda k, d=None: getattr(m, k, d))
    state = str(get("state", "none") or "none")
    url = str(get("url", "") or get("hls", "") or "")
    return {"state": state if state in STATES else "none", "url": url,
            "replay": str(get("replay", "") or (url if state == "ended" else "")),
            "title": str(get("title", "") or ""), "event": get("event", 0) or 0,
            "starts": float(get("starts", 0) or 0)}


def card_image(title: str, line2: str, alarm: bool) -> Image.Image:
    """The screen's card (the browser's: stage_screen.js drawCard), as an RGB picture."""
    top, bottom = ((58, 29, 29), (26, 12, 12)) if alarm else ((23, 35, 63), (11, 18, 34))
    ramp = np.linspace(0.0, 1.0, CARD_H)[:, None]
    rows = (np.array(top) * (1 - ramp) + np.array(bottom) * ramp).astype(np.uint8)
    img = Image.fromarray(np.repeat(rows[:, None, :], CARD_W, axis=1).reshape(CARD_H, CARD_W, 3))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, CARD_H - 18, CARD_W, CARD_H), fill=(226, 85, 63) if alarm else (61, 123, 224))
    big, small = _font(64), _font(44)
    y = CARD_H / 2 - (50 if line2 else 0)
    _centred(draw, title, y, big, (255, 255, 255))
    if line2:
        _centred(draw, line2, CARD_H / 2 + 60, small, (255, 180, 166) if alarm else (200, 214, 240))
    return img


def _font(px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONTS:
        if path.exists():
            try:
                return ImageFont.truetype(str(path), px, index=2 if path.suffix == ".ttc" and "Noto" in path.name else 0)
            except OSError:
                continue
    return ImageFont.load_default()


def _centred(draw: ImageDraw.ImageDraw, text: str, y: float, font: object, fill: tuple[int, int, int]) -> None:
    s = text
    while len(s) > 1 and draw.textlength(s, font=font) > CARD_W - 80:  # type: ignore[arg-type]
        s = s[:-2] + "…"
    draw.text((CARD_W / 2, y), s, font=font, fill=fill, anchor="mm")  # type: ignore[arg-type]


def ram_image(rgb: Image.Image) -> bytes:
    """A picture as a Panda3D RAM image: BGR, bottom row first."""
    return np.ascontiguousarray(np.asarray(rgb.convert("RGB"))[::-1, :, ::-1]).tobytes()


class StageScreen:
    """The ``stage_screen`` of the park shown, and what plays on it."""

    def __init__(self, render: NodePath, translate: Translate, lang: Callable[[], str], *, linear: bool,
                 resolve: Callable[[str], str] = lambda u: u, target_delay: float = TARGET_DELAY_S,
                 clock: Callable[[], float] = time.time) -> None:
        self.render = render
        self.translate = translate
        self.lang = lang
        self.linear = linear
        self.resolve = resolve
        self.target = target_delay
        self.clock = clock
        self.node: NodePath | None = None
        self.stage = stage_state({})
        self.player: StreamPlayer | None = None
        self.mode: str | None = None  # live | replay
        self.shown = "idle"  # video | connecting | interrupted | ended | title | idle
        self.video = Texture("stage-video")
        self.video.setup2dTexture(640, 360, Texture.T_unsigned_byte, Texture.F_rgb8)
        self.video.setRamImage(bytes(640 * 360 * 3))
        self.card = Texture("stage-card")
        self.card.setup2dTexture(CARD_W, CARD_H, Texture.T_unsigned_byte, Texture.F_rgb8)
        for tex in (self.video, self.card):
            tex.setMinfilter(Texture.FT_linear)
            tex.setMagfilter(Texture.FT_linear)
            tex.setWrapU(Texture.WM_clamp)
            tex.setWrapV(Texture.WM_clamp)
        self.shader = Shader.make(Shader.SL_GLSL, _VERT, _FRAG) if linear else None
        self.stage_ts = TextureStage("stage-screen")
        self.card_key: tuple[object, ...] | None = None
        self.last_frame: Frame | None = None
        self.uploaded = 0
        self.clock_delay: float | None = None  # from the pixel clock in the texture, when the stream carries one
        self._reported = 0.0
        self.offset = 0.0  # the world server's clock minus this machine's (ping / pong), s
        self.clock_samples: list[tuple[float, float]] = []  # (round trip, offset)

    def now(self) -> float:
        """The wall clock viewers agree on: the world server's (it stamps the stream's program
        date time), from the quickest of the last 8 ping / pong round trips."""
        return self.clock() + self.offset

    def clock_sample(self, sent: float, server: float, arrived: float) -> None:
        """A ``pong``: our send time, the server's time, our arrival time (epoch s)."""
        if not (sent <= arrived and all(math.isfinite(v) for v in (sent, server, arrived))):
            return
        self.clock_samples = [*self.clock_samples[-7:], (arrived - sent, server - (sent + arrived) / 2)]
        self.offset = min(self.clock_samples)[1]

    # --- the scene ------------------------------------------------------------------

    def attach(self, model: NodePath) -> bool:
        """Take the scene's screen out of ``model`` before it is flattened (the flatten would
        merge it away); it is kept under ``render``. The old scene's screen goes."""
        if self.node is not None:
            self.node.removeNode()
            self.node = None
        found = model.find("**/stage_screen")
        if found.isEmpty():
            log.info("stage screen: the scene has none")
            return False
        found.wrtReparentTo(self.render)
        self.node = found
        self.card_key = None
        self._apply(force=True)
        log.info("stage screen: attached")
        return True

    # --- states -----------------------------------------------------------------------

    def play(self, message: object) -> str:
        self.stage = stage_state(message)
        state, url = self.stage["state"], str(self.stage["url"])
        if state in ("live", "interrupted") and url:
            want = self.resolve(url)
            if self.mode != "live" or self.player is None or self.player.url != want:
                self._load(want, live=True)
        elif self.mode == "live" or (self.mode == "replay" and state != "ended"):
            self._unload()
        self._apply()
        log.info("stage: %s%s (showing %s)", state, f" {url}" if url else "", self.shown)
        return self.shown

    def replay(self) -> bool:
        """The recording from its start (the state must be ended with a replay address)."""
        url = str(self.stage["replay"] or self.stage["url"])
        if self.stage["state"] != "ended" or not url:
            return False
        self._load(self.resolve(url), live=False)
        self._apply()
        return True

    def _load(self, url: str, *, live: bool) -> None:
        self._unload()
        self.player = StreamPlayer(url, live=live, target_delay=self.target, clock=self.now).start()
        self.mode = "live" if live else "replay"
        self.last_frame = None

    def _unload(self) -> None:
        if self.player is not None:
            self.player.stop()
        self.player = None
        self.mode = None
        self.last_frame = None

    def stop(self) -> None:
        self._unload()

    # --- once per frame (main thread) -------------------------------------------------

    def update(self) -> None:
        p = self.player
        if p is not None:
            frame = p.take()
            if frame is not None:
                self._upload(frame)
            if self.mode == "replay" and p.status == "ended" and (self.last_frame is None or
                                                                   self.now() - self.last_frame.shown > 1.0):
                self._unload()
        self._apply()
        now = self.clock()
        if self.shown == "video" and p is not None and now - self._reported >= REPORT_S:
            self._reported = now
            clock = f"{self.clock_delay:.2f} s" if self.clock_delay is not None else "-"
            program = f"{p.delay:.2f} s" if p.delay is not None else "-"
            log.info("stage: delay %s (program clock), %s (pixel clock), target %.1f s, frames %d, dropped %d, "
                     "seeks %d, clock offset %.3f s", program, clock, self.target, p.frames, p.skipped, p.seeks,
                     self.offset)

    def _upload(self, frame: Frame) -> None:
        h, w = frame.image.shape[:2]
        if (self.video.getXSize(), self.video.getYSize()) != (w, h):
            self.video.setup2dTexture(w, h, Texture.T_unsigned_byte, Texture.F_rgb8)
        self.video.setRamImage(frame.image.tobytes())
        self.last_frame = frame
        self.uploaded += 1
        if self.uploaded % 5 == 1:
            self.clock_delay = self._read_clock(frame)

    def _read_clock(self, frame: Frame) -> float | None:
        """The pixel clock (world.stream_clock) in the texture's picture: the source's wall
        clock burnt into the frame's top, read back from what was handed to the screen."""
        try:
            from world.stream_clock import decode
        except ImportError:
            return None
        top = frame.image[::-1][: max(8, frame.image.shape[1] // 16)]  # back to top row first
        ms = decode(top[:, :, ::-1])
        return None if ms is None else round(frame.shown - ms / 1000.0, 3)

    def _shown(self) -> str:
        state = self.stage["state"]
        p = self.player
        has = self.last_frame is not None
        if self.mode == "replay":
            return "video" if has else "ended"
        if state == "live":
            if p is not None and p.status == "interrupted":
                return "interrupted"
            return "video" if has and p is not None and p.status == "playing" else "connecting"
        if state == "interrupted":
            return "interrupted"
        if state == "ended":
            return "ended"
        return "title" if self.stage["title"] else "idle"

    def _apply(self, force: bool = False) -> None:
        shown = self._shown()
        changed = shown != self.shown
        self.shown = shown
        if changed:
            log.info("stage screen: %s", shown)
        if self.node is None:
            return
        if shown == "idle":
            if changed or force:
                self.node.clearShader()
                self.node.clearShaderInput("screen_tex")
                self.node.clearTexture()
                self.node.clearLight()
            return
        tex = self.video if shown == "video" else self.card
        if shown != "video":
            self._draw_card(shown)
        if not (changed or force):
            return
        self.node.setLightOff(100)
        if self.shader is not None:
            self.node.setShader(self.shader, 100)
            self.node.setShaderInput("screen_tex", tex)
        else:
            self.node.setShaderOff(100)
            self.node.setMaterialOff(100)
            self.node.setTextureOff(100)
            self.node.setTexture(self.stage_ts, tex, 101)

    def _draw_card(self, kind: str) -> None:
        t = self.translate
        title = str(self.stage["title"]) or t("client.stage.no_event")
        line2 = ""
        if kind == "interrupted":
            line2 = t("client.stage.interrupted")
        elif kind == "ended":
            line2 = t("client.stage.replay_ready" if self.stage["replay"] or self.stage["url"] else "client.stage.ended")
        elif kind == "connecting":
            line2 = t("client.stage.connecting")
        elif self.stage["state"] == "scheduled" and self.stage["starts"]:
            line2 = t("client.stage.starts", time=time.strftime("%H:%M", time.localtime(float(self.stage["starts"]))))  # type: ignore[arg-type]
        key = (kind, title, line2, self.lang())
        if key == self.card_key:
            return
        self.card_key = key
        self.card.setRamImage(ram_image(card_image(title, line2, kind == "interrupted")))

    def screen_box(self, cam: NodePath, lens: object, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
        """The screen's bounding box on the window (x0, y0, x1, y1 in pixels, y down), for tests."""
        if self.node is None:
            return None
        from panda3d.core import Point2, Point3

        lo, hi = Point3(), Point3()
        if not self.node.calcTightBounds(lo, hi, cam):
            return None
        xs, ys = [], []
        for x in (lo.x, hi.x):
            for y in (lo.y, hi.y):
                for z in (lo.z, hi.z):
                    p2 = Point2()
                    lens.project(Point3(x, y, z), p2)  # type: ignore[attr-defined]
                    xs.append((p2.x + 1) / 2 * size[0])
                    ys.append((1 - p2.y) / 2 * size[1])
        return int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys))

    def state(self) -> dict[str, object]:
        p = self.player
        return {"state": self.stage["state"], "shown": self.shown, "mode": self.mode, "attached": self.node is not None,
                "delay": p.delay if p else None, "clock_delay": self.clock_delay, "frames": self.uploaded,
                "status": p.status if p else None, "clock_offset": round(self.offset, 3)}
