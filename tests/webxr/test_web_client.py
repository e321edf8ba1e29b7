"""The exported page in headless chromium against a real websocket server.

Screenshots land in build/screenshots/webxr/ for people to look at.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from PIL import Image

from tests.webxr.bot import Bot

pytestmark = pytest.mark.slow

JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"


def variance(png: bytes) -> float:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32)
    return float(pixels.var())


def open_park(page, server, query: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"http://127.0.0.1:{server.port}/web/index.html{query}")
    page.wait_for_function(JOINED, timeout=30_000)
    page.wait_for_function("window.cloudpark.state().frames > 3", timeout=30_000)


def test_page_loads_joins_and_renders_the_park(page, park_server, shots) -> None:
    open_park(page, park_server, "?name=Tester")
    png = page.screenshot(path=str(shots / "park.png"))
    assert page.console_errors == []
    assert variance(png) > 50, "the screenshot is (nearly) one flat colour"
    canvas = page.locator("#view").screenshot()
    assert variance(canvas) > 50
    names = [m.name for m in park_server.received if type(m).__name__ == "Guest"]
    assert names == ["Tester"]


def test_a_bot_visitor_appears_and_moves_between_screenshots(page, park_server, shots) -> None:
    bot = Bot(f"ws://127.0.0.1:{park_server.port}/ws", "test-park").start()
    try:
        open_park(page, park_server)
        page.evaluate("window.cloudpark.setHeading(0)")  # face east, where the bot walks
        page.wait_for_function("window.cloudpark.state().avatars.some(a => a.name === 'Bot Ada')", timeout=10_000)
        first = page.evaluate("window.cloudpark.state().avatars.find(a => a.name === 'Bot Ada')")
        shot1 = page.screenshot(path=str(shots / "bot-1.png"))
        time.sleep(1.5)
        second = page.evaluate("window.cloudpark.state().avatars.find(a => a.name === 'Bot Ada')")
        shot2 = page.screenshot(path=str(shots / "bot-2.png"))
    finally:
        bot.stop()
    assert second["x"] > first["x"] + 0.5, (first, second)
    diff = np.abs(np.asarray(Image.open(io.BytesIO(shot1)).convert("L"), np.float32)
                  - np.asarray(Image.open(io.BytesIO(shot2)).convert("L"), np.float32))
    assert (diff > 20).sum() > 200, "the bot's move did not change the picture"
    assert page.console_errors == []
    # The bot left: its avatar is removed from the page.
    page.wait_for_function("!window.cloudpark.state().avatars.some(a => a.name === 'Bot Ada')", timeout=10_000)


def test_walking_into_a_booth_zone_opens_its_panel(page, park_server, shots) -> None:
    open_park(page, park_server)
    page.evaluate("window.cloudpark.setHeading(0)")
    page.locator("#view").click()
    page.keyboard.down("ShiftLeft")
    page.keyboard.down("KeyW")
    try:
        page.wait_for_selector("#booth:not([hidden]) h2", timeout=20_000)
    finally:
        page.keyboard.up("KeyW")
        page.keyboard.up("ShiftLeft")
    assert page.locator("#booth h2").inner_text() == "Acme Animation Studio"
    state = page.evaluate("window.cloudpark.state()")
    assert state["booth"] == "booth-a"
    assert 7.5 < state["self"]["x"] < 13.5
    page.screenshot(path=str(shots / "booth.png"))
    # Like and a card sent only after consent is ticked.
    page.locator("#booth .like").click()
    page.wait_for_function("document.querySelector('#booth .like').textContent.includes('1')")
    page.locator("#booth summary").click()
    send = page.locator("#booth .card button[type=submit]")
    assert send.is_disabled()
    page.locator("#booth .card input[name=name]").fill("Wang Fang")
    page.locator("#booth .card input[name=consent]").check()
    send.click()
    page.wait_for_function("document.querySelector('#booth .note').textContent.includes('Card left')")
    cards = [m for m in park_server.received if type(m).__name__ == "Card"]
    assert len(cards) == 1 and cards[0].consent is True and cards[0].name == "Wang Fang"
    assert page.console_errors == []


def test_the_client_reconnects_after_a_drop_and_resumes(page, park_server) -> None:
    open_park(page, park_server)
    park_server.drop_all()
    page.wait_for_function("window.cloudpark.conn.state === 'reconnecting'", timeout=10_000)
    page.wait_for_function(JOINED, timeout=15_000)
    hellos = [m for m in park_server.received if type(m).__name__ == "Hello"]
    assert len(hellos) == 2
    assert hellos[0].resume is None
    assert hellos[1].resume is not None and hellos[1].resume.startswith("r-Guest")
    guests = [m for m in park_server.received if type(m).__name__ == "Guest"]
    assert len(guests) == 1, "a resumed session must not log in again"
    assert page.console_errors == []
