"""The park's bookable spaces in the browser 3D client (Chromium, phone and desktop): the
world server's ``spaces`` colours each zone (green free, red taken) with its label; a
booking made on the web turns its zone for the visitor at once; a tap on a free zone
opens the web app's booking page for that space, a tap on a taken one opens nothing.
Screenshots: build/screenshots/web/spaces-3d-*.png, spaces-book-*.png."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.accounts import Accounts
from server.bookings.service import BookingService
from server.clock import ManualClock
from server.db.spaces import Space
from server.web.sessions import load_secret
from tests.day import within_day
from tests.webxr.scene import build_glb, park_layout
from tests.webxr.test_web_notice import WebBeside
from tests.webxr.world_server import WorldServer
from tools.webxr.export import publish_web
from world.layout import Space as Zone

SHOTS = Path("build/screenshots/web")
SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "long enough pw"
pytestmark = pytest.mark.slow
PARK = "798-art-zone"  # a park of the catalogue (the web app serves 3D pages for those), with this test's scene
# the hall straight ahead of the spawn (0, 0, facing east), before the booth; the studio ahead left
RULES = {"audience": "zone", "min_minutes": 15}  # 15: a booking cut at midnight may be that short
HALL = ((4.0, -3.0), (11.0, -3.0), (11.0, 3.0), (4.0, 3.0))
STUDIO = ((5.0, 5.0), (12.0, 5.0), (12.0, 11.0), (5.0, 11.0))


def _layout() -> Any:
    return dataclasses.replace(park_layout(PARK), spaces=(
        Zone("hall", "Hall", "theatre", HALL, (4.0, 0.0)), Zone("studio", "Studio", "studio", STUDIO, (5.0, 8.0))))


@pytest.fixture
def world(tmp_path: Path) -> Any:
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(_layout()))
    publish_web(data)
    server = WorldServer(data, layouts={PARK: _layout()}).start()
    yield server
    server.stop()


def _quarter(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _state(page: Any) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in page.evaluate("() => window.cloudpark.state().spaces")}


def test_zones_show_free_and_taken_a_web_booking_turns_them_and_a_tap_opens_the_booking_page(
        browser: Any, world: WorldServer) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    world.create_account("mei", PASSWORD, "Mei", "enterprise", company="Inkstone Animation (test)")
    hall = world.run(world.app.store.spaces.add(Space(PARK, "hall", "Hall", "theatre", 40,  # type: ignore[union-attr]
                                                      rules=RULES)))
    studio = world.run(world.app.store.spaces.add(Space(PARK, "studio", "Studio", "studio", 8,  # type: ignore[union-attr]
                                                        rules=RULES)))
    web = WebBeside(world).start()
    try:
        context, page, errors = web.phone_in_park(browser, "mei", PASSWORD, PARK)
        page.wait_for_function("() => window.cloudpark && typeof window.cloudpark.state === 'function'"
                               " && window.cloudpark.state().net === 'joined'"
                               " && window.cloudpark.state().spaces.length === 2", timeout=30000)
        shown = _state(page)
        assert {k: (v["state"], v["space"], v["drawn"]) for k, v in shown.items()} == {
            "hall": ("free", hall, True), "studio": ("free", studio, True)}
        assert shown["hall"]["label"] == "当前空闲 · 点按预订"

        # a booking made on the web, in the future: the studio says when it starts
        start = _quarter(datetime.now(UTC)) + timedelta(minutes=30)
        made = page.evaluate("""async ([space, start, end]) => {
            const s = await (await fetch('/api/session')).json();
            const r = await fetch('/api/bookings', {method: 'POST', headers: {'X-CSRF-Token': s.csrf,
                'content-type': 'application/json'}, body: JSON.stringify({space, start, end})});
            return [r.status, await r.json()];
        }""", [studio, start.isoformat(), within_day(start, timedelta(hours=1)).isoformat()])
        assert made[0] == 201, made
        local = start.astimezone(SHANGHAI)
        same_day = local.date() == datetime.now(SHANGHAI).date()
        want = f"空闲 · 下一场 {local:%H:%M}" if same_day else "当前空闲 · 点按预订"
        page.wait_for_function("([want]) => window.cloudpark.state().spaces.some((s) => s.id === 'studio'"
                               " && s.label === want)", arg=[want], timeout=5000)

        # the hall booked a little earlier (a clock 20 minutes back), covering now: red at once
        async def book_hall() -> Any:
            account = await web.store.accounts.get("mei")
            person = await Accounts(web.store, scrypt_n=2**10).person(account)
            earlier = ManualClock(time.time() - 20 * 60)
            service = BookingService(web.store, earlier, SHANGHAI, load_secret(web.config.data_dir), bus=web.bus)
            begin = _quarter(datetime.now(UTC))
            return await service.book(person, hall, begin, within_day(begin, timedelta(hours=1)))
        row = web.run(book_hall())
        begin = datetime.fromtimestamp(row.start, SHANGHAI)
        end = datetime.fromtimestamp(row.end, SHANGHAI)
        taken_words = f"已预订 {begin:%H:%M}–{end:%H:%M}"
        page.wait_for_function("([w]) => window.cloudpark.state().spaces.some((s) => s.id === 'hall'"
                               " && s.state === 'taken' && s.label === w)", arg=[taken_words], timeout=5000)
        page.wait_for_timeout(500)  # a few frames with the new colours
        page.screenshot(path=str(SHOTS / "spaces-3d-phone.png"))
        assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")

        # a tap on the taken hall opens nothing; on the free studio, its booking page
        page.evaluate("() => document.querySelectorAll('#notices .notice').forEach((n) => n.remove())")  # toasts
        page.evaluate("() => window.cloudpark.setHeading(0.75)")  # turn towards the studio
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "spaces-3d-phone-studio.png"))
        at = page.evaluate("() => window.cloudpark.spaces.screenPoint('hall', document.getElementById('view'))")
        page.mouse.click(at["x"], at["y"])
        page.wait_for_timeout(300)
        assert page.evaluate("() => window.cloudpark.spaces.opened") == []
        at = page.evaluate("() => window.cloudpark.spaces.screenPoint('studio', document.getElementById('view'))")
        with context.expect_page() as popup:
            page.mouse.click(at["x"], at["y"])
        booking = popup.value
        booking.wait_for_load_state()
        assert f"/console/employee/spaces?park={PARK}&space={studio}" in booking.url
        assert booking.locator("text=Studio").count() >= 1  # the page lists that space, and only it
        assert booking.locator("text=Hall").count() == 0
        booking.screenshot(path=str(SHOTS / "spaces-book-phone.png"), full_page=True)
        assert not errors, errors
        context.close()

        desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
        page = desk.new_page()
        page.goto(f"{web.url}/web/{PARK}/")
        page.wait_for_function("() => window.cloudpark && typeof window.cloudpark.state === 'function'"
                               " && window.cloudpark.state().spaces.length === 2",
                               timeout=30000)
        shown = _state(page)
        assert shown["hall"]["state"] == "taken" and shown["hall"]["label"] == \
            f"Booked {begin:%H:%M}–{end:%H:%M}"  # a guest sees it taken too, in English
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "spaces-3d-desktop.png"))
        desk.close()
    finally:
        web.stop()
