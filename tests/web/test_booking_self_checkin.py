"""The booker checks in on the phone: the "Check in" button on my bookings while check-in
is open (15 minutes before the start to the end of the grace period), its refusals in
the catalogue's words (too early, too late, already, someone else's), and the API's
``POST /api/bookings/{id}/check-in`` with the same rule. ManualClock (2026-01-01 08:00
Shanghai); the bookings are on Monday 2026-01-05."""

from __future__ import annotations

import httpx
import pytest

from tests.web.conftest import AppUnderTest
from tests.web.test_bookings_web import DAY, _book, _room

pytestmark = pytest.mark.anyio
MINE = "/console/employee/bookings"
TEN = 4 * 86400 + 2 * 3600  # seconds from the clock's start to 2026-01-05 10:00 Shanghai


def _form(booking: int) -> str:
    return f'action="/console/employee/bookings/{booking}/check-in"'


async def _check_in(web: AppUnderTest, booking: int, lang: str = "en") -> httpx.Response:
    return await web.client.post(f"{MINE}/{booking}/check-in", data={"csrf": await web.csrf()},
                                 headers={"Accept-Language": lang})


async def test_the_check_in_button_shows_while_check_in_is_open_and_refusals_are_in_words(web: AppUnderTest) -> None:
    room = await _room(web)
    await web.sign_in("emil")
    made = await web.client.post("/console/employee/spaces/book", data={
        "space": room, "day": DAY, "start": "10:00", "minutes": 60, "csrf": await web.csrf()})
    assert made.status_code == 303, made.text
    booking = int(made.headers["location"].split("done=")[1])

    page = await web.client.get(MINE, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and _form(booking) not in page.text  # days before: no button
    assert "Check-in opens at 09:45." in page.text
    early = await _check_in(web, booking, "zh")
    assert early.status_code == 409 and 'role="alert"' in early.text
    assert "签到尚未开始：开始前 15 分钟起可签到。" in early.text
    assert (await web.store.bookings.get(booking)).state == "confirmed"

    web.clock.advance(TEN - 20 * 60)  # 09:40: still closed
    assert _form(booking) not in (await web.client.get(MINE)).text
    web.clock.advance(10 * 60)  # 09:50: open
    page = await web.client.get(MINE, headers={"Accept-Language": "en"})
    assert _form(booking) in page.text and ">Check in</button>" in page.text
    assert "Check-in opens" not in page.text
    done = await _check_in(web, booking)
    assert done.status_code == 303 and done.headers["location"].startswith(f"{MINE}?checked={booking}")
    after = await web.client.get(done.headers["location"], headers={"Accept-Language": "en"})
    assert 'role="status">Checked in: Room 1, 10:00–11:00.<' in after.text
    assert "state-checked_in" in after.text and _form(booking) not in after.text
    assert (await web.store.bookings.get(booking)).state == "checked_in"
    again = await _check_in(web, booking)
    assert again.status_code == 409 and "This booking is checked in already." in again.text
    again_zh = await _check_in(web, booking, "zh")
    assert "该预订已签到。" in again_zh.text

    # someone else's booking: refused by booking.own, in words
    web.client.cookies.clear()
    await web.sign_in("vera")
    theirs = await _check_in(web, booking)
    assert theirs.status_code == 403 and "This booking is someone else&#39;s." in theirs.text


async def test_the_window_closes_with_the_grace_period_on_the_page_and_the_api(web: AppUnderTest) -> None:
    room = await _room(web)  # grace: the default 15 minutes
    await web.sign_in("emil")
    late = (await _book(web, room, "10:00", "11:00")).json()["id"]
    api = (await _book(web, room, "14:00", "15:00")).json()["id"]
    csrf = {"X-CSRF-Token": await web.csrf()}

    # the API: too early (422 naming the rule), a stranger 403, a guest 401
    early = await web.client.post(f"/api/bookings/{api}/check-in", headers=csrf)
    assert early.status_code == 422 and early.json()["code"] == "too_early", early.text
    web.client.cookies.clear()
    assert (await web.client.post(f"/api/bookings/{api}/check-in",
                                  headers={"X-CSRF-Token": await web.csrf()})).status_code == 401
    await web.sign_in("vera")
    stranger = await web.client.post(f"/api/bookings/{api}/check-in", headers={"X-CSRF-Token": await web.csrf()})
    assert stranger.status_code == 403 and stranger.json()["detail"] == "this booking is someone else's"
    web.client.cookies.clear()
    await web.sign_in("emil")
    csrf = {"X-CSRF-Token": await web.csrf()}

    web.clock.advance(TEN + 15 * 60)  # 10:15: the last second of the 10:00 booking's grace
    assert _form(late) in (await web.client.get(MINE)).text
    web.clock.advance(1)  # 10:15:01: closed (no scheduler here releases it)
    page = await web.client.get(MINE, headers={"Accept-Language": "en"})
    assert _form(late) not in page.text
    refused = await _check_in(web, late)
    assert refused.status_code == 409
    assert "Too late to check in: the grace period after the start is over." in refused.text
    assert (await web.store.bookings.get(late)).state == "confirmed"

    # the API inside the 14:00 booking's window, then once more
    web.clock.advance(4 * 3600 - 16 * 60 - 1)  # 13:59
    ok = await web.client.post(f"/api/bookings/{api}/check-in", headers=csrf)
    assert ok.status_code == 200 and ok.json()["state"] == "checked_in", ok.text
    twice = await web.client.post(f"/api/bookings/{api}/check-in", headers=csrf)
    assert twice.status_code == 422 and twice.json()["code"] == "state"
    assert (await web.store.bookings.get(api)).state == "checked_in"
