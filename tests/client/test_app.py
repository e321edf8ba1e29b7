"""End to end: a real server, a headless Panda3D client, a websocket bot.

The server is seeded with booth content (an enterprise owns every booth of 798 Art
Zone; its logo comes from a separate local HTTP server, its picture from the game
server's /web/ folder). The bot signs in as that enterprise's staff, goes on duty and
walks in front of the client. The client joins 798 Art Zone, photographs the bot,
walks to a booth (its panel opens with the seeded content and pictures), loses its
connection, resumes with its token and keeps its avatar. Screenshots are checked for
content and copied to var/client-shots/ for people to look at.
"""

from __future__ import annotations

import asyncio
import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import msgspec
import numpy as np
import pytest
from PIL import Image, ImageDraw

from world.glb import layout_from_glb
from world.protocol import messages as M
from world.protocol.codec import decode_server, encode
from world.protocol.constants import SUBPROTOCOL

PARK = "798-art-zone"
ROOT = Path(__file__).resolve().parents[2]
STAFF_USER, STAFF_PASSWORD, STAFF_NAME = "acme", "acme-test-password", "Mei"
COMPANY = "Acme 光影 Studio (test)"
BOT_RGB = (0xFF, 0x30, 0x30)
IMAGE_RGB = (230, 20, 210)  # the booth picture: a magenta nothing else in the park has
LOGO_RGB = (20, 210, 170)
CONTENT = M.BoothContent(
    name="Acme 光影 Studio", tagline="Light and shadow for exhibitions",
    description="We design lighting for galleries and stages across Beijing. Ask our staff about the spring "
                "show, or leave your card and we will send you the catalogue.",
    logo="", image="/web/booth.png",
    products=(M.Product(name="Gallery lighting plan", price="from ¥8,000"),
              M.Product(name="Stage light rental", price="¥1,200 / day")),
)
pytestmark = pytest.mark.slow


def _picture(path: Path, rgb: tuple[int, int, int], size: tuple[int, int]) -> None:
    img = Image.new("RGB", size, rgb)
    ImageDraw.Draw(img).rectangle((size[0] // 8, size[1] // 3, size[0] * 7 // 8, size[1] // 2), fill=(250, 250, 250))
    img.save(path)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A tiny HTTP server (not the game server) serving the booth's logo."""
    folder = tmp_path_factory.mktemp("pictures")
    _picture(folder / "logo.png", LOGO_RGB, (96, 96))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


async def _seed(cfg, logo: str) -> list[str]:  # type: ignore[no-untyped-def]
    """An enterprise account owning every booth of the park, each with the test content."""
    from server.accounts import Accounts
    from server.booths import assign, enterprise_of
    from server.bus import InProcessBus
    from server.db import Store

    layout = layout_from_glb((cfg.scenes_dir / f"{PARK}.glb").read_bytes())
    store = await Store.open(cfg.database_url)
    try:
        await Accounts(store, scrypt_n=cfg.scrypt_n).create(
            STAFF_USER, STAFF_PASSWORD, STAFF_NAME, "enterprise", 0xFF3030, company=COMPANY, now=time.time())
        org = await enterprise_of(store, STAFF_USER)
        content = msgspec.structs.replace(CONTENT, logo=logo)
        for slot in layout.booths:
            await assign(store, InProcessBus(), PARK, slot.id, org, time.time(), content=content)
    finally:
        await store.close()
    return [b.id for b in layout.booths]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, pictures: str):  # type: ignore[no-untyped-def]
    from server.config import ServerConfig
    from server.main import App

    data = tmp_path_factory.mktemp("data")
    exe = Path(sys.executable).with_name("cloudpark")
    subprocess.run([str(exe), "scenes", "build", "--out", str(data / "scenes"), "--park", PARK],
                   check=True, capture_output=True, timeout=600)
    (data / "web").mkdir()
    _picture(data / "web" / "booth.png", IMAGE_RGB, (320, 180))
    cfg = ServerConfig(port=0, data_dir=data, build_scenes=False, scrypt_n=2**10)
    booths = asyncio.run(_seed(cfg, f"{pictures}/logo.png"))
    loop = asyncio.new_event_loop()
    app = App(cfg)
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(app.start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(60)
    yield app, data, booths
    asyncio.run_coroutine_threadsafe(app.stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)


def staff_bot(url: str, booths: list[str], stop: threading.Event, errors: list[str]) -> None:
    """The enterprise's staff member: signs in, goes on duty at every booth, walks ahead of
    the client (north from spawn s3) and then paces east-west."""
    from websockets.sync.client import connect

    def drain() -> list[object]:
        got = []
        try:
            while True:
                got.append(decode_server(ws.recv(timeout=0)))
        except TimeoutError:
            pass
        return got

    with connect(url, subprotocols=[SUBPROTOCOL], compression=None) as ws:  # type: ignore[list-item]
        ws.send(encode(M.Hello(v=1, client="test-bot")))
        ws.send(encode(M.Login(user=STAFF_USER, password=STAFF_PASSWORD, id=1)))
        ws.send(encode(M.Join(park=PARK, spawn="s3", id=2)))
        for i, booth in enumerate(booths):
            ws.send(encode(M.BoothStaff(booth=booth, on=True, id=10 + i)))
        seq = 0
        while not stop.is_set():
            seq += 1
            if seq <= 30:
                mx, my = 0.0, 1.0  # 1.5 s north: about 3 m ahead of the spawns
            else:
                mx, my = (1.0 if (seq // 30) % 2 == 0 else -1.0) * 0.5, 0.0
            ws.send(encode(M.Input(s=seq, mx=mx, my=my, yaw=1.57 if my else (0.0 if mx > 0 else 3.14))))
            errors += [f"{m.code}: {m.msg}" for m in drain() if isinstance(m, M.Error)]
            time.sleep(0.05)


def _near(img: np.ndarray, rgb: tuple[int, int, int], tol: int) -> int:
    return int((np.abs(img - np.array(rgb)).max(axis=-1) <= tol).sum())


def test_headless_client_visits_a_booth_sees_the_staff_and_resumes(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, data, booths = server
    url = f"ws://127.0.0.1:{app.port}/ws"
    script = [
        {"do": "wait_visitors", "count": 1, "timeout": 20},
        {"do": "wait", "for": 2.0},
        {"do": "camera", "face": "visitor", "offset": 14, "pitch": 18, "distance": 7.5},
        {"do": "wait", "for": 0.3},
        {"do": "screenshot", "name": "crowd"},
        {"do": "walk_to", "booth": "nearest", "timeout": 60},
        {"do": "wait_booth", "timeout": 10},
        {"do": "wait_images", "timeout": 15},
        {"do": "camera", "pitch": 20, "distance": 6},
        {"do": "wait", "for": 0.3},
        {"do": "screenshot", "name": "booth"},
        {"do": "drop"},
        {"do": "wait", "for": 1.0},
        {"do": "screenshot", "name": "resumed"},
        {"do": "lang", "to": "zh"},
        {"do": "wait", "for": 0.3},
        {"do": "wait_booth", "timeout": 5},
        {"do": "screenshot", "name": "booth_zh"},
        {"do": "quit"},
    ]
    (tmp_path / "script.json").write_text(json.dumps(script))
    shots = tmp_path / "shots"
    stop = threading.Event()
    errors: list[str] = []
    t = threading.Thread(target=staff_bot, args=(url, booths, stop, errors), daemon=True)
    t.start()
    env_cache = tmp_path / "cache"
    try:
        done = subprocess.run(
            [str(Path(sys.executable).with_name("cloudpark")), "client", "--server", url, "--park", PARK,
             "--name", "Tester", "--lang", "en", "--color", "3080FF", "--spawn", "s4", "--offscreen",
             "--script", str(tmp_path / "script.json"), "--screenshot", str(shots), "--size", "960x540",
             "--max-seconds", "150"],
            capture_output=True, text=True, timeout=240, cwd=ROOT,
            env={**os.environ, "CLOUDPARK_CACHE": str(env_cache)},
        )
    finally:
        stop.set()
    log = done.stderr
    if shots.exists():
        shutil.copytree(shots, ROOT / "var" / "client-shots", dirs_exist_ok=True)
        shutil.copytree(shots, ROOT / "build" / "screenshots" / "client", dirs_exist_ok=True)
    assert done.returncode == 0, log[-3000:]
    assert not errors, errors
    assert "booth panel open: " in log, "the client never reached a booth's panel"
    assert list((env_cache / "scenes").glob("*.glb")), "the scene was cached by content hash"
    assert len(list((env_cache / "images").glob("*.png"))) == 2, "logo and picture cached"
    # the panel shows the seeded content, the booth's name as its title, and the staff on duty
    panel = re.search(r"booth panel text: (.*)", log)
    assert panel is not None
    texts = panel.group(1).split(" | ")
    assert texts[0] == CONTENT.name
    assert re.fullmatch(r"booth b\d\d  ·  " + re.escape(COMPANY), texts[1])
    for needle in (CONTENT.tagline, "We design lighting for galleries", "Gallery lighting plan  —  from ¥8,000",
                   "Stage light rental", f"Staff on duty: {STAFF_NAME}", "Likes: 0"):
        assert any(needle in line for line in texts), (needle, texts)
    # resume: the dropped connection comes back as the same avatar, where it stood
    dropped = re.search(r"dropping the connection at \((-?[\d.]+), (-?[\d.]+)\) as eid (\d+)", log)
    assert dropped is not None, log[-3000:]
    joins = re.findall(r"joined 798-art-zone as eid (\d+) at \((-?[\d.]+), (-?[\d.]+)\)", log)
    assert len(joins) == 2, joins
    assert joins[0][0] == joins[1][0] == dropped.group(3)
    assert abs(float(joins[1][1]) - float(dropped.group(1))) < 0.5
    assert abs(float(joins[1][2]) - float(dropped.group(2))) < 0.5
    # the language switch redraws the open panel in Chinese (from the catalogue)
    panels = re.findall(r"booth panel text: (.*)", log)
    assert len(panels) == 2, panels
    zh = panels[1].split(" | ")
    assert zh[0] == CONTENT.name and re.fullmatch(r"展位 b\d\d  ·  " + re.escape(COMPANY), zh[1])
    assert f"值守人员：{STAFF_NAME}" in zh and "点赞 0" in zh and "产品" in zh, zh
    assert "language: zh" in log
    assert "shading: " in log
    for name in ("crowd", "booth", "resumed", "booth_zh"):
        img = np.asarray(Image.open(shots / f"{name}.png").convert("RGB"), dtype=np.int32)
        assert img.std() > 20, f"{name}: nearly blank"
        colours = {tuple(c) for c in (img[::8, ::8] // 32).reshape(-1, 3)}
        assert len(colours) > 12, f"{name}: too few colours"
    crowd = np.asarray(Image.open(shots / "crowd.png").convert("RGB"), dtype=np.int32)
    # a horizon: the top rows of the 3D view are mostly sky (light, blue above red)
    top = crowd[5:45, 300:700]
    sky = (top[..., 2] > top[..., 0] + 25) & (top[..., 2] > 170)
    assert sky.mean() > 0.3, f"no sky at the top of the crowd shot ({sky.mean():.2f})"
    # the bot, in its account's red, is in frame
    red = (crowd[..., 0] > crowd[..., 1] + 90) & (crowd[..., 0] > crowd[..., 2] + 90) & (crowd[..., 0] > 150)
    assert red.sum() > 150, f"the bot's red avatar is not in the crowd shot ({red.sum()} px)"
    booth = np.asarray(Image.open(shots / "booth.png").convert("RGB"), dtype=np.int32)
    assert _near(booth, IMAGE_RGB, 40) > 1500, "the booth's picture (from /web/) is not on the panel"
    assert _near(booth, LOGO_RGB, 40) > 150, "the booth's logo (from another host) is not on the panel"
