"""Booking on the web: the API (one click, the race's loser gets alternatives, bad
input names the field and the rule, the calendar file), the employee's pages (book in
one click, the QR check-in code) and the park office's (spaces, the scanner), every
booking page in both languages for every role with the strict catalogue."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from server.db.spaces import Space
from tests.web.conftest import AppUnderTest
from tests.web.people import PEOPLE

pytestmark = pytest.mark.anyio
PARK = "798-art-zone"
DAY = "2026-01-05"  # a Monday; the ManualClock stands at 2026-01-01 08:00 Shanghai
LANG_TAG = {"zh": 'lang="zh-CN"', "en": 'lang="en"'}


async def _room(web: AppUnderTest, **rules: object) -> int:
    return await web.store.spaces.add(Space(PARK, "room-1", "Room 1", "meeting", 8, building="A",
                                            rules={"audience": "zone", **rules}))


async def _book(web: AppUnderTest, space: int, start: str = "10:00", end: str = "11:00", **more: object):
    return await web.client.post("/api/bookings", json={"space": space, "start": f"{DAY}T{start}:00+08:00",
                                                        "end": f"{DAY}T{end}:00+08:00", **more},
                                 headers={"X-CSRF-Token": await web.csrf()})


async def test_one_click_over_the_api_and_the_loser_gets_alternatives(web: AppUnderTest) -> None:
    room = await _room(web)
    assert (await _book(web, room)).status_code == 401  # guests do not book
    await web.sign_in("emil")
    slots = (await web.client.get(f"/api/spaces/{room}/slots", params={"day": DAY, "minutes": 60})).json()
    assert slots["timezone"] == "Asia/Shanghai" and "2026-01-05T02:00:00Z" in slots["starts"]
    made = await _book(web, room, people=3)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["state"] == "confirmed" and body["start"] == "2026-01-05T02:00:00Z"
    assert re.fullmatch(r"[2-9A-Z]{8}", body["check_in_code"])
    web.client.cookies.clear()
    await web.sign_in("olga")
    lost = await _book(web, room)
    assert lost.status_code == 409 and lost.json()["code"] == "taken"
    assert lost.json()["alternatives"][:2] == ["2026-01-05T01:00:00+00:00", "2026-01-05T03:00:00+00:00"]
    assert lost.json()["detail"][0]["field"] == "start"
    past = await web.client.post("/api/bookings", json={"space": room, "start": "2025-12-01T10:00:00+08:00",
                                                       "end": "2025-12-01T11:00:00+08:00"},
                                 headers={"X-CSRF-Token": await web.csrf()})
    assert past.status_code == 422 and past.json()["code"] == "past" and past.json()["detail"][0]["field"] == "start"
    crowd = await _book(web, room, "12:00", "13:00", people=9)
    assert crowd.status_code == 422 and crowd.json()["code"] == "capacity"
    unknown = await _book(web, 9999)
    assert unknown.status_code in (403, 404)
    ancient = await web.client.post("/api/bookings", json={"space": room, "start": "0001-01-01T00:00:00Z",
                                                          "end": "0001-01-01T01:00:00Z"},
                                    headers={"X-CSRF-Token": await web.csrf()})
    assert ancient.status_code == 422 and "start" in ancient.json()["message"]
    extra = await _book(web, room, "12:00", "13:00", colour="red")
    assert extra.status_code == 422 and "colour" in extra.json()["message"]
    assert len(await web.store.bookings.holding(room, 0, 2e9)) == 1  # nothing else was written
    # emil's calendar file: his enterprise's owner may read it, a stranger may not
    assert (await web.client.get(f"/api/bookings/{body['id']}/calendar.ics")).status_code == 200
    web.client.cookies.clear()
    await web.sign_in("vera")
    assert (await web.client.get(f"/api/bookings/{body['id']}/calendar.ics")).status_code == 403
    web.client.cookies.clear()
    await web.sign_in("emil")
    ics = await web.client.get(f"/api/bookings/{body['id']}/calendar.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event["summary"] == "Room 1" and body["check_in_code"][:4] in str(event["description"])
    assert event.decoded("dtstart").isoformat() == "2026-01-05T02:00:00+00:00"
    mine = (await web.client.get("/api/bookings")).json()
    assert [b["id"] for b in mine] == [body["id"]]
    gone = await web.client.delete(f"/api/bookings/{body['id']}", headers={"X-CSRF-Token": await web.csrf()})
    assert gone.status_code == 200 and gone.json()["state"] == "cancelled"


async def test_the_openapi_document_describes_the_booking_api(web: AppUnderTest) -> None:
    doc = (await web.client.get("/api/openapi.json")).json()
    for path in ("/api/spaces", "/api/spaces/{space_id}/slots", "/api/bookings", "/api/bookings/{booking_id}",
                 "/api/bookings/{booking_id}/approve", "/api/waitlist", "/api/check-in"):
        assert path in doc["paths"], path
    post = doc["paths"]["/api/bookings"]["post"]
    assert {"201", "409", "422"} <= set(post["responses"])
    assert "BookingOut" in doc["components"]["schemas"]
    patch = doc["paths"]["/api/bookings/{booking_id}"]["patch"]  # moving a booking
    assert {"200", "409", "422"} <= set(patch["responses"]) and "MovedBooking" in doc["components"]["schemas"]


async def test_employee_books_in_one_click_and_the_park_office_checks_in_with_the_code(web: AppUnderTest) -> None:
    room = await _room(web)
    await web.sign_in("emil")
    page = await web.client.get("/console/employee/spaces", params={"day": DAY, "minutes": 60})
    assert page.status_code == 200 and "Room 1" in page.text and 'value="10:00"' in page.text
    csrf = await web.csrf()
    done = await web.client.post("/console/employee/spaces/book", data={
        "space": room, "day": DAY, "start": "10:00", "minutes": 60, "people": 2, "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"].startswith("/console/employee/bookings?done=")
    mine = await web.client.get(done.headers["location"])
    code = re.search(r'class="code checkin-code">([2-9A-Z]{4}-[2-9A-Z]{4})<', mine.text)
    assert code and "<svg" in mine.text and "calendar.ics" in mine.text
    # the same slot again from the page: refused with alternatives as one-click buttons
    again = await web.client.post("/console/employee/spaces/book", data={
        "space": room, "day": DAY, "start": "10:00", "minutes": 60, "people": 2, "csrf": csrf})
    assert again.status_code == 409 and 'name="waitlist"' in again.text and 'value="11:00"' in again.text
    web.client.cookies.clear()
    await web.sign_in("pam")
    spaces = await web.client.get("/console/park/spaces", params={"day": DAY})
    assert spaces.status_code == 200 and "Room 1" in spaces.text and "emil" in spaces.text
    web.clock.advance(4 * 86400 + 110 * 60)  # 2026-01-05 01:50Z = 09:50 Shanghai: the window is open
    checked = await web.client.post("/console/park/check-in", data={"code": code.group(1), "csrf": await web.csrf()})
    assert checked.status_code == 200 and "Room 1" in checked.text and 'role="status"' in checked.text
    wrong = await web.client.post("/console/park/check-in", data={"code": "ZZZZ-ZZZZ", "csrf": await web.csrf()})
    assert wrong.status_code == 404 and 'role="alert"' in wrong.text
    edited = await web.client.post(f"/console/park/spaces/{room}", data={
        "name": "Room One", "kind": "meeting", "capacity": 10, "min_minutes": 60, "max_minutes": 30,
        "csrf": await web.csrf()})
    assert edited.status_code == 422 and "min_minutes" in edited.text  # rules that contradict: named
    saved = await web.client.post(f"/console/park/spaces/{room}", data={
        "name": "Room One", "kind": "meeting", "capacity": 10, "approval": "1", "buffer_after": 15,
        "equipment": "projector, whiteboard", "csrf": await web.csrf()})
    assert saved.status_code == 200
    space = await web.store.spaces.get(room)
    assert space is not None and space.rules == {"approval": True, "buffer_after": 15}  # audience "park" is the default
    assert space.equipment == ("projector", "whiteboard")
    assert (await web.store.audit.page(target=f"space:{room}"))[0].action == "space.edit"
    web.client.cookies.clear()
    await web.sign_in("olga")
    assert (await web.client.get(f"/console/park/spaces/{room}")).status_code == 403


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_booking_page_renders_in_both_languages_for_every_role(web: AppUnderTest, lang: str) -> None:
    room = await _room(web)
    await web.sign_in("emil")
    booked = (await _book(web, room)).json()["id"]
    for user in PEOPLE:
        web.client.cookies.clear()
        await web.sign_in(user)
        for path in ("/console/employee/spaces", f"/console/employee/spaces?day={DAY}", "/console/employee/bookings",
                     "/console/park/spaces", f"/console/park/spaces/{room}", "/console/park/check-in",
                     f"/console/park/spaces/{room}/week?day={DAY}", f"/console/employee/bookings/{booked}/move",
                     f"/console/employee/spaces?day={DAY}&until=18:00&equipment=projector&building=A"):
            reply = await web.client.get(path, headers={"Accept-Language": lang})
            assert reply.status_code in (200, 403), (user, path, reply.status_code, reply.text[-300:])
            assert LANG_TAG[lang] in reply.text, (user, path)


async def test_the_park_office_sees_a_spaces_week_with_its_use_and_exports_a_month_as_csv(web: AppUnderTest) -> None:
    room = await _room(web)
    await web.sign_in("emil")
    assert (await _book(web, room, "10:00", "12:00")).status_code == 201  # Monday: 2 h of 24 open
    assert (await _book(web, room, "13:00", "14:00")).status_code == 201
    made = await web.client.post("/api/bookings", json={"space": room, "start": "2026-01-07T09:00:00+08:00",
                                                        "end": "2026-01-07T13:00:00+08:00"},
                                 headers={"X-CSRF-Token": await web.csrf()})  # Wednesday: 4 h
    assert made.status_code == 201
    web.client.cookies.clear()
    await web.sign_in("pam")
    en = {"Accept-Language": "en"}
    page = await web.client.get(f"/console/park/spaces/{room}/week", params={"day": "2026-01-08"}, headers=en)
    assert page.status_code == 200
    text = page.text
    assert "Room 1: the week of 2026-01-05" in text
    assert "Monday 2026-01-05 <span class=\"tag\">13 % booked" in text  # 3 h of 24
    assert "Wednesday 2026-01-07 <span class=\"tag\">17 % booked" in text  # 4 h of 24
    assert "Tuesday 2026-01-06 <span class=\"tag\">0 % booked" in text
    assert "This week 4 % of the open hours" in text  # 7 h of 168
    assert text.index("10:00–12:00") < text.index("13:00–14:00")
    later = await web.client.get(f"/console/park/spaces/{room}/week", params={"day": "2026-01-12"}, headers=en)
    assert "This week 0 %" in later.text and "10:00–12:00" not in later.text
    csv_reply = await web.client.get(f"/console/park/{PARK}/bookings.csv", params={"month": "2026-01"})
    assert csv_reply.status_code == 200 and csv_reply.headers["content-type"].startswith("text/csv")
    assert "bookings-798-art-zone-2026-01.csv" in csv_reply.headers["content-disposition"]
    rows = [line.split(",") for line in csv_reply.text.lstrip("\ufeff").strip().splitlines()]
    assert rows[0][:8] == ["booking", "space_id", "space", "day", "start", "end", "minutes", "state"]
    assert [(r[3], r[4], r[5], r[6], r[7], r[9]) for r in rows[1:]] == [
        ("2026-01-05", "10:00", "12:00", "120", "confirmed", "emil"), ("2026-01-05", "13:00", "14:00", "60",
                                                                       "confirmed", "emil"),
        ("2026-01-07", "09:00", "13:00", "240", "confirmed", "emil")]
    assert rows[1][8] == "Acme Design (test)"
    assert (await web.store.audit.page(target=f"park:{PARK}"))[0].action == "booking.export"
    february = await web.client.get(f"/console/park/{PARK}/bookings.csv", params={"month": "2026-02"})
    assert february.text.lstrip("\ufeff").strip().count("\n") == 0  # the header only
    bad = await web.client.get(f"/console/park/{PARK}/bookings.csv", params={"month": "2026-13"})
    assert bad.status_code == 422 and "month" in bad.text
    web.client.cookies.clear()
    await web.sign_in("olga")  # not the park's staff
    assert (await web.client.get(f"/console/park/{PARK}/bookings.csv", params={"month": "2026-01"})).status_code == 403
    assert (await web.client.get(f"/console/park/spaces/{room}/week")).status_code == 403


async def test_ids_beyond_any_row_are_refused_naming_the_field_not_a_500(web: AppUnderTest) -> None:
    """A 20-digit id overflowed SQLite's integer (a 500, found by the review); every id
    the booking API takes is bounded and refused with a 422 naming it."""
    await web.sign_in("emil")
    csrf = {"X-CSRF-Token": await web.csrf()}
    huge = 99999999999999999999
    times = {"start": f"{DAY}T10:00:00+08:00", "end": f"{DAY}T11:00:00+08:00"}
    for path, body in (("/api/waitlist", {"space": huge, **times}), ("/api/bookings", {"space": huge, **times}),
                       ("/api/bookings", {"space": 1, "enterprise": huge, **times})):
        reply = await web.client.post(path, json=body, headers=csrf)
        assert reply.status_code == 422, (path, body, reply.text)
        assert reply.json()["detail"][0]["field"] in ("space", "enterprise")
    assert (await web.client.get(f"/api/spaces/{huge}/slots?day={DAY}")).status_code == 422
    # a booking id is looked up for the permission first: no such booking of yours, 403
    assert (await web.client.get(f"/api/bookings/{huge}/calendar.ics")).status_code == 403
    assert (await web.client.delete(f"/api/bookings/{huge}", headers=csrf)).status_code == 403


async def test_a_zone_tapped_late_in_the_day_opens_on_the_next_day_with_free_times(web: AppUnderTest) -> None:
    """The 3D park's tap on a free zone opens the page for that space; at 22:30 nothing
    is left that day, so it shows the next day's free times instead of an empty page."""
    room = await _room(web, opening=[[d, 9 * 60, 18 * 60] for d in range(7)])  # 09:00-18:00 every day
    web.clock.advance(14.5 * 3600)  # 2026-01-01 22:30 in Shanghai
    await web.sign_in("emil")
    page = await web.client.get("/console/employee/spaces", params={"park": PARK, "space": room},
                                headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Room 1" in page.text
    assert "2026-01-02" in page.text and "2026-01-01" not in page.text.split("<h2", 2)[-1]
    asked = await web.client.get("/console/employee/spaces", params={"park": PARK, "space": room, "day": "2026-01-01"},
                                 headers={"Accept-Language": "en"})  # a day asked for is kept
    assert asked.status_code == 200 and 'value="2026-01-01"' in asked.text


async def test_a_free_slot_search_answers_a_page_of_spaces(web: AppUnderTest) -> None:
    for n in range(3):
        await web.store.spaces.add(Space(PARK, f"room-{n}", f"Room {n}", "meeting", 8, building="A",
                                         rules={"audience": "public"}))
    every = (await web.client.get("/api/spaces", params={"day": DAY, "park": PARK})).json()
    assert len(every) >= 3 and all(s["free"] for s in every)
    two = (await web.client.get("/api/spaces", params={"day": DAY, "park": PARK, "limit": 2})).json()
    assert [s["id"] for s in two] == [s["id"] for s in every[:2]]  # the same order, cut at the limit
    for bad in (0, 201, "x"):
        refused = await web.client.get("/api/spaces", params={"day": DAY, "limit": bad})
        assert refused.status_code == 422 and "limit" in refused.text
