"""The booking forms of this round in Chromium: the employee's search with equipment and an
end time on a phone (zh), moving a booking on its page with one tap, the park office's
opening hours and blackout dates (a bad field named) and "add a space" (a venue of the
catalogue entry) on a desktop; no sideways scroll. Screenshots in build/screenshots/web/
booking-{find-filters,move,moved}-phone.png, booking-{space-hours,space-hours-error,
spaces-add}-desktop.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.day import SHANGHAI
from tests.web.booking_live import BookingServer
from tests.web.chromium import fits, sign_in
from tests.web.test_bookings_browser import DESKTOP, PHONE, SHOTS, chromium  # noqa: F401


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BookingServer]:
    live = BookingServer(tmp_path_factory.mktemp("forms") / "data").start()
    yield live
    live.stop()


def test_search_filters_moving_a_booking_and_the_space_forms(chromium: Any, server: BookingServer) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    day = (datetime.fromtimestamp(server.clock.now(), SHANGHAI) + timedelta(days=1)).date()
    room = server.rooms["room-1"]

    async def equip() -> None:
        space = await server.store.spaces.get(room)
        await server.store.spaces.save(space.__class__(**{**{f: getattr(space, f) for f in space.__slots__},
                                                          "equipment": ("projector", "whiteboard")}))
    server.call(equip)
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = sign_in(phone, server.url, "emil")
    page.goto(f"{server.url}/console/employee/spaces?day={day}&start=09:00&until=12:00&minutes=60"
              f"&equipment=whiteboard")
    main = page.locator("main").inner_text()
    assert "Meeting room 1" in main and "Meeting room 2" not in main  # room 2 has no whiteboard
    assert page.locator('input[name="until"]').input_value() == "12:00"
    assert page.locator('input[name="equipment"]').input_value() == "whiteboard"
    assert page.locator(".slots button").all_inner_texts() == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-find-filters-phone.png"), full_page=True)
    # book 10:00 with one tap, then move it from "my bookings"
    page.locator(".slots button", has_text="10:00").click()
    page.wait_for_load_state()
    page.locator("a.move").first.click()
    page.wait_for_load_state()
    assert "10:00–11:00" in page.locator(".booking-now").inner_text()
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-move-phone.png"), full_page=True)
    page.locator(".slots button", has_text="14:00").click()
    page.wait_for_load_state()
    assert page.locator("p.ok").is_visible() and "14:00–15:00" in page.locator(".booking-now").inner_text()
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-moved-phone.png"), full_page=True)
    mine = server.call(lambda: server.store.bookings.of_user("emil", 0))
    assert [datetime.fromtimestamp(b.start, SHANGHAI).strftime("%H:%M") for b in mine] == ["14:00"]
    phone.close()
    # the park office: opening hours and blackout dates, then a bad field
    desk = chromium.new_context(viewport=DESKTOP, locale="en-US")
    office = sign_in(desk, server.url, "pam")
    office.goto(f"{server.url}/console/park/spaces/{room}")
    office.fill('input[name="opening_5"]', "")
    office.fill('input[name="opening_6"]', "10:00-12:00, 14:00-18:00")
    office.fill('textarea[name="blackout"]', "2027-01-01\n2027-02-10")
    office.locator('form.stack button[type="submit"]').click()
    office.wait_for_load_state()
    assert office.locator("p.ok").is_visible()
    assert office.locator('input[name="opening_6"]').input_value() == "10:00-12:00, 14:00-18:00"
    fits(office)
    office.screenshot(path=str(SHOTS / "booking-space-hours-desktop.png"), full_page=True)
    office.fill('input[name="opening_2"]', "18:00-09:00")
    office.fill('textarea[name="blackout"]', "2027-02-30")
    office.locator('form.stack button[type="submit"]').click()
    office.wait_for_load_state()
    assert office.locator("#err-opening_2").is_visible() and office.locator("#err-blackout").is_visible()
    office.locator("#err-opening_2").scroll_into_view_if_needed()
    office.screenshot(path=str(SHOTS / "booking-space-hours-error-desktop.png"), full_page=True)
    saved = server.call(lambda: server.store.spaces.get(room))
    assert saved.rules["blackout"] == ["2027-01-01", "2027-02-10"]  # the bad save wrote nothing
    # "add a space": a venue of the park's catalogue entry
    office.goto(f"{server.url}/console/park/spaces")
    assert office.locator('a[href="/console/park/catalogue/798-art-zone"]').first.is_visible()
    office.fill('input[name="venue_id"]', "room-9")
    office.fill('form[action="/console/park/spaces"] input[name="name"]', "Meeting room 9")
    office.fill('form[action="/console/park/spaces"] input[name="capacity"]', "10")
    office.select_option('form[action="/console/park/spaces"] select[name="kind"]', "meeting")
    office.locator('form[action="/console/park/spaces"] button').click()
    office.wait_for_load_state()
    assert "Meeting room 9" in office.locator("h2").first.inner_text()
    entry = server.call(lambda: server.store.catalogue.get("798-art-zone"))
    assert "room-9" in [v.id for v in entry.park().venues]
    office.goto(f"{server.url}/console/park/spaces")
    fits(office)
    office.screenshot(path=str(SHOTS / "booking-spaces-add-desktop.png"), full_page=True)
    desk.close()
