"""End to end: a real server, a headless Panda3D client, a websocket bot.

The client joins 798 Art Zone, walks to a booth (its panel opens), sees the bot
walk, and saves screenshots that must show the scene and avatars (not blank).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from world.glb import layout_from_glb
from world.protocol import messages as M
from world.protocol.codec import decode_server, encode
from world.protocol.constants import SUBPROTOCOL

PARK = "798-art-zone"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from server.app import App
    from server.config import ServerConfig

    data = tmp_path_factory.mktemp("data")
    exe = Path(sys.executable).with_name("cloudpark")
    subprocess.run([str(exe), "scenes", "build", "--out", str(data / "scenes"), "--park", PARK],
                   check=True, capture_output=True, timeout=600)
    loop = asyncio.new_event_loop()
    app = App(ServerConfig(port=0, data_dir=data, build_scenes=False))
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(app.start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(60)
    yield app, data
    asyncio.run_coroutine_threadsafe(app.stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)


def bot(url: str, stop: threading.Event) -> None:
    """A second visitor walking back and forth near the spawn."""
    from websockets.sync.client import connect

    with connect(url, subprotocols=[SUBPROTOCOL], compression=None) as ws:  # type: ignore[list-item]
        ws.send(encode(M.Hello(v=1, client="test-bot")))
        ws.send(encode(M.Guest(name="Bot", color=0xFF3030)))
        ws.send(encode(M.Join(park=PARK)))
        seq = 0
        while not stop.is_set():
            seq += 1
            direction = 1.0 if (seq // 40) % 2 == 0 else -1.0
            ws.send(encode(M.Input(s=seq, mx=direction, my=0.0, yaw=0.0 if direction > 0 else 3.14)))
            try:
                while True:
                    decode_server(ws.recv(timeout=0))
            except TimeoutError:
                pass
            time.sleep(0.05)


@pytest.mark.skipif(shutil.which("Xvfb") is None and not Path("/usr/lib").exists(), reason="no renderer")
def test_headless_client_visits_a_booth_and_sees_the_bot(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, data = server
    url = f"ws://127.0.0.1:{app.port}/ws"
    assert layout_from_glb((data / "scenes" / f"{PARK}.glb").read_bytes()).booths
    script = [
        {"do": "wait_visitors", "count": 1, "timeout": 20},
        {"do": "wait", "for": 1.0},
        {"do": "camera", "heading": 45, "pitch": 25, "distance": 9},
        {"do": "screenshot", "name": "crowd"},
        {"do": "walk_to", "booth": "nearest", "timeout": 60},
        {"do": "wait_booth", "timeout": 10},
        {"do": "screenshot", "name": "booth"},
        {"do": "quit"},
    ]
    (tmp_path / "script.json").write_text(json.dumps(script))
    shots = tmp_path / "shots"
    stop = threading.Event()
    t = threading.Thread(target=bot, args=(url, stop), daemon=True)
    t.start()
    env_cache = tmp_path / "cache"
    try:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("cloudpark")), "client", "--server", url, "--park", PARK,
             "--name", "Tester", "--offscreen", "--script", str(tmp_path / "script.json"),
             "--screenshot", str(shots), "--size", "960x540", "--max-seconds", "150"],
            capture_output=True, text=True, timeout=240, cwd=ROOT,
            env={**__import__("os").environ, "CLOUDPARK_CACHE": str(env_cache)},
        )
    finally:
        stop.set()
    assert done.returncode == 0, done.stderr[-3000:]
    assert "booth panel open: " in done.stderr, "the client never reached a booth's panel"
    assert list((env_cache / "scenes").glob("*.glb")), "the scene was cached by content hash"
    for name in ("crowd", "booth"):
        img = np.asarray(Image.open(shots / f"{name}.png").convert("RGB"), dtype=np.float32)
        assert img.std() > 20, f"{name}: nearly blank"
        colours = {tuple(c) for c in (img[::8, ::8] // 32).reshape(-1, 3).astype(int)}
        assert len(colours) > 12, f"{name}: too few colours"
    # the bot's red shirt is in the crowd shot: an avatar is visible
    crowd = np.asarray(Image.open(shots / "crowd.png").convert("RGB"), dtype=np.int32)
    red = (crowd[..., 0] > crowd[..., 1] + 70) & (crowd[..., 0] > crowd[..., 2] + 70)  # PBR pales it
    assert red.sum() > 30, "no red (bot) avatar pixels in the crowd screenshot"
    shutil.copytree(shots, ROOT / "var" / "client-shots", dirs_exist_ok=True)
