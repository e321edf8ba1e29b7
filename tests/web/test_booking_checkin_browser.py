"""In Chromium on a phone (390x844, Chinese): the booker books a room in one click, sees no
"Check in" button while check-in is closed (only when it opens), and once the clock (the
test's, parked) reaches the check-in window taps "签到" on my bookings: the page says
checked in and the database agrees. Screenshots build/screenshots/web/booking-checkin-*.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.web.booking_live import BookingServer, half_hour_after
from tests.web.chromium import fits, sign_in
from tests.web.test_bookings_browser import PHONE, SHOTS, chromium  # noqa: F401 (fixture)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BookingServer]:
    live = BookingServer(tmp_path_factory.mktemp("checkin") / "data").start()
    yield live
    live.stop()


def test_the_booker_checks_in_on_the_phone_once_check_in_opens(chromium: Any, server: BookingServer) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    start = half_hour_after(server.clock.now(), 60)  # room 2 is open all day
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = sign_in(phone, server.url, "emil")
    page.goto(f"{server.url}/console/employee/spaces?day={start.date().isoformat()}&start={start:%H:%M}&minutes=60")
    page.locator("li.entry", has_text="Meeting room 2").locator(".slots button", has_text=f"{start:%H:%M}").first.click()
    page.wait_for_url("**/console/employee/bookings?done=*")
    booking = page.locator("li.entry.booking").first
    assert booking.locator("button.check-in").count() == 0  # an hour ahead: closed
    opens = start - timedelta(minutes=15)
    assert f"{opens:%H:%M} 起可签到。" in booking.inner_text()

    server.to(start - timedelta(minutes=5))  # inside the window
    page.goto(f"{server.url}/console/employee/bookings")
    button = page.locator("li.entry.booking").first.locator("button.check-in")
    assert button.inner_text() == "签到" and button.is_visible()
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-checkin-button-phone.png"), full_page=True)
    button.tap()
    page.wait_for_url("**/console/employee/bookings?checked=*")
    status = page.locator('p.ok[role="status"]').inner_text()
    assert status.startswith("已签到：Meeting room 2") and f"{start:%H:%M}" in status
    assert page.locator("li.entry.booking").first.locator(".state-checked_in").count() == 1
    assert page.locator("button.check-in").count() == 0
    booking_id = int(page.url.split("checked=")[1].split("#")[0])
    row = server.call(lambda: server.store.bookings.get(booking_id))
    assert row.state == "checked_in" and row.booked_by == "emil"
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-checkin-done-phone.png"), full_page=True)
    phone.close()


