"""Moving a booking on the web: PATCH /api/bookings/{id} (the booker; a stranger is
refused; a taken time is 409 with alternatives and nothing changes) and the move page
(free times of the day as one-click buttons, the taken time's alternatives, the park
office moving it after the booker's deadline), the "changed" notice in the inbox in both
languages."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.web.conftest import AppUnderTest
from tests.web.test_bookings_web import DAY, _book, _room

pytestmark = pytest.mark.anyio


async def _patch(web: AppUnderTest, booking: int, start: str, end: str) -> object:
    return await web.client.patch(f"/api/bookings/{booking}", json={"start": f"{DAY}T{start}:00+08:00",
                                                                    "end": f"{DAY}T{end}:00+08:00"},
                                  headers={"X-CSRF-Token": await web.csrf()})


async def test_the_booker_moves_a_booking_over_the_api_and_on_its_page(web: AppUnderTest) -> None:
    room = await _room(web, slot_minutes=60)
    await web.sign_in("olga")
    other = (await _book(web, room, "14:00", "15:00")).json()
    web.client.cookies.clear()
    await web.sign_in("emil")
    made = (await _book(web, room, "10:00", "11:00")).json()
    code = made["check_in_code"]
    moved = await _patch(web, made["id"], "11:00", "12:00")
    assert moved.status_code == 200, moved.text  # type: ignore[attr-defined]
    body = moved.json()  # type: ignore[attr-defined]
    assert (body["id"], body["start"], body["check_in_code"]) == (made["id"], "2026-01-05T03:00:00Z", code)
    taken = await _patch(web, made["id"], "14:00", "15:00")
    assert taken.status_code == 409 and taken.json()["code"] == "taken"  # type: ignore[attr-defined]
    assert taken.json()["alternatives"][0] == "2026-01-05T05:00:00+00:00"  # type: ignore[attr-defined]
    assert (await web.store.bookings.get(made["id"])).start == body_start(body)  # nothing changed
    bad = await web.client.patch(f"/api/bookings/{made['id']}", json={"start": f"{DAY}T11:00:00+08:00"},
                                 headers={"X-CSRF-Token": await web.csrf()})
    assert bad.status_code == 422
    # the page: his booking links its move page; the day's free times are buttons (its own time is not one)
    mine = await web.client.get("/console/employee/bookings", headers={"Accept-Language": "en"})
    assert f'href="/console/employee/bookings/{made["id"]}/move"' in mine.text
    page = await web.client.get(f"/console/employee/bookings/{made['id']}/move", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Now: 2026-01-05 11:00–12:00" in page.text
    buttons = re.findall(r'aria-label="Move to (\d\d:\d\d)"', page.text)
    assert "10:00" in buttons and "11:00" not in buttons and "14:00" not in buttons
    csrf = await web.csrf()
    done = await web.client.post(f"/console/employee/bookings/{made['id']}/move",
                                 data={"day": DAY, "start": "16:00", "csrf": csrf})
    assert done.status_code == 303
    shown = await web.client.get(done.headers["location"], headers={"Accept-Language": "zh"})
    assert "预订时间已更改" in shown.text and "16:00–17:00" in shown.text
    lost = await web.client.post(f"/console/employee/bookings/{made['id']}/move",
                                 data={"day": DAY, "start": "14:00", "csrf": csrf}, headers={"Accept-Language": "en"})
    assert lost.status_code == 409 and "That time was just taken" in lost.text
    assert re.search(r'name="start" value="13:00">\s*<button type="submit">01-05 13:00', lost.text)
    assert (await web.store.bookings.get(other["id"])).for_user == "olga"  # olga's booking untouched
    # the inbox tells him, in his language
    inbox = await web.client.get("/console/inbox", headers={"Accept-Language": "en"})
    assert "Booking changed" in inbox.text and "moved from 2026-01-05 11:00–12:00 to 2026-01-05 16:00–17:00" in inbox.text
    zh = await web.client.get("/console/inbox", headers={"Accept-Language": "zh"})
    assert "预订时间已更改" in zh.text
    # a stranger may neither see nor move it
    web.client.cookies.clear()
    await web.sign_in("vera")
    assert (await _patch(web, made["id"], "09:00", "10:00")).status_code == 403  # type: ignore[attr-defined]
    assert (await web.client.get(f"/console/employee/bookings/{made['id']}/move")).status_code == 403
    # 15:30 on the day: inside the cancellation deadline the booker may not, the park office may
    web.clock.advance(1767598200.0 - web.clock.now())  # 2026-01-05 15:30 Shanghai
    web.client.cookies.clear()
    await web.sign_in("emil")
    late = await _patch(web, made["id"], "18:00", "19:00")
    assert late.status_code == 422 and late.json()["code"] == "deadline"  # type: ignore[attr-defined]
    web.client.cookies.clear()
    await web.sign_in("pam")
    space_page = await web.client.get(f"/console/park/spaces/{room}")
    assert f'href="/console/employee/bookings/{made["id"]}/move"' in space_page.text
    office = await web.client.post(f"/console/employee/bookings/{made['id']}/move",
                                   data={"day": DAY, "start": "18:00", "csrf": await web.csrf()})
    assert office.status_code == 303
    assert [a.action for a in await web.store.audit.page(target=f"booking:{made['id']}")] == ["booking.move"]


def body_start(body: dict[str, object]) -> float:
    return datetime.fromisoformat(str(body["start"]).replace("Z", "+00:00")).timestamp()
