"""The park office's calendar in Chromium: on a desktop the day's grid (every space a
row, bookings as blocks) and the week's table with the utilization charts drawn by
ECharts; on a phone the day list instead, with no sideways scroll. Screenshots in
build/screenshots/web/booking-calendar-*.png."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.db import Store
from server.db.bookings import insert_booking
from server.db.spaces import Space
from tests.web.chromium import fits, sign_in
from tests.web.conftest import LiveServer
from tests.web.test_bookings_browser import DESKTOP, PHONE, SHOTS, chromium  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")
PARK = "798-art-zone"
DAY = (datetime.now(SHANGHAI) + timedelta(days=1)).date()
SPACES = (("hall-1", "Exhibition hall (demo)", "gallery", 80, [[d, 9 * 60, 21 * 60] for d in range(7)],
           [(10, 0, 13, 0, "confirmed"), (15, 30, 18, 0, "pending")]),
          ("room-1", "Meeting room 1 (demo)", "meeting", 8, [[d, 8 * 60, 20 * 60] for d in range(7)],
           [(9, 0, 10, 0, "checked_in"), (10, 30, 12, 0, "confirmed"), (14, 0, 16, 30, "confirmed")]),
          ("room-2", "Meeting room 2 (demo)", "meeting", 12, [[d, 8 * 60, 20 * 60] for d in range(5)],
           [(13, 0, 14, 0, "offered")]),
          ("studio-1", "Recording studio (demo)", "studio", 4, [[d, 10 * 60, 22 * 60] for d in range(7)],
           [(19, 0, 22, 0, "confirmed")]),
          ("plaza", "Outdoor plaza (demo)", "outdoor", 300, [[d, 7 * 60, 19 * 60] for d in range(7)], []))

ROWS = len(SPACES) + 1  # and the catalogue's own venue of 798 (its gallery), a bookable space too


def _at(hour: int, minute: int) -> float:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=SHANGHAI).timestamp()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("calendar") / "data").start()

    async def add() -> None:
        store = await Store.open(live.config.database_url)
        try:
            for venue, name, kind, capacity, opening, booked in SPACES:
                space = await store.spaces.add(Space(PARK, venue, name, kind, capacity, demo=True,
                                                     rules={"audience": "zone", "opening": opening}))
                for h0, m0, h1, m1, state in booked:
                    async def write(conn: Any, space: int = space, lo: float = _at(h0, m0), hi: float = _at(h1, m1),
                                    state: str = state) -> None:
                        await insert_booking(conn, space_id=space, org_id=None, booked_by="emil", for_user="emil",
                                             people=2, start=lo, end=hi, occ_start=lo, occ_end=hi, state=state,
                                             now=1.0, hold_until=hi if state in ("pending", "offered") else None)
                    await store.db.commit(write)
        finally:
            await store.close()
    worker = threading.Thread(target=lambda: asyncio.run(add()))  # Playwright's loop runs in this thread
    worker.start()
    worker.join(30)
    yield live
    live.stop()


def test_the_park_calendar_on_a_desktop_and_on_a_phone(chromium: Any, server: LiveServer) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = f"{server.url}/console/park/{PARK}/calendar?day={DAY.isoformat()}"
    desk = chromium.new_context(viewport=DESKTOP, locale="en-US")
    page = sign_in(desk, server.url, "pam")
    page.goto(url)
    assert page.locator(".cal-day").is_visible() and not page.locator(".cal-list").is_visible()
    assert page.locator(".cal-day .cal-row:not(.cal-head)").count() == ROWS
    assert page.locator(".cal-block").count() == 7
    page.wait_for_function("document.querySelectorAll('figure.chart canvas').length >= 2")  # ECharts drew both
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-calendar-day-desktop.png"), full_page=True)
    page.goto(url + "&view=week")
    assert page.locator("table.cal-week tbody tr").count() == ROWS
    assert page.locator("table.cal-week .cal-chip").count() == 7
    page.wait_for_function("document.querySelectorAll('figure.chart canvas').length >= 2")
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-calendar-week-desktop.png"), full_page=True)
    desk.close()

    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = sign_in(phone, server.url, "pam")
    page.goto(url)
    assert page.locator(".cal-list").is_visible() and not page.locator(".cal-day").is_visible()
    listed = page.locator(".cal-list").inner_text()
    assert listed.index("09:00–10:00") < listed.index("10:00–13:00") < listed.index("19:00–22:00")
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-calendar-day-phone.png"), full_page=True)
    page.goto(url + "&view=week")
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-calendar-week-phone.png"), full_page=True)
    phone.close()
