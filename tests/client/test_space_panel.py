"""Booking a space from the desktop client: the panel's rows from the catalogue (pure),
and end to end a real world server (its wall clock parked on a quarter hour, so the
first free time begins now), an enterprise's owner signed in with a desktop code, the
headless Panda3D client walking into the hall's zone: the panel shows the free times in
Chinese (build/screenshots/client/space-panel.png), the number key 1 books the first, the
panel shows the check-in code and the zone turns red (space-booked.png); walking out and
in again lists the booking with check-in open (space-check-in.png) and the C key checks
in (space-checked-in.png; the database says checked in)."""

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
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from client.space_panel import space_lines
from client.texts import load_texts
from client.visit import Visit
from tests.day import ParkedClock
from world.layout import Space as Zone
from world.protocol import messages as M

ROOT = Path(__file__).resolve().parents[2]
PARK = "test-park"
SHANGHAI = ZoneInfo("Asia/Shanghai")
HALL = ((4.0, -3.0), (11.0, -3.0), (11.0, 3.0), (4.0, 3.0))
COMPANY = "墨石动画（测试）"


def test_the_panel_numbers_the_free_times_and_after_just_taken_the_alternatives() -> None:
    from tests.webxr.scene import park_layout

    texts = load_texts(strict=True)
    v = Visit("Mei", want_park=PARK)
    v.layout = dataclasses.replace(park_layout(PARK), spaces=(Zone("hall", "Hall", "theatre", HALL, (4.0, 0.0)),))
    v.handle(M.Joined(park=PARK, you=1, x=0, y=0, yaw=0, tick=0, scene="/s.glb", scene_hash="h", booths=[]), 0.0)
    v.handle(M.Spaces(park=PARK, items=[M.SpaceState(id="hall", space=3, state="free")]), 0.0)
    assert v.space_step(0.0, 0.0) is None  # outside
    ask = v.space_step(5.0, 0.0)
    assert isinstance(ask, M.SpaceSlots) and ask.space == 3
    assert v.space_step(6.0, 0.0) is None  # still inside: asked once
    slots = [M.FreeSlot(start=100, minutes=60, day="2026-01-01", at="21:00", end="22:00"),
             M.FreeSlot(start=200, minutes=60, day="2026-01-02", at="00:00", end="01:00")]
    v.handle(M.SpaceSlotList(re=ask.id, space=3, name="多功能厅", today="2026-01-01", slots=slots, durations=[60],
                             price="¥200/小时", capacity=40), 0.1)

    def t(k: str, **p: Any) -> str:
        return texts.translate("zh", k, **p)
    rows = [text for _, text in space_lines(t, v)]
    assert rows == ["预订此空间", "多功能厅", "价格：¥200/小时（线下结算） · 最多 40 人", "60 分钟", "1  今天 21:00–22:00",
                    "2  明天 00:00–01:00", "按 1–2 键预订对应时段"]
    book = v.book_slot(2)
    assert isinstance(book, M.SpaceBook) and (book.start, book.minutes) == (200, 60)
    assert v.book_slot(3) is None
    v.handle(M.SpaceBooked(re=book.id, space=3, outcome="refused",
                           problems=[M.Problem(code="taken", field="start", message="this time was just taken")],
                           alternatives=[M.FreeSlot(start=300, minutes=60, day="2026-01-02", at="01:00", end="02:00")]),
             0.2)
    rows = [text for _, text in space_lines(t, v)]
    assert rows[-3:] == ["该时段刚被预订。最近的空闲时段：", "1  明天 01:00–02:00", "按 1–1 键预订对应时段"]
    again = v.book_slot(1)
    assert again is not None and again.start == 300
    assert v.space_step(0.0, 0.0) is None and v.space_offer is None  # walked out: forgotten


def test_the_panel_lists_your_bookings_and_checks_in_the_open_one_in_words() -> None:
    from tests.webxr.scene import park_layout

    texts = load_texts(strict=True)
    v = Visit("Mei", want_park=PARK)
    v.layout = dataclasses.replace(park_layout(PARK), spaces=(Zone("hall", "Hall", "theatre", HALL, (4.0, 0.0)),))
    v.handle(M.Joined(park=PARK, you=1, x=0, y=0, yaw=0, tick=0, scene="/s.glb", scene_hash="h", booths=[]), 0.0)
    v.handle(M.Spaces(park=PARK, items=[M.SpaceState(id="hall", space=3, state="taken")]), 0.0)
    ask = v.space_step(5.0, 0.0)
    assert isinstance(ask, M.SpaceSlots)
    mine = [M.MyBooking(booking=7, day="2026-01-01", start="09:00", end="10:00", state="confirmed", opens="08:45"),
            M.MyBooking(booking=8, day="2026-01-01", start="14:00", end="15:00", state="confirmed", opens="13:45")]
    v.handle(M.SpaceSlotList(re=ask.id, space=3, name="多功能厅", today="2026-01-01", slots=[], durations=[60],
                             mine=mine), 0.1)

    def t(k: str, **p: Any) -> str:
        return texts.translate("zh", k, **p)
    rows = [text for _, text in space_lines(t, v)]
    assert rows[3:7] == ["您今天的预订 09:00–10:00", "08:45 起可签到", "您今天的预订 14:00–15:00", "13:45 起可签到"]
    assert v.check_in() is None  # none open yet: the C key sends nothing

    # standing on in the zone: asked again a minute later (check-in opens meanwhile), not before
    assert v.space_step(5.0, 0.0, 59.0) is None
    ask = v.space_step(5.0, 0.0, 60.0)
    assert isinstance(ask, M.SpaceSlots) and ask.space == 3
    assert v.space_step(5.0, 0.0, 61.0) is None
    mine[0] = msgspec.structs.replace(mine[0], open=True)
    v.handle(M.SpaceSlotList(re=ask.id, space=3, name="多功能厅", today="2026-01-01", slots=[], durations=[60],
                             mine=mine), 0.2)
    assert [text for _, text in space_lines(t, v)][3:5] == ["您今天的预订 09:00–10:00", "按 C 键签到"]
    check = v.check_in()
    assert isinstance(check, M.SpaceCheckIn) and (check.space, check.booking) == (3, 7)
    v.handle(M.SpaceCheckedIn(re=check.id, space=3, booking=7, outcome="checked_in", day="2026-01-01",
                              start="09:00", end="10:00"), 0.3)
    assert [text for _, text in space_lines(t, v)][-1] == "已签到：09:00–10:00"
    assert v.check_in() is None  # done: the key does nothing more until the panel is asked again

    for problem, words in ((M.Problem(code="state", field="booking", message="a checked in booking ..."),
                            "该预订无法签到（已签到，或已不再保留）。"),
                           (M.Problem(code="too_late", field="booking", message="closed"), "签到已截止：开始后的宽限时间已过。")):
        v.space_check = None
        again = v.check_in()
        assert again is not None
        v.handle(M.SpaceCheckedIn(re=again.id, space=3, booking=7, outcome="refused", problems=[problem]), 0.4)
        assert [text for _, text in space_lines(t, v)][-1] == words
    v.space_check = None
    away = v.check_in()
    assert away is not None
    v.handle(M.Error(code="invalid", msg="space: stand in the zone of 多功能厅 to check in there", re=away.id), 0.5)
    assert [text for _, text in space_lines(t, v)][-1] == "未能签到：space: stand in the zone of 多功能厅 to check in there"


@pytest.mark.slow
def test_the_headless_client_books_the_first_free_time_with_key_1(tmp_path: Path) -> None:
    from server.accounts import Accounts
    from server.db.spaces import Space
    from server.main import App
    from tests.webxr.scene import build_glb, park_layout
    from tests.webxr.world_server import server_config

    layout = dataclasses.replace(park_layout(PARK), spaces=(Zone("hall", "Hall", "theatre", HALL, (4.0, 0.0)),))
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(layout))
    clock = ParkedClock()
    app = App(server_config(data), layouts={PARK: layout}, clock=clock)  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    async def seed() -> tuple[int, str]:
        store = app.store
        await Accounts(store, scrypt_n=2**10).create("mei", "long enough pw", "Mei", "enterprise", company=COMPANY,
                                                     now=clock.now())
        hall = await store.spaces.add(Space(PARK, "hall", "多功能厅", "theatre", 40, rules={"audience": "zone"}))
        return hall, (await store.signin_codes.desktop_code("mei", now=clock.now())).code

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(app.start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(60)
    try:
        hall, code = asyncio.run_coroutine_threadsafe(seed(), loop).result(30)
        script = [{"do": "wait", "for": 2.0}, {"do": "move", "dir": [1, 0], "for": 4.0},
                  {"do": "wait_space", "timeout": 10}, {"do": "camera", "heading": 0, "pitch": 30, "distance": 9},
                  {"do": "wait", "for": 0.5}, {"do": "screenshot", "name": "space-panel"},
                  {"do": "book", "slot": 1}, {"do": "wait_space", "until": "result", "timeout": 10},
                  {"do": "wait", "for": 1.0}, {"do": "screenshot", "name": "space-booked"},
                  # out and in again: the booking (it starts now) is listed with check-in open; C checks in
                  {"do": "move", "dir": [-1, 0], "for": 3.0}, {"do": "move", "dir": [1, 0], "for": 3.0},
                  {"do": "wait_space", "timeout": 10}, {"do": "wait", "for": 0.5},
                  {"do": "screenshot", "name": "space-check-in"},
                  {"do": "check_in"}, {"do": "wait_space", "until": "checked", "timeout": 10},
                  {"do": "wait", "for": 0.5}, {"do": "screenshot", "name": "space-checked-in"}, {"do": "quit"}]
        (tmp_path / "script.json").write_text(json.dumps(script))
        shots = tmp_path / "shots"
        done = subprocess.run(
            [str(Path(sys.executable).with_name("cloudpark")), "client", "--server", f"ws://127.0.0.1:{app.port}/ws",
             "--park", PARK, "--code", code, "--lang", "zh", "--spawn", "main", "--offscreen",
             "--script", str(tmp_path / "script.json"), "--screenshot", str(shots), "--size", "960x540",
             "--max-seconds", "60"],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
            env={**os.environ, "CLOUDPARK_CACHE": str(tmp_path / "cache")})
        rows = asyncio.run_coroutine_threadsafe(app.store.bookings.holding(hall, clock.wall - 1, clock.wall + 7200),
                                                loop).result(30)
    finally:
        asyncio.run_coroutine_threadsafe(app.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
    log = done.stderr
    if shots.exists():
        shutil.copytree(shots, ROOT / "build" / "screenshots" / "client", dirs_exist_ok=True)
    assert done.returncode == 0, log[-3000:]
    panels = re.findall(r"space panel text: (.*)", log)
    assert len(panels) >= 2, log[-3000:]
    first = datetime.fromtimestamp(clock.wall, SHANGHAI)
    end = datetime.fromtimestamp(clock.wall + 3600, SHANGHAI)
    assert panels[0].startswith("预订此空间 | 多功能厅 | 免费 · 最多 40 人 | 60 分钟 | "
                                f"1  今天 {first:%H:%M}–{end:%H:%M}"), panels[0]
    assert any(f"已预订 {first:%Y-%m-%d} {first:%H:%M}–{end:%H:%M} · 签到码" in p for p in panels), panels
    assert any(f"您今天的预订 {first:%H:%M}–{end:%H:%M} | 按 C 键签到" in p for p in panels), panels
    assert panels[-1].endswith(f"已签到：{first:%H:%M}–{end:%H:%M}"), panels[-1]
    assert [(r.state, r.booked_by, r.start) for r in rows] == [("checked_in", "mei", clock.wall)]
    zones = re.findall(r"space zones: (.*)", log)
    assert zones and zones[-1] == f"hall: 已预订 {first:%H:%M}–{end:%H:%M}", zones
