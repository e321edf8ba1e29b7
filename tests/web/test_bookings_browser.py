"""In Chromium on a phone-sized viewport: an employee finds a free room and books it in
one click, sees the QR check-in code; the park office sees the booking and checks it in
by typing the code. Then the issue's done-when in one flow on a clock the test moves: a
second phone races for the same hour and gets the nearest free times, waits, and gets the
first one's no-show offered after the grace period; the office checks her in. Screenshots
in build/screenshots/web/ (phone and desktop)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from tests.day import SHANGHAI
from tests.web.booking_live import BookingServer, half_hour_after
from tests.web.chromium import fits, launched, sign_in

SHOTS = Path("build/screenshots/web")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BookingServer]:
    live = BookingServer(tmp_path_factory.mktemp("bookings") / "data").start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched() as browser:
        yield browser


def test_an_employee_books_on_a_phone_and_the_park_office_checks_in(chromium: Any, server: BookingServer) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    day = (datetime.fromtimestamp(server.clock.now(), SHANGHAI) + timedelta(days=1)).date().isoformat()
    phone = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = sign_in(phone, server.url, "emil")
    page.goto(f"{server.url}/console/employee/spaces?day={day}&start=10:00&minutes=60")
    assert "Meeting room 1" in page.locator("main").inner_text()
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-find-phone.png"), full_page=True)
    page.locator("li.entry", has_text="Meeting room 1").locator(".slots button", has_text="10:00").click()  # one click
    page.wait_for_url("**/console/employee/bookings?done=*")
    code = page.locator(".checkin-code").first.inner_text()
    assert len(code) == 9 and page.locator(".qr svg").count() == 1
    fits(page)
    page.screenshot(path=str(SHOTS / "booking-mine-phone.png"), full_page=True)
    desk = chromium.new_context(viewport=DESKTOP, locale="en")
    office = sign_in(desk, server.url, "pam")
    office.goto(f"{server.url}/console/park/spaces?day={day}")
    assert "emil" in office.locator("main").inner_text()
    office.screenshot(path=str(SHOTS / "booking-park-spaces-desktop.png"), full_page=True)
    # the office on a phone: the cancel reason has its label in full and a field as wide as the card allows
    office_phone = sign_in(chromium.new_context(viewport=PHONE, locale="en", is_mobile=True, has_touch=True),
                            server.url, "pam")
    office_phone.goto(f"{server.url}/console/park/spaces?day={day}")
    reason = office_phone.locator("li.entry", has_text="emil").locator("form.reason")
    assert reason.locator("label").inner_text() == "Reason (the booker is told)" and reason.locator("label").is_visible()
    field, button = reason.locator("input[name=reason]").bounding_box(), reason.locator("button").bounding_box()
    card = office_phone.locator("li.entry", has_text="emil").bounding_box()
    assert field["width"] >= 0.5 * card["width"] and field["x"] + field["width"] <= button["x"]
    assert abs(field["y"] - button["y"]) < button["height"]  # side by side, the button never squeezed out
    fits(office_phone)
    reason.scroll_into_view_if_needed()
    office_phone.screenshot(path=str(SHOTS / "booking-park-spaces-phone.png"), full_page=True)
    office_phone.context.close()
    office.goto(f"{server.url}/console/park/check-in")
    office.fill("#code", code)
    office.locator("#check-in-form button").click()
    office.wait_for_load_state()
    # tomorrow's booking: the check-in window is not open yet, and the page says so plainly
    alert = office.locator("[role=alert]")
    assert alert.is_visible() and alert.inner_text().startswith("Too early to check in")
    assert "too_early" not in office.locator("main").inner_text()
    office.screenshot(path=str(SHOTS / "booking-checkin-desktop.png"), full_page=True)
    page.goto(f"{server.url}/console/park/check-in")
    page.goto(f"{server.url}/console/employee/spaces?day={day}&start=10:00&minutes=60")
    page.screenshot(path=str(SHOTS / "booking-find-taken-phone.png"), full_page=True)
    phone.close()
    desk.close()


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _find_url(server: BookingServer, start: datetime, minutes: int) -> str:
    return (f"{server.url}/console/employee/spaces?day={start.date().isoformat()}&start={_hhmm(start)}"
            f"&minutes={minutes}&space={server.rooms['room-2']}")


def _shown_at(day: datetime, text: str) -> datetime:
    """A free-time button's moment: "HH:MM" on the day asked for, "MM-DD HH:MM" on another."""
    if " " not in text:
        text = f"{day.strftime('%m-%d')} {text}"
    return datetime.strptime(f"{day.year}-{text}", "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


def _booking_id(page: Any) -> int:
    return int(page.url.rsplit("done=", 1)[1])


def test_two_phones_race_the_loser_waits_and_gets_the_no_show_the_office_checks_her_in(
        chromium: Any, server: BookingServer) -> None:
    """The issue's done-when in one flow: emil books in one click (QR + .ics); fay, on a
    second phone that showed the same hour free, gets "just taken" with the nearest free
    times and joins the waitlist for the second half hour; emil never checks in, the
    release job frees the room after the grace period and fay's page offers it with Accept;
    she accepts and the park office checks her in with the code inside the window."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    zh = json.loads(Path("assets/i18n/zh.json").read_text(encoding="utf-8"))
    start = half_hour_after(server.clock.now(), 60)  # today, at most 22:00: the hour and the next stay in the day
    later = start + timedelta(minutes=30)
    phone = {"viewport": PHONE, "locale": "zh-CN", "is_mobile": True, "has_touch": True}
    emil_ctx, fay_ctx = chromium.new_context(**phone), chromium.new_context(**phone)
    emil = sign_in(emil_ctx, server.url, "emil")
    fay = sign_in(fay_ctx, server.url, "fay")
    fay_half = fay_ctx.new_page()
    # both phones show the room free at that hour before either taps
    emil.goto(_find_url(server, start, 60))
    fay.goto(_find_url(server, start, 60))
    fay_half.goto(_find_url(server, later, 30))
    for page, at in ((emil, start), (fay, start), (fay_half, later)):
        assert page.locator(".slots button", has_text=_hhmm(at)).count() == 1

    emil.locator(".slots button", has_text=_hhmm(start)).click()  # one click
    emil.wait_for_url("**/console/employee/bookings?done=*")
    emil_id = _booking_id(emil)
    code = emil.locator(f"#booking-{emil_id} .checkin-code").inner_text()
    assert emil.locator(f"#booking-{emil_id} .qr svg").count() == 1
    with emil.expect_download() as got:
        emil.locator(f"#booking-{emil_id} a[href$='calendar.ics']").click()
    event = next(c for c in Calendar.from_ical(Path(got.value.path()).read_bytes()).walk() if c.name == "VEVENT")
    assert event.decoded("dtstart") == start and event.decoded("dtend") == start + timedelta(minutes=60)
    assert code in str(event.get("description"))

    # the second phone taps the same hour a moment later: "just taken" in Chinese, that room's nearest free times
    fay.locator(".slots button", has_text=_hhmm(start)).click()
    fay.wait_for_load_state()
    alert = fay.locator("[role=alert]")
    said = alert.inner_text()
    assert alert.is_visible() and zh["booking.taken.title"] in said and zh["booking.refusal.taken"] in said
    assert zh["booking.taken.nearest"].format(space="Meeting room 2") in said
    assert "taken" not in said and "this time" not in said  # no English rule sentence, no raw code
    offered = [t.strip() for t in alert.locator("form:not(:has(input[name=waitlist])) button").all_inner_texts()]
    shown = [_shown_at(start, t) for t in offered]
    assert shown and (start + timedelta(minutes=60)) in shown  # the free hour right after emil's
    assert all(s + timedelta(minutes=60) <= start or s >= start + timedelta(minutes=60) for s in shown)
    assert set(alert.locator("input[name=space]").evaluate_all("es => es.map(e => e.value)")) == {
        str(server.rooms["room-2"])}  # every button books the room she tapped
    # phone-sized: at most three other rooms and a link to search again, not the zone's whole list
    assert fay.locator(".others li.entry").count() <= 3
    assert fay.locator("a.search-again").is_visible()
    assert fay.evaluate("document.documentElement.scrollHeight") <= 2 * PHONE["height"]
    fits(fay)
    fay.bring_to_front()  # the second tab is in front: a background tab gives no screenshot
    fay.screenshot(path=str(SHOTS / "booking-race-second-phone.png"), full_page=True)

    # the half-hour tab: taken too; fay joins the waitlist for it
    fay_half.bring_to_front()
    fay_half.locator(".slots button", has_text=_hhmm(later)).click()
    fay_half.wait_for_load_state()
    assert zh["booking.taken.title"] in fay_half.locator("[role=alert]").inner_text()
    fay_half.locator("[role=alert] button", has_text=zh["booking.join_waitlist"]).click()
    fay_half.wait_for_url("**/console/employee/bookings?waiting=1")
    assert zh["booking.waiting_done"] in fay_half.locator("main").inner_text()
    assert f"Meeting room 2 · {later.strftime('%Y-%m-%d %H:%M')}" in fay_half.locator("main").inner_text()

    # nobody checks emil in: a minute before the grace period ends nothing happens, after it the job frees the room
    server.to(start + timedelta(minutes=14))
    server.run_jobs()
    assert server.call(lambda: server.store.bookings.get(emil_id)).state == "confirmed"
    server.to(start + timedelta(minutes=15, seconds=1))
    server.run_jobs()
    assert server.call(lambda: server.store.bookings.get(emil_id)).state == "released"
    assert server.call(lambda: server.store.bookings.no_shows("emil")) == 1
    emil.goto(f"{server.url}/console/employee/bookings")
    assert emil.locator(f"#booking-{emil_id} .tag").inner_text() == zh["booking.state.released"]

    fay_half.goto(f"{server.url}/console/employee/bookings")
    offer = fay_half.locator("li.booking", has=fay_half.locator(".state-offered"))
    assert offer.count() == 1 and later.strftime("%Y-%m-%d %H:%M") in offer.inner_text()
    fits(fay_half)
    fay_half.screenshot(path=str(SHOTS / "booking-offer-phone.png"), full_page=True)
    inbox = server.call(lambda: server.store.inbox.page("fay"))
    assert "booking.notice.offered.title" in [n.notice.title_key for n in inbox]
    offer.locator("button", has_text=zh["booking.accept"]).click()
    fay_half.wait_for_url("**/console/employee/bookings?done=*")
    fay_id = _booking_id(fay_half)
    mine = fay_half.locator(f"#booking-{fay_id}")
    assert mine.locator(".tag").inner_text() == zh["booking.state.confirmed"] and mine.locator(".qr svg").count() == 1
    fay_code = mine.locator(".checkin-code").inner_text()

    # the park office checks fay in with her code: the window opened 15 minutes before her start
    desk = chromium.new_context(viewport=DESKTOP, locale="en")
    office = sign_in(desk, server.url, "pam")
    office.goto(f"{server.url}/console/park/check-in")
    office.fill("#code", fay_code)
    office.locator("#check-in-form button").click()
    office.wait_for_load_state()
    status = office.locator("[role=status]")
    assert status.inner_text() == f"Checked in: Meeting room 2 at {_hhmm(later)}, fay"
    assert office.locator("[role=alert]").count() == 0
    office.screenshot(path=str(SHOTS / "booking-checkin-ok-desktop.png"), full_page=True)
    assert server.call(lambda: server.store.bookings.get(fay_id)).state == "checked_in"
    server.to(later + timedelta(minutes=16))
    server.run_jobs()  # her release job finds her checked in: no no-show
    assert server.call(lambda: server.store.bookings.get(fay_id)).state == "checked_in"
    assert server.call(lambda: server.store.bookings.no_shows("fay")) == 0
    for ctx in (emil_ctx, fay_ctx, desk):
        ctx.close()
