"""Booking a space from inside the park in the browser 3D client (Chromium): an
enterprise's owner signed in on the web (a phone, Chinese) walks into the hall's zone;
the panel offers its next free times; one tap books the first, the panel shows the
check-in code and the zone turns red; walking out and back in lists the booking with
check-in open, and one tap checks in (the database says checked in); a booking an hour
ahead shows no button until, standing on in the zone, its check-in opens. A guest (desktop, English) walking in is asked to
sign in. Screenshots: build/screenshots/web/space-panel-*.png.

The world server's wall clock is parked on a quarter hour (21:00 at the latest) (its monotonic clock, which the
session's rate limits and the ticks read, runs): so the first free time begins now and
booking it turns the zone taken at once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.db.spaces import Space
from server.demo import seed
from server.main import App
from tests.day import ParkedClock
from tests.webxr.scene import build_glb, park_layout
from tests.webxr.test_web_notice import WebBeside
from tests.webxr.world_server import WorldServer
from tools.webxr.export import publish_web
from world.layout import Space as Zone

SHOTS = Path("build/screenshots/web")
SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "long enough pw"
pytestmark = pytest.mark.slow
PARK = "798-art-zone"
HALL = ((4.0, -3.0), (11.0, -3.0), (11.0, 3.0), (4.0, 3.0))  # straight ahead of the spawn (0, 0, facing east)
STUDIO = ((5.0, 5.0), (12.0, 5.0), (12.0, 11.0), (5.0, 11.0))


def _layout() -> Any:
    return dataclasses.replace(park_layout(PARK), spaces=(
        Zone("hall", "Hall", "theatre", HALL, (4.0, 0.0)), Zone("studio", "Studio", "studio", STUDIO, (5.0, 8.0))))


class ParkedWorld(WorldServer):
    def start(self, demo_seed: bool = True) -> WorldServer:
        self._thread.start()
        self._run(seed(self.config), timeout=30)
        self.app = App(self.config, layouts=self.layouts, clock=ParkedClock())
        self._run(self.app.start(), timeout=30)
        return self


@pytest.fixture
def world(tmp_path: Path) -> Any:
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(_layout()))
    publish_web(data)
    server = ParkedWorld(data, layouts={PARK: _layout()}).start()
    yield server
    server.stop()


def _panel(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.cloudpark.state().spacePanel")  # type: ignore[no-any-return]


def _walk_in(page: Any) -> None:
    page.keyboard.down("KeyW")
    page.wait_for_function("() => window.cloudpark.state().spacePanel.zone === 'hall'", timeout=15000)
    page.keyboard.up("KeyW")


def _walk_out_and_in(page: Any) -> None:
    page.keyboard.down("KeyS")
    page.wait_for_function("() => window.cloudpark.state().spacePanel.zone === null", timeout=15000)
    page.keyboard.up("KeyS")
    _walk_in(page)
    page.wait_for_function("() => window.cloudpark.state().spacePanel.kind === 'slots'", timeout=5000)


def test_walking_into_a_zone_offers_its_free_times_and_one_tap_books_it(browser: Any, world: WorldServer) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    world.create_account("mei", PASSWORD, "Mei", "enterprise", company="墨砚动画（测试）")
    store = world.app.store  # type: ignore[union-attr]
    hall = world.run(store.spaces.add(Space(PARK, "hall", "多功能厅", "theatre", 40, price="¥200/小时",
                                            rules={"audience": "zone"})))
    world.run(store.spaces.add(Space(PARK, "studio", "Studio", "studio", 8, rules={"audience": "zone"})))
    parked = world.app.clock.now()  # type: ignore[union-attr]
    first = datetime.fromtimestamp(parked, SHANGHAI)
    web = WebBeside(world).start()
    try:
        context, page, errors = web.phone_in_park(browser, "mei", PASSWORD, PARK)
        page.wait_for_function("() => window.cloudpark && typeof window.cloudpark.state === 'function'"
                               " && window.cloudpark.state().net === 'joined'"
                               " && window.cloudpark.state().spaces.length === 2", timeout=30000)
        assert not _panel(page)["open"]
        _walk_in(page)
        page.wait_for_function("() => window.cloudpark.state().spacePanel.kind === 'slots'", timeout=5000)
        panel = page.locator("#space")
        assert panel.is_visible()
        text = panel.inner_text()
        assert "预订此空间" in text and "多功能厅" in text and "价格：¥200/小时（线下结算）" in text and "最多 40 人" in text
        assert "60 分钟" in text and "120 分钟" in text
        buttons = panel.locator("button.slot")
        assert buttons.count() == 8  # four times for each usual length
        words = f"今天 {first:%H:%M}–{datetime.fromtimestamp(parked + 3600, SHANGHAI):%H:%M}"
        assert buttons.first.inner_text() == words  # the first free time begins now (the clock is parked)
        page.evaluate("() => document.querySelectorAll('#notices .notice').forEach((n) => n.remove())")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / "space-panel-phone.png"))
        assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")

        buttons.first.tap()
        page.wait_for_function("() => window.cloudpark.state().spacePanel.kind === 'booked'", timeout=5000)
        (booked,) = _panel(page)["booked"]
        assert booked["outcome"] == "confirmed" and booked["start"] == f"{first:%H:%M}"
        assert f"签到码 {booked['code']}" in panel.inner_text()
        # the zone turns taken (the server's spaces push, for everyone in the park)
        page.wait_for_function("() => window.cloudpark.state().spaces.some((s) => s.id === 'hall'"
                               " && s.state === 'taken')", timeout=2000)
        rows = world.run(store.bookings.holding(hall, parked - 1, parked + 7200))
        assert [(r.state, r.booked_by, r.start) for r in rows] == [("confirmed", "mei", parked)]
        page.evaluate("() => document.querySelectorAll('#notices .notice').forEach((n) => n.remove())")
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "space-panel-booked-phone.png"))

        # walk out and back in: the panel lists the booking with check-in open (it starts now); one tap checks in
        _walk_out_and_in(page)
        assert _panel(page)["mine"] == [{"booking": rows[0].id, "open": True, "state": "confirmed"}]
        until = datetime.fromtimestamp(parked + 3600, SHANGHAI)
        assert f"您今天的预订 {first:%H:%M}–{until:%H:%M}" in panel.inner_text()
        page.evaluate("() => document.querySelectorAll('#notices .notice').forEach((n) => n.remove())")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / "space-panel-check-in-phone.png"))
        check = panel.locator("button.check-in")
        assert check.inner_text() == "签到"
        check.tap()
        page.wait_for_function("() => window.cloudpark.state().spacePanel.kind === 'checked'", timeout=5000)
        assert [(c["outcome"], c["booking"]) for c in _panel(page)["checked"]] == [("checked_in", rows[0].id)]
        assert f"已签到：{first:%H:%M}–{until:%H:%M}" in panel.inner_text()
        assert world.run(store.bookings.get(rows[0].id)).state == "checked_in"
        page.evaluate("() => document.querySelectorAll('#notices .notice').forEach((n) => n.remove())")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / "space-panel-checked-in-phone.png"))

        # a booking an hour ahead, the booker standing on in the zone: no button until check-in opens, then one
        _walk_out_and_in(page)
        panel.locator("button.slot").first.tap()  # the next free hour: now + 1 h
        page.wait_for_function("() => window.cloudpark.state().spacePanel.booked.length === 2", timeout=5000)
        _walk_out_and_in(page)
        later = _panel(page)["mine"][-1]
        assert later["open"] is False and panel.locator("button.check-in").count() == 0
        assert f"{datetime.fromtimestamp(parked + 2700, SHANGHAI):%H:%M} 起可签到" in panel.inner_text()
        page.evaluate("() => { window.cloudpark.spacePanel.refreshMs = 300; }")  # the client's minute, shortened
        world.app.clock.wall += 2800  # type: ignore[union-attr]  # the server's wall clock: check-in now open
        page.wait_for_function("() => window.cloudpark.state().spacePanel.mine.some((b) => b.open)", timeout=5000)
        assert _panel(page)["refreshed"] >= 1
        panel.locator("button.check-in").tap()
        page.wait_for_function("() => window.cloudpark.state().spacePanel.checked.length === 2", timeout=5000)
        assert world.run(store.bookings.get(later["booking"])).state == "checked_in"
        assert not errors, errors
        context.close()

        desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
        page = desk.new_page()
        page.goto(f"{web.url}/web/{PARK}/")
        page.wait_for_function("() => window.cloudpark && typeof window.cloudpark.state === 'function'"
                               " && window.cloudpark.state().net === 'joined'"
                               " && window.cloudpark.state().spaces.length === 2", timeout=30000)
        _walk_in(page)
        page.wait_for_function("() => window.cloudpark.state().spacePanel.kind === 'sign_in'", timeout=5000)
        assert "Sign in to book this space" in page.locator("#space").inner_text()
        assert page.locator("#space button.slot").count() == 0
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / "space-panel-guest-desktop.png"))
        desk.close()
    finally:
        web.stop()
    assert datetime.fromtimestamp(parked, UTC).minute % 15 == 0
