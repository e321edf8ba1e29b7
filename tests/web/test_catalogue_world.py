"""A park edited in the console reloads in a running world with a bot inside: the web
app and the world server share the database and the bus (the web app's LinkBus to the
world server's hub, as ``cloudpark up`` runs them); the save rebuilds the scene from
the database's entry (written to DATA_DIR/catalogue for the builder), the bot gets a
fresh ``joined`` with the new scene hash on walkable ground, and the console shows
what the world server reported."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from server.bus_link import LinkBus
from server.clock import SystemClock
from server.db import Store
from server.main import App
from server.web.app import create_app
from server.web.texts import load_texts
from tests.web.conftest import web_config
from tests.web.people import PASSWORD, seed_people
from tests.webxr.bot import Bot
from tests.webxr.scene import build_glb, park_layout
from tests.webxr.world_server import WorldServer
from world.layout import Region
from world.protocol import messages as M

PARK = "798-art-zone"
HOLE = ((-3.0, -3.0), (-3.0, 3.0), (3.0, 3.0), (3.0, -3.0))  # a new building over the spawn point


class HashBot(Bot):
    """A bot that keeps every ``joined`` it gets (entity id, scene hash, where)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.joins: list[M.Joined] = []

    def _receive(self, msg: object) -> None:
        if isinstance(msg, M.Joined):
            self.joins.append(msg)
        super()._receive(msg)


class LinkedWeb:
    """The web app under uvicorn, linked to the world server's bus hub like ``cloudpark web``."""

    def __init__(self, data: Path, game_url: str) -> None:
        self.config = web_config(data, game_url)
        self.ready = threading.Event()
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        store = await Store.open(self.config.database_url)
        await seed_people(store, self.config.scrypt_n)
        bus = LinkBus(self.config.bus_socket)
        bus.start()
        app = create_app(self.config, store, bus, SystemClock(), texts=load_texts(strict=True))
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.02)
        self.url = f"http://127.0.0.1:{self._server.servers[0].sockets[0].getsockname()[1]}"
        self.ready.set()
        await task
        await bus.close()
        await store.close()

    def start(self) -> LinkedWeb:
        self._thread.start()
        assert self.ready.wait(20), "the web app did not start"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(10)


def _walled(layout: Any) -> Any:
    region = layout.walkable[0]
    return dataclasses.replace(layout, walkable=(Region(region.outer, (*region.holes, HOLE)),))


def _form(page: str, **changes: str) -> dict[str, str]:
    """The editor's fields as the page sent them (inputs, checked boxes, selected options),
    from the editor's form alone (the page has other forms: the language switch...)."""
    import re

    editor = re.search(r'<form[^>]*method="post"[^>]*>(?:(?!</form>).)*name="name_en".*?</form>', page, re.S)
    assert editor, "the editor's form"
    page = editor.group(0)
    data: dict[str, str] = {}
    for m in re.finditer(r'<input([^>]*)>', page):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', m.group(1)))
        if "name" not in attrs:
            continue
        if attrs.get("type") == "checkbox":
            if " checked" in m.group(1):
                data[attrs["name"]] = "on"
        else:
            data[attrs["name"]] = attrs.get("value", "")
    for m in re.finditer(r'<select name="([^"]+)">(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected', m.group(2))
        if chosen:
            data[m.group(1)] = chosen.group(1)
    for m in re.finditer(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[m.group(1)] = m.group(2)
    return data | changes


def test_a_park_edited_in_the_console_reloads_in_the_running_world_with_a_bot_inside(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    layout = park_layout(PARK)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(layout))
    built: list[str] = []

    def rebuild(park_id: str, scenes_dir: Path) -> None:
        """The scene builder's part: read the entry it is given, write the new scene."""
        entry = tomllib.loads((data / "catalogue" / f"{park_id}.toml").read_text(encoding="utf-8"))
        built.append(entry["name_en"])
        (scenes_dir / f"{park_id}.glb").write_bytes(build_glb(_walled(layout)))

    world = WorldServer(data, layouts={PARK: layout})
    world._thread.start()
    world.app = App(world.config, layouts={PARK: layout}, rebuild=rebuild)
    world.run(world.app.start(), timeout=30)
    web = LinkedWeb(data, world.ws_url).start()
    bot = HashBot(world.ws_url, PARK).start()
    try:
        bot.walking = False
        old_hash = bot.joins[0].scene_hash
        with httpx.Client(base_url=web.url, headers={"Accept-Language": "en"}) as client:
            csrf = client.get("/api/session").json()["csrf"]
            assert client.post("/api/session", json={"user": "pam", "password": PASSWORD},
                               headers={"X-CSRF-Token": csrf}).status_code == 200
            page = client.get(f"/console/park/catalogue/{PARK}")
            assert page.status_code == 200
            form = _form(page.text, name_en="798 Art District (edited)")
            saved = client.post(f"/console/park/catalogue/{PARK}", data=form, follow_redirects=False)
            assert saved.status_code == 303, saved.text[-2000:]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not any(j.scene_hash != old_hash for j in bot.joins):
                time.sleep(0.1)
            fresh = [j for j in bot.joins if j.scene_hash != old_hash]
            assert fresh, "the bot got no joined with a new scene"
            assert built == ["798 Art District (edited)"]  # built from the database's entry
            new = fresh[-1]
            assert new.park == PARK and new.tick == 0  # a fresh room, as after a resume
            x, y = new.x / 100, new.y / 100
            assert not (-3.0 < x < 3.0 and -3.0 < y < 3.0)  # moved off the new building, not dropped
            assert world.call(lambda app: app.parks[PARK].room.grid.contains(x, y))
            assert world.call(lambda app: app.parks[PARK].name_en) == "798 Art District (edited)"
            assert world.call(lambda app: app.parks[PARK].online) == 1
            # the console shows the world server's report (park.rebuilt through the bus)
            while time.monotonic() < deadline:
                shown = client.get(f"/console/park/catalogue/{PARK}").text
                if 'data-rebuild="online"' in shown:
                    break
                time.sleep(0.2)
            assert 'data-rebuild="online"' in shown and new.scene_hash[:12] in shown
            # the scene the world serves now is the new one
            served = httpx.get(world.url(f"/scenes/{PARK}.glb"))
            assert served.headers["access-control-allow-origin"] == "*"
            assert served.content == (data / "scenes" / f"{PARK}.glb").read_bytes()
    finally:
        bot.stop()
        web.stop()
        world.stop()
