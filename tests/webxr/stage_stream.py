"""A real live HLS stream and a park with a stage screen, for the stage screen tests of
both clients (tests/webxr/test_stage_screen*.py, tests/client/test_stage_screen*.py).

- ``LiveHls``: Debian's ffmpeg encoding its ``testsrc2`` pattern (and a sine tone) in real
  time into a sliding HLS playlist with 1 s segments and EXT-X-PROGRAM-DATE-TIME on every
  segment, the encoding of docs/showcases.md (H.264 640x360, 25 fps, a keyframe a second).
- ``HlsServer``: a real HTTP server in a thread serving that folder (playlists no-cache,
  segments immutable, CORS open like a CDN); ``broken = True`` answers 404 to everything,
  which is what a stream source that fails looks like to a viewer.
- ``stage_layout`` / ``stage_glb``: the hand-built test park (tests/webxr/scene.py) with a
  spawn facing the stage and a UV-mapped ``stage_screen`` quad as the scene builder writes
  it (u left to right as the audience sees it, v down, an sRGB PNG idle card).
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import io
import json
import math
import shutil
import struct
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image

from tests.webxr.scene import build_glb, park_layout
from world.layout import ParkLayout, Spawn

FFMPEG = "/usr/bin/ffmpeg"
CARD_RGB = (40, 60, 160)  # the idle card in the .glb: a blue nothing in testsrc2 keeps for long
SCREEN_Y = -16.8  # the screen stands on the stage (centre y -16), facing +y (the audience)
SCREEN_BOTTOM = 1.2
SCREEN_W, SCREEN_H = 6.0, 3.0


def stage_layout(park_id: str = "test-park") -> ParkLayout:
    """The test park plus a spawn ``stage`` in the audience, facing the stage (south)."""
    base = park_layout(park_id)
    return dataclasses.replace(base, spawns=(*base.spawns, Spawn("stage", 1.2, -7.0, -math.pi / 2)))


def _card_png() -> bytes:
    img = Image.new("RGB", (128, 72), CARD_RGB)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def stage_glb(layout: ParkLayout) -> bytes:
    """``tests.webxr.scene.build_glb`` with the ``stage_screen`` node added (child of a
    ``stage`` node, as the scene builder names them)."""
    glb = build_glb(layout)
    json_len = struct.unpack_from("<I", glb, 12)[0]
    doc = json.loads(glb[20:20 + json_len])
    blob = bytearray(glb[20 + json_len + 8:])
    hw = SCREEN_W / 2
    z = -SCREEN_Y  # glTF (x, up, -y)
    # seen from the audience (looking towards -y) left is +x: u = 0 there; v = 0 at the top
    pos = np.array([(hw, SCREEN_BOTTOM, z), (-hw, SCREEN_BOTTOM, z), (-hw, SCREEN_BOTTOM + SCREEN_H, z),
                    (hw, SCREEN_BOTTOM + SCREEN_H, z)], np.float32)
    nor = np.array([(0, 0, -1)] * 4, np.float32)
    uv = np.array([(0, 1), (1, 1), (1, 0), (0, 0)], np.float32)
    idx = np.array([0, 1, 2, 0, 2, 3], np.uint16)  # counter-clockwise seen from the audience

    def view(data: bytes, target: int | None) -> int:
        while len(blob) % 4:
            blob.append(0)
        v = {"buffer": 0, "byteOffset": len(blob), "byteLength": len(data)}
        if target:
            v["target"] = target
        doc["bufferViews"].append(v)
        blob.extend(data)
        return len(doc["bufferViews"]) - 1

    acc = doc["accessors"]
    a0 = len(acc)
    acc += [
        {"bufferView": view(pos.tobytes(), 34962), "componentType": 5126, "count": 4, "type": "VEC3",
         "min": pos.min(axis=0).tolist(), "max": pos.max(axis=0).tolist()},
        {"bufferView": view(nor.tobytes(), 34962), "componentType": 5126, "count": 4, "type": "VEC3"},
        {"bufferView": view(uv.tobytes(), 34962), "componentType": 5126, "count": 4, "type": "VEC2"},
        {"bufferView": view(idx.tobytes(), 34963), "componentType": 5123, "count": 6, "type": "SCALAR"},
    ]
    doc["images"] = [{"bufferView": view(_card_png(), None), "mimeType": "image/png"}]
    doc["samplers"] = [{"magFilter": 9729, "minFilter": 9729}]
    doc["textures"] = [{"source": 0, "sampler": 0}]
    doc["materials"].append({"name": "screen", "pbrMetallicRoughness": {
        "baseColorTexture": {"index": 0}, "metallicFactor": 0.0, "roughnessFactor": 0.3},
        "emissiveTexture": {"index": 0}, "emissiveFactor": [0.9, 0.9, 0.9]})
    doc["meshes"].append({"name": "stage_screen", "primitives": [{"attributes": {
        "POSITION": a0, "NORMAL": a0 + 1, "TEXCOORD_0": a0 + 2}, "indices": a0 + 3,
        "material": len(doc["materials"]) - 1}]})
    stage = next(i for i, n in enumerate(doc["nodes"]) if n["name"] == "stage")
    doc["nodes"].append({"name": "stage_screen", "mesh": len(doc["meshes"]) - 1,
                         "extras": {"width": SCREEN_W, "height": SCREEN_H}})
    doc["nodes"][stage]["children"] = [len(doc["nodes"]) - 1]
    while len(blob) % 4:
        blob.append(0)
    doc["buffers"] = [{"byteLength": len(blob)}]
    js = json.dumps(doc, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 4)
    total = 12 + 8 + len(js) + 8 + len(blob)
    return (struct.pack("<4sII", b"glTF", 2, total) + struct.pack("<II", len(js), 0x4E4F534A) + js
            + struct.pack("<II", len(blob), 0x004E4942) + bytes(blob))


class LiveHls:
    """ffmpeg's test pattern encoded live into ``folder/live.m3u8``.

    With ``clock`` (the default when world.stream_clock is there) every frame carries the
    source's wall clock as B's pixel code (``world.stream_clock.paint``), burnt in here as the
    frame is handed to the encoder: a thread reads testsrc2 frames from one ffmpeg, paints
    the time at the frame's due moment (25 fps by the wall clock) and pipes them into the
    encoding ffmpeg. Without it one ffmpeg encodes testsrc2 in real time (``-re``)."""

    W, H, FPS = 640, 360, 25

    def __init__(self, folder: Path, list_size: int = 12, clock: bool | None = None) -> None:
        self.folder = folder
        self.list_size = list_size
        self.clock = _has_clock() if clock is None else clock
        self.procs: list[subprocess.Popen[bytes]] = []
        self.stopping = threading.Event()
        self.painted = 0

    def _encoder(self, video_in: list[str]) -> list[str]:
        return [FFMPEG, "-hide_banner", "-loglevel", "error", *video_in,
                "-re", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-map", "0:v", "-map", "1:a", "-shortest",  # the tone ends with the pictures
                "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
                "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                "-c:a", "aac", "-b:a", "64k",
                "-f", "hls", "-hls_time", "1", "-hls_list_size", str(self.list_size),
                "-hls_flags", "delete_segments+program_date_time+independent_segments",
                "-hls_segment_filename", str(self.folder / "seg%05d.ts"), str(self.folder / "live.m3u8")]

    def start(self, wait_segments: int = 4, timeout: float = 40.0) -> LiveHls:
        if not shutil.which(FFMPEG):
            raise RuntimeError(f"{FFMPEG} is missing: run bash tools/setup.sh")
        self.folder.mkdir(parents=True, exist_ok=True)
        pattern = f"testsrc2=size={self.W}x{self.H}:rate={self.FPS}"
        if self.clock:
            source = subprocess.Popen(  # noqa: S603
                [FFMPEG, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", pattern,
                 "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
            enc = subprocess.Popen(self._encoder(  # noqa: S603
                ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{self.W}x{self.H}", "-r", str(self.FPS), "-i", "pipe:0"]),
                stdin=subprocess.PIPE, stderr=subprocess.PIPE)
            self.procs = [source, enc]
            threading.Thread(target=self._paint, args=(source, enc), name="pixel-clock", daemon=True).start()
        else:
            self.procs = [subprocess.Popen(self._encoder(["-re", "-f", "lavfi", "-i", pattern]),  # noqa: S603
                                           stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            enc = self.procs[-1]
            if enc.poll() is not None:
                raise RuntimeError(f"ffmpeg stopped: {enc.stderr.read().decode() if enc.stderr else ''}")
            if self.segments() >= wait_segments:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"ffmpeg wrote fewer than {wait_segments} segments in {timeout:.0f} s")

    def _paint(self, source: subprocess.Popen[bytes], enc: subprocess.Popen[bytes]) -> None:
        from world.stream_clock import paint

        size = self.W * self.H * 3
        assert source.stdout is not None and enc.stdin is not None
        t0 = time.time()
        n = 0
        try:
            while not self.stopping.is_set():
                raw = source.stdout.read(size)
                if len(raw) < size:
                    break
                due = t0 + n / self.FPS
                wait = due - time.time()
                if wait > 0:
                    time.sleep(wait)
                frame = np.frombuffer(bytearray(raw), np.uint8).reshape(self.H, self.W, 3)
                paint(frame, int(time.time() * 1000))
                enc.stdin.write(frame.tobytes())
                n += 1
                self.painted = n
        except (BrokenPipeError, ValueError, OSError):
            pass
        finally:
            try:
                enc.stdin.close()
            except OSError:
                pass

    def segments(self) -> int:
        try:
            return (self.folder / "live.m3u8").read_text().count("#EXTINF")
        except OSError:
            return 0

    def stop(self) -> None:
        """Every ffmpeg killed: a stopped test stream needs no clean end, and a signalled
        ffmpeg blocked on a full pipe made each stop wait its whole timeout (10 s)."""
        self.stopping.set()
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
        for proc in self.procs:
            proc.wait(5)


@contextmanager
def serving_live(folder: Path, wait_segments: int = 5) -> Iterator[tuple[LiveHls, HlsServer]]:
    """A live test stream in ``folder`` and an HTTP server for it, both stopped after."""
    stream = LiveHls(folder).start(wait_segments=wait_segments)
    http = HlsServer(folder).start()
    try:
        yield stream, http
    finally:
        http.stop()
        stream.stop()


def make_vod(folder: Path, seconds: int = 6) -> Path:
    """A recording as the packager leaves it after an event: ``folder/replay.m3u8``, a VOD
    playlist (EXT-X-ENDLIST) of the test pattern in 1 s segments."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"testsrc2=size=640x360:rate=25:duration={seconds}", "-c:v", "libx264", "-preset", "veryfast",
                    "-pix_fmt", "yuv420p", "-g", "25", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
                    "-hls_segment_filename", str(folder / "r%03d.ts"), str(folder / "replay.m3u8")],
                   check=True, timeout=120)
    return folder / "replay.m3u8"


def _has_clock() -> bool:
    try:
        import world.stream_clock  # noqa: F401  (helper B's pixel clock)
    except ImportError:
        return False
    return True


def read_clock(rgb: np.ndarray, corners: list[dict[str, float]]) -> int | None:
    """The pixel clock on the stage screen in a picture of the 3D view: the screen's quad
    (its corners with their u, v) straightened to 640x360 and decoded."""
    from world.stream_clock import decode

    by_uv = {(round(c["u"]), round(c["v"])): (c["x"], c["y"]) for c in corners}
    quad = (*by_uv[(0, 0)], *by_uv[(0, 1)], *by_uv[(1, 1)], *by_uv[(1, 0)])  # UL, LL, LR, UR
    flat = Image.fromarray(rgb).transform((640, 360), Image.Transform.QUAD, quad, Image.Resampling.BILINEAR)
    return decode(np.asarray(flat))


class _Handler(http.server.SimpleHTTPRequestHandler):
    server_state: HlsServer

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server_state
        state.requests += 1
        if state.broken:
            self.send_error(404, "stream source gone")
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        if self.path.split("?")[0].endswith(".m3u8"):
            self.send_header("Cache-Control", "no-cache")
        else:
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        super().end_headers()

    def guess_type(self, path: str) -> str:  # type: ignore[override]
        if str(path).endswith(".m3u8"):
            return "application/vnd.apple.mpegurl"
        if str(path).endswith(".ts"):
            return "video/mp2t"
        return super().guess_type(path)


class _Quiet(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # type: ignore[arg-type]
        # a viewer that went away mid-segment (a seek, a stop) is not an error


class HlsServer:
    """A real HTTP server on 127.0.0.1 (port 0) serving ``folder`` in a thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.broken = False
        self.requests = 0
        handler = functools.partial(type("H", (_Handler,), {"server_state": self}), directory=str(folder))
        self.httpd = _Quiet(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="hls-server", daemon=True)

    def start(self) -> HlsServer:
        self.thread.start()
        return self

    def url(self, name: str = "live.m3u8") -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
