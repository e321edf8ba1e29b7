"""The booking pages' own refusals in the person's language (``booking.refusal.<code>``,
``booking.check_in_refused.*``), never the service's English sentence with its raw code:
the move page (the same time, a taken time), the park office's check-in page (an unknown
code, too early, checked in already), a refused decision, the search's end before start
plus length, and the space editor's bad fields by their labels."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import AppUnderTest
from tests.web.test_booking_space_form import FORM, HOURS
from tests.web.test_bookings_web import DAY, _book, _room

pytestmark = pytest.mark.anyio
ZH, EN = {"Accept-Language": "zh"}, {"Accept-Language": "en"}


def _alert(html: str) -> str:
    found = re.findall(r'role="alert"[^>]*>(.*?)</(?:p|section)>', html, re.S)
    assert found, html[-1500:]
    return " ".join(re.sub(r"<[^>]+>", " ", f) for f in found)


async def test_the_move_page_refuses_in_the_persons_language(web: AppUnderTest) -> None:
    room = await _room(web, slot_minutes=60)
    await web.sign_in("olga")
    await _book(web, room, "14:00", "15:00")
    web.client.cookies.clear()
    await web.sign_in("emil")
    made = (await _book(web, room, "10:00", "11:00")).json()
    csrf = await web.csrf()
    path = f"/console/employee/bookings/{made['id']}/move"
    for headers, words in ((EN, "The booking is at this time already."), (ZH, "预订已经在这个时间了。")):
        same = await web.client.post(path, data={"day": DAY, "start": "10:00", "csrf": csrf}, headers=headers)
        assert same.status_code == 422 and words in _alert(same.text)
        assert "same_time" not in same.text and "the booking is at this time already" not in same.text
    for headers, words in ((EN, "Someone else has just booked this time."), (ZH, "这个时间刚被别人订走了。")):
        taken = await web.client.post(path, data={"day": DAY, "start": "14:00", "csrf": csrf}, headers=headers)
        assert taken.status_code == 409 and words in _alert(taken.text)
        assert "(taken)" not in taken.text and "this time was just taken" not in taken.text
    assert (await web.store.bookings.get(made["id"])).for_user == "emil"


async def test_the_check_in_page_refuses_in_the_persons_language(web: AppUnderTest) -> None:
    room = await _room(web)
    await web.sign_in("emil")
    made = (await _book(web, room, "10:00", "11:00")).json()
    web.client.cookies.clear()
    await web.sign_in("pam")
    csrf = await web.csrf()

    async def scan(code: str, headers: dict[str, str]) -> tuple[int, str]:
        reply = await web.client.post("/console/park/check-in", data={"code": code, "csrf": csrf}, headers=headers)
        return reply.status_code, reply.text

    for headers, words in ((EN, "No booking has this check-in code."), (ZH, "没有预订使用这个签到码。")):
        status, html = await scan("ZZZZ-ZZZZ", headers)
        assert status == 404 and words in _alert(html) and "(code)" not in html
    for headers, words in ((EN, "Too early to check in"), (ZH, "签到尚未开始")):
        status, html = await scan(made["check_in_code"], headers)
        assert status == 409 and words in _alert(html)
        assert "too_early" not in html and "(booking)" not in html
    web.clock.advance(4 * 86400 + 110 * 60)  # 2026-01-05 09:50 Shanghai: the window is open
    status, html = await scan(made["check_in_code"], EN)
    assert status == 200 and 'role="status"' in html
    for headers, words in ((EN, "This booking is checked in already."), (ZH, "该预订已签到。")):
        status, html = await scan(made["check_in_code"], headers)
        assert status == 409 and words in _alert(html) and "(state)" not in html


async def test_the_search_names_an_end_before_start_plus_length_in_the_persons_language(web: AppUnderTest) -> None:
    await web.sign_in("emil")
    query = {"day": DAY, "start": "10:00", "until": "10:30", "minutes": "60"}
    for headers, words in ((EN, "The end 10:30 is earlier than the start 10:00 plus 60 minutes."),
                           (ZH, "结束时间 10:30 早于开始时间 10:00 加 60 分钟。")):
        page = await web.client.get("/console/employee/spaces", params=query, headers=headers)
        assert page.status_code == 200 and words in _alert(page.text)
        assert "until:" not in page.text


async def test_the_bookers_cancel_refused_says_the_rule_in_the_persons_language(web: AppUnderTest) -> None:
    room = await _room(web, cancel_deadline_minutes=90)
    await web.sign_in("emil")
    made = (await _book(web, room, "10:00", "11:00")).json()
    web.clock.advance(4 * 86400 + 60 * 60)  # 2026-01-05 09:00 Shanghai: inside the space's 90 minutes
    csrf = await web.csrf()
    path = f"/console/employee/bookings/{made['id']}/cancel"
    for headers, words in ((EN, "Bookings are cancelled or changed at least 90 minutes before the start"),
                           (ZH, "预订须在开始前至少 90 分钟取消或更改")):
        late = await web.client.post(path, data={"csrf": csrf}, headers=headers)
        assert late.status_code == 422 and words in late.text
        assert "<code>booking</code>" not in late.text and "bookings are cancelled at least" not in late.text
    assert (await web.store.bookings.get(made["id"])).state == "confirmed"


async def test_the_space_editor_names_bad_fields_by_their_labels_in_the_persons_language(web: AppUnderTest) -> None:
    room = await _room(web)
    await web.sign_in("pam")
    before = (await web.store.spaces.get(room)).rules

    async def save(lang: str, **more: str) -> str:
        reply = await web.client.post(f"/console/park/spaces/{room}", data={**FORM, **HOURS, **more,
                                                                            "csrf": await web.csrf()},
                                      headers={"Accept-Language": lang})
        assert reply.status_code == 422, reply.text[-800:]
        return reply.text

    en = await save("en", opening_3="18:00-09:00", blackout="2027-02-30")
    assert "Opening hours (local time) · Thursday: 18:00-09:00 closes before it opens." in _alert(en)
    assert "“2027-02-30” is not a date like 2027-03-29." in en
    zh = await save("zh", opening_3="18:00-09:00", opening_4="9 to 5")
    alert = _alert(zh)
    assert "开放时间（当地时间） · 周四：18:00-09:00" in alert and "18:00-09:00 的结束时间早于开始时间。" in alert
    assert "“9 to 5”不是 09:00-18:00 这样的时间段。" in zh
    assert "opening_3" not in alert and "closes before" not in zh
    rule = await save("zh", min_minutes="300", max_minutes="240")
    assert "最短(分钟)" in _alert(rule) and "须大于 0，且不超过最长预订时长（240 分钟）。" in _alert(rule)
    assert "min_minutes" not in _alert(rule) and "must be positive" not in rule
    assert (await web.store.spaces.get(room)).rules == before


async def test_a_space_the_catalogue_refuses_is_named_by_the_forms_label(web: AppUnderTest) -> None:
    await web.client.get("/")  # the catalogue seeded
    await web.sign_in("pam")
    for headers, words in ((EN, "Name: Required."), (ZH, "名称：必填。")):
        refused = await web.client.post("/console/park/spaces", data={
            "park": "798-art-zone", "venue_id": "room-9", "name": "   ", "kind": "meeting", "capacity": "8",
            "csrf": await web.csrf()}, headers=headers)
        assert refused.status_code == 422, refused.text[-800:]
        assert _alert(refused.text).strip() == words and "venues[" not in refused.text
    assert not [s for s in await web.store.spaces.of_park("798-art-zone") if s.venue_id == "room-9"]
