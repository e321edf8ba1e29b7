"""The portal with a real world server behind it: a bot in a park shows up as a visitor
online (through the world server's /parks.json), and the links carry the game URL."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.web.conftest import LiveServer
from tests.webxr.bot import Bot
from tests.webxr.scene import build_glb, park_layout
from tests.webxr.world_server import WorldServer

PARK = "798-art-zone"


def test_visitors_online_come_from_the_running_world_server(tmp_path: Path) -> None:
    data = tmp_path / "world"
    (data / "scenes").mkdir(parents=True)
    layout = park_layout(PARK)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(layout))
    world = WorldServer(data, layouts={PARK: layout}).start(demo_seed=False)
    web = LiveServer(tmp_path / "web", game_url=world.ws_url).start()
    bot = None
    try:
        before = {p["id"]: p["online"] for p in httpx.get(f"{web.url}/api/parks").json()}
        assert before[PARK] == 0 and before["751-d-park"] == 0  # the world answers: 0, not unknown
        bot = Bot(world.ws_url, PARK).start()
        deadline = time.monotonic() + 15  # the web app caches the counts for 5 s
        while True:
            parks = {p["id"]: p for p in httpx.get(f"{web.url}/api/parks").json()}
            if parks[PARK]["online"] == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert parks[PARK]["online"] == 1
        assert parks[PARK]["desktop_command"] == f"cloudpark client --server {world.ws_url} --park {PARK}"
        portal = httpx.get(f"{web.url}/", headers={"Accept-Language": "en"}).text
        assert "Visitors online now: 1" in portal and "1 online" in portal
    finally:
        if bot is not None:
            bot.stop()
        web.stop()
        world.stop()
