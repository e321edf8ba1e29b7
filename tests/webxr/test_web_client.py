"""The exported page in headless chromium, served by the real world server (its /web/ and /ws).

Screenshots land in build/screenshots/webxr/ for people to look at.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pytest
from PIL import Image

from tests.webxr.bot import Bot
from tests.webxr.conftest import PARK, REAL_PARKS

pytestmark = pytest.mark.slow

SPAWN = "s3"  # the scene builder's spawn by the booth rows
JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"


def variance(png: bytes) -> float:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32)
    return float(pixels.var())


def open_park(page, server, query: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(server.url(f"/web/{PARK}/{query}"))
    page.wait_for_function(JOINED, timeout=30_000)
    page.wait_for_function("window.cloudpark.state().frames > 3", timeout=30_000)


def test_the_servers_web_index_lists_the_park(page, world_server) -> None:
    page.goto(world_server.url("/web/"))
    page.click(f"a[href='{PARK}/']")
    page.wait_for_function(JOINED, timeout=30_000)
    assert page.url == world_server.url(f"/web/{PARK}/")
    assert page.console_errors == []


def test_page_loads_joins_and_renders_the_park(page, world_server, shots) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    open_park(page, world_server, "?name=Tester")
    png = page.screenshot(path=str(shots / "park.png"))
    assert page.console_errors == []
    # served by the world server (no web app): the page never asks for a web sign-in ticket
    assert [u for u in asked if "/api/" in u] == []
    assert variance(png) > 50, "the screenshot is (nearly) one flat colour"
    canvas = page.locator("#view").screenshot()
    assert variance(canvas) > 50
    # The page connected to this server's /ws and is the one avatar in the park.
    you = page.evaluate("window.cloudpark.state().you")
    assert world_server.avatars(PARK) == [(you, "Tester")]


def test_a_bot_visitor_appears_and_moves_between_screenshots(page, world_server, shots) -> None:
    open_park(page, world_server)
    bot = Bot(world_server.ws_url, PARK).start()  # walks east from the park's one spawn
    try:
        page.evaluate("window.cloudpark.setHeading(0)")  # face east, where the bot walks
        page.wait_for_function("window.cloudpark.state().avatars.some(a => a.name === 'Bot Ada')", timeout=10_000)
        first = page.evaluate("window.cloudpark.state().avatars.find(a => a.name === 'Bot Ada')")
        shot1 = page.screenshot(path=str(shots / "bot-1.png"))
        page.wait_for_function(
            f"window.cloudpark.state().avatars.find(a => a.name === 'Bot Ada').x > {first['x']} + 1.5",
            timeout=10_000)
        second = page.evaluate("window.cloudpark.state().avatars.find(a => a.name === 'Bot Ada')")
        shot2 = page.screenshot(path=str(shots / "bot-2.png"))
        assert abs(second["x"] - bot.x) < 1.5, "the page shows the bot where the server has it"
    finally:
        bot.stop()
    diff = np.abs(np.asarray(Image.open(io.BytesIO(shot1)).convert("L"), np.float32)
                  - np.asarray(Image.open(io.BytesIO(shot2)).convert("L"), np.float32))
    assert (diff > 20).sum() > 200, "the bot's move did not change the picture"
    assert page.console_errors == []
    # The bot closed its connection: it left, and its avatar is removed from the page.
    page.wait_for_function("!window.cloudpark.state().avatars.some(a => a.name === 'Bot Ada')", timeout=10_000)


def test_walking_into_a_booth_zone_opens_its_panel(page, world_server, shots) -> None:
    open_park(page, world_server)
    page.evaluate("window.cloudpark.setHeading(0)")
    page.locator("#view").click()
    page.keyboard.down("KeyW")
    try:
        page.wait_for_selector("#booth:not([hidden]) h2", timeout=20_000)
    finally:
        page.keyboard.up("KeyW")
    # The content is what `cloudpark demo seed` gave the booth on the server.
    assert page.locator("#booth h2").inner_text() == "Inkstone Animation (demo)"
    assert "Demo booth of Inkstone Animation (demo)" in page.locator("#booth").inner_text()
    state = page.evaluate("window.cloudpark.state()")
    assert state["booth"] == "booth-a"
    assert 7.5 < state["self"]["x"] < 13.5
    page.screenshot(path=str(shots / "booth.png"))
    # Like: the server counts it and the button shows its count.
    page.locator("#booth .like").click()
    page.wait_for_function("document.querySelector('#booth .like').textContent.includes('1')")
    assert world_server.call(lambda app: app.parks[PARK].booths["booth-a"].likes) == 1
    # A guest may not leave a card (the server's permission map says so): no form, a note.
    assert page.locator("#booth .card").count() == 0
    assert "register or log in" in page.locator("#booth .cardnote").inner_text()
    # A dropped connection resumes the same avatar, still in the booth: the panel stays.
    you = state["you"]
    assert world_server.drop_all() == 1
    page.wait_for_function("window.cloudpark.conn.state === 'reconnecting'", timeout=10_000)
    page.wait_for_function(JOINED, timeout=15_000)
    assert page.evaluate("window.cloudpark.state()")["you"] == you
    assert page.locator("#booth h2").inner_text() == "Inkstone Animation (demo)"
    assert page.console_errors == []


def test_the_client_reconnects_after_a_drop_and_resumes_its_avatar(page, world_server) -> None:
    open_park(page, world_server, "?name=Resumer")
    page.evaluate("window.__sessions = []; window.cloudpark.conn.on('session', (m) => window.__sessions.push(m))")
    before = page.evaluate("window.cloudpark.state()")
    assert world_server.drop_all() == 1
    page.wait_for_function("window.cloudpark.conn.state === 'reconnecting'", timeout=10_000)
    page.wait_for_function(JOINED, timeout=15_000)
    sessions = page.evaluate("window.__sessions")
    assert len(sessions) == 1 and sessions[0]["resumed"] is True and sessions[0]["park"] == PARK
    after = page.evaluate("window.cloudpark.state()")
    assert after["you"] == before["you"], "the resumed session keeps its avatar"
    assert world_server.avatars(PARK) == [(before["you"], "Resumer")], "no second avatar, no guest login"
    # Still live: walking moves the avatar on the server.
    page.evaluate("window.cloudpark.setHeading(Math.PI / 2)")
    page.locator("#view").click()
    page.keyboard.down("KeyW")
    try:
        page.wait_for_function(f"window.cloudpark.state().self.y > {before['self']['y']} + 1", timeout=10_000)
    finally:
        page.keyboard.up("KeyW")
    assert page.console_errors == []


@pytest.mark.parametrize("park", REAL_PARKS)
def test_a_real_park_renders_with_a_bot_in_view(page, real_parks, shots, park: str) -> None:
    """Screenshots of real parks (scene builder -> publish_web -> cloudpark serve) with a
    bot walking ahead of the camera, for people to look at."""
    # it walks 8 m ahead and stands, however long the page takes to load on a slow machine
    bot = Bot(real_parks.ws_url, park, name="Bot Ada", heading=math.pi / 2, spawn=SPAWN, walk_m=8.0).start()
    try:
        page.goto(real_parks.url(f"/web/{park}/?spawn={SPAWN}&name=Visitor"))
        page.wait_for_function(JOINED, timeout=30_000)
        page.wait_for_function("window.cloudpark.state().avatars.some(a => a.name === 'Bot Ada')", timeout=10_000)
        page.wait_for_function("window.cloudpark.state().frames > 10", timeout=30_000)
        page.wait_for_timeout(1500)  # the bot walks a few metres ahead
        png = page.screenshot(path=str(shots / f"{park}.png"))
        state = page.evaluate("window.cloudpark.state()")
    finally:
        bot.stop()
    assert variance(png) > 100
    me, them = state["self"], next(a for a in state["avatars"] if a["name"] == "Bot Ada")
    assert math.hypot(them["x"] - me["x"], them["y"] - me["y"]) < 20, "the bot is near, in view"
    assert page.console_errors == []
