"""The park's bookable spaces in the desktop client: the ``spaces`` message kept by the
visit (another park's forgotten), each zone's words from the catalogue, and end to end a
real world server, a booking covering now and the headless Panda3D client photographing
the zone in red with its label (build/screenshots/client/space-taken.png)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from client.space_zones import label_of
from client.texts import load_texts
from client.visit import Visit
from tests.day import within_day
from world.protocol import messages as M

ROOT = Path(__file__).resolve().parents[2]
PARK = "test-park"
RULES = {"audience": "zone", "min_minutes": 15}  # 15: a booking cut at midnight may be that short
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _joined(park: str) -> M.Joined:
    return M.Joined(park=park, you=1, x=0, y=0, yaw=0, tick=0, scene=f"/scenes/{park}.glb", scene_hash="h",
                    booths=[])


def test_the_visit_keeps_its_parks_spaces_and_the_labels_come_from_the_catalogue() -> None:
    v = Visit("Ann", want_park="p1")
    v.handle(M.Spaces(park="p1", items=[M.SpaceState(id="hall", space=3, state="free")]), 0.0)
    assert v.spaces == {}  # not in that park yet
    v.handle(_joined("p1"), 0.0)
    v.handle(M.Spaces(park="p1", items=[M.SpaceState(id="hall", space=3, state="taken", start="14:00",
                                                     end="16:00")]), 0.1)
    v.handle(M.Spaces(park="p2", items=[M.SpaceState(id="yard", space=4, state="free")]), 0.2)  # stale: ignored
    assert list(v.spaces) == ["hall"] and v.spaces["hall"].state == "taken"
    v.handle(_joined("p1"), 0.3)  # the same park again (a reload): the zones stay until the new ones come
    assert list(v.spaces) == ["hall"]
    v.handle(_joined("p2"), 0.4)
    assert v.spaces == {}
    texts = load_texts(strict=True)
    cases = [
        (M.SpaceState(id="a", space=1, state="taken", start="14:00", end="16:00"),
         ("Booked 14:00–16:00", "已预订 14:00–16:00")),
        (M.SpaceState(id="a", space=1, state="taken", start="09:00", end="10:30", by="Ink"),
         ("Booked 09:00–10:30 by Ink", "Ink 已预订 09:00–10:30")),
        (M.SpaceState(id="a", space=1, state="free", next="17:30"), ("Free · next booking 17:30", "空闲 · 下一场 17:30")),
        (M.SpaceState(id="a", space=1, state="free"), ("Free now", "当前空闲")),
        (M.SpaceState(id="a", space=1, state="retired"), ("Not bookable", "不可预订")),
    ]
    for item, (en, zh) in cases:
        key, params = label_of(item)
        assert (texts.translate("en", key, **params), texts.translate("zh", key, **params)) == (en, zh)


@pytest.mark.slow
def test_the_headless_client_shows_a_taken_zone_in_red_with_its_label(tmp_path: Path) -> None:
    from server.accounts import Accounts
    from server.bookings.service import BookingService
    from server.clock import ManualClock
    from server.db.spaces import Space
    from server.main import App
    from server.web.sessions import load_secret
    from tests.webxr.scene import build_glb, park_layout
    from tests.webxr.world_server import server_config
    from world.layout import Space as Zone

    hall = ((4.0, -3.0), (11.0, -3.0), (11.0, 3.0), (4.0, 3.0))
    studio = ((5.0, 5.0), (12.0, 5.0), (12.0, 11.0), (5.0, 11.0))
    layout = dataclasses.replace(park_layout(PARK), spaces=(
        Zone("hall", "Hall", "theatre", hall, (4.0, 0.0)), Zone("studio", "Studio", "studio", studio, (5.0, 8.0))))
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(layout))
    app = App(server_config(data), layouts={PARK: layout})
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def seed() -> Any:
        store = app.store
        accounts = Accounts(store, scrypt_n=2**10)
        await accounts.create("mei", "long enough pw", "Mei", "enterprise", company="Inkstone (test)", now=1.0)
        person = await accounts.person(await store.accounts.get("mei"))
        hall_id = await store.spaces.add(Space(PARK, "hall", "Hall", "theatre", 40, rules=RULES))
        await store.spaces.add(Space(PARK, "studio", "Studio", "studio", 8, rules=RULES))
        earlier = ManualClock(time.time() - 20 * 60)  # booked a little earlier, for now
        service = BookingService(store, earlier, SHANGHAI, load_secret(data), bus=app.bus)
        now = datetime.now(UTC)
        begin = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
        return await service.book(person, hall_id, begin, within_day(begin, timedelta(hours=1)))

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(app.start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(60)
    try:
        row = asyncio.run_coroutine_threadsafe(seed(), loop).result(30)
        script = [{"do": "wait", "for": 2.5}, {"do": "camera", "heading": 0, "pitch": 22, "distance": 8},
                  {"do": "wait", "for": 0.5}, {"do": "screenshot", "name": "space-taken"}, {"do": "quit"}]
        (tmp_path / "script.json").write_text(json.dumps(script))
        shots = tmp_path / "shots"
        done = subprocess.run(
            [str(Path(sys.executable).with_name("cloudpark")), "client", "--server", f"ws://127.0.0.1:{app.port}/ws",
             "--park", PARK, "--name", "Tester", "--lang", "en", "--spawn", "main", "--offscreen",
             "--script", str(tmp_path / "script.json"), "--screenshot", str(shots), "--size", "960x540",
             "--max-seconds", "60"],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
            env={**os.environ, "CLOUDPARK_CACHE": str(tmp_path / "cache")})
    finally:
        asyncio.run_coroutine_threadsafe(app.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
    log = done.stderr
    if shots.exists():
        shutil.copytree(shots, ROOT / "build" / "screenshots" / "client", dirs_exist_ok=True)
    assert done.returncode == 0, log[-3000:]
    begin = datetime.fromtimestamp(row.start, SHANGHAI)
    end = datetime.fromtimestamp(row.end, SHANGHAI)
    zones = re.findall(r"space zones: (.*)", log)
    assert zones and zones[-1] == f"hall: Booked {begin:%H:%M}–{end:%H:%M} | studio: Free now", zones
    img = np.asarray(Image.open(shots / "space-taken.png").convert("RGB"), dtype=np.int32)
    red = (img[..., 0] > img[..., 1] + 60) & (img[..., 0] > img[..., 2] + 60)
    green = (img[..., 1] > img[..., 0] + 40) & (img[..., 1] > img[..., 2] + 30)
    assert red.sum() > 5000, f"the taken hall is not drawn in red ({red.sum()} px)"
    assert green.sum() > 500, f"the free studio is not drawn in green ({green.sum()} px)"
