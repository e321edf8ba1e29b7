"""In Chromium on a phone-sized viewport: an employee finds a free room and books it in
one click, sees the QR check-in code; the park office sees the booking and checks it in
by typing the code. Screenshots in build/screenshots/web/ (phone and desktop)."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.db import Store
from server.db.spaces import Space
from tests.web.conftest import LiveServer
from tests.web.people import PASSWORD
from tests.webxr.conftest import CHROMIUM, CHROMIUM_ARGS

SHOTS = Path("build/screenshots/web")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("bookings") / "data").start()

    async def add() -> None:
        store = await Store.open(live.config.database_url)
        try:
            await store.spaces.add(Space("798-art-zone", "room-1", "Meeting room 1", "meeting", 8, building="A",
                                        rules={"audience": "zone", "opening": [[d, 8 * 60, 20 * 60] for d in range(7)]}))
        finally:
            await store.close()
    worker = threading.Thread(target=lambda: asyncio.run(add()))  # Playwright's loop runs in this thread
    worker.start()
    worker.join(30)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run bash tools/setup.sh --test")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _sign_in(context: Any, url: str, user: str) -> Any:
    page = context.new_page()
    page.goto(f"{url}/signin")
    page.fill("#user", user)
    page.fill("#password", PASSWORD)
    page.locator("form button").click()
    page.wait_for_load_state()
    return page


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "sideways scroll"


def test_an_employee_books_on_a_phone_and_the_park_office_checks_in(chromium: Any, server: LiveServer) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    day = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).date().isoformat()
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = _sign_in(phone, server.url, "emil")
    page.goto(f"{server.url}/console/employee/spaces?day={day}&start=10:00&minutes=60")
    assert "Meeting room 1" in page.locator("main").inner_text()
    _fits(page)
    page.screenshot(path=str(SHOTS / "booking-find-phone.png"), full_page=True)
    page.locator(".slots button", has_text="10:00").first.click()  # one click
    page.wait_for_url("**/console/employee/bookings?done=*")
    code = page.locator(".checkin-code").first.inner_text()
    assert len(code) == 9 and page.locator(".qr svg").count() == 1
    _fits(page)
    page.screenshot(path=str(SHOTS / "booking-mine-phone.png"), full_page=True)
    desk = chromium.new_context(viewport=DESKTOP, locale="en")
    office = _sign_in(desk, server.url, "pam")
    office.goto(f"{server.url}/console/park/spaces?day={day}")
    assert "emil" in office.locator("main").inner_text()
    office.screenshot(path=str(SHOTS / "booking-park-spaces-desktop.png"), full_page=True)
    office.goto(f"{server.url}/console/park/check-in")
    office.fill("#code", code)
    office.locator("#check-in-form button").click()
    office.wait_for_load_state()
    # tomorrow's booking: the check-in window is not open yet, and the page says so plainly
    assert office.locator("[role=alert]").is_visible() and "too_early" in office.locator("main").inner_text()
    office.screenshot(path=str(SHOTS / "booking-checkin-desktop.png"), full_page=True)
    page.goto(f"{server.url}/console/park/check-in")
    page.goto(f"{server.url}/console/employee/spaces?day={day}&start=10:00&minutes=60")
    page.screenshot(path=str(SHOTS / "booking-find-taken-phone.png"), full_page=True)
    phone.close()
    desk.close()
