"""The park office's calendar of the whole park (day and week, every space a row) with
its utilization by space and by hour, in both languages; only the park's staff see it;
bad parameters are refused naming the field."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from server.db.spaces import Space
from tests.web.conftest import AppUnderTest
from tests.web.test_bookings_web import DAY, PARK, _book, _room

pytestmark = pytest.mark.anyio
OFFICE = [[d, 9 * 60, 18 * 60] for d in range(5)]


async def _park(web: AppUnderTest) -> tuple[int, int]:
    await web.client.get("/")  # the catalogue seeded: its venue (798's gallery) is a space too; closed here,
    for venue in await web.store.spaces.of_park(PARK):  # so the figures below are the two spaces' own
        await web.store.spaces.save(dataclasses.replace(venue, rules={"opening": []}))
    room = await _room(web)  # open around the clock
    studio = await web.store.spaces.add(Space(PARK, "studio-1", "Studio 1", "studio", 4,
                                              rules={"audience": "zone", "opening": OFFICE}))
    await web.store.spaces.add(Space("751-d-park", "hall-9", "Elsewhere", "meeting", 8))  # another park
    await web.sign_in("emil")
    assert (await _book(web, room, "10:00", "12:00")).status_code == 201
    assert (await _book(web, studio, "09:00", "10:30")).status_code == 201
    assert (await _book(web, studio, "14:00", "15:00")).status_code == 201
    web.client.cookies.clear()
    await web.sign_in("pam")  # the park's staff
    return room, studio


def _chart(html: str, n: int) -> dict[str, object]:
    """The ``n``-th chart's bars or points as {label: value}."""
    data = json.loads(re.findall(r'<script type="application/json">(.*?)</script>', html, re.S)[n])
    return dict(zip(data["labels"], data["series"][0]["data"], strict=True))


async def test_the_day_shows_every_space_with_its_bookings_and_the_use_by_space_and_hour(web: AppUnderTest) -> None:
    room, studio = await _park(web)
    en = {"Accept-Language": "en"}
    page = await web.client.get(f"/console/park/{PARK}/calendar", params={"day": DAY}, headers=en)
    assert page.status_code == 200, page.text[-500:]
    html = page.text
    assert "Monday 2026-01-05" in html and "Elsewhere" not in html
    # one row per space, the bookings as blocks placed by time (00-24 columns: the room never closes)
    assert html.index("Room 1") < html.index("Studio 1")
    assert 'class="cal-block state-confirmed" style="left: 41.667%; width: 8.333%"' in html  # room 10-12
    assert 'class="cal-block state-confirmed" style="left: 37.5%; width: 6.25%"' in html  # studio 09:00-10:30
    # the day: room 2 h of 24, studio 2.5 h of 9 -> 4.5 h of 33 = 14 %
    assert "14 % of the open hours in this period are booked" in html
    assert _chart(html, 0) == {"Studio 1": 28, "Room 1": 8}  # 2.5 of 9 h, 2 of 24 h, most used first
    by_hour = _chart(html, 1)
    assert by_hour["09:00"] == 50 and by_hour["10:00"] == 75 and by_hour["11:00"] == 50  # 1.5 of 2 h at 10
    assert by_hour["14:00"] == 50 and by_hour["20:00"] == 0 and "08:00" in by_hour  # the room alone at night
    assert "<th scope=\"row\">Studio 1</th><td>9.0</td><td>2.5</td><td>28</td>" in html
    # the phone's list: the day's bookings in time order, with the space
    listed = html[html.index('class="cal-list"'):]
    assert listed.index("09:00–10:30") < listed.index("10:00–12:00") < listed.index("14:00–15:00")
    zh = await web.client.get(f"/console/park/{PARK}/calendar", params={"day": DAY}, headers={"Accept-Language": "zh"})
    assert zh.status_code == 200 and "各空间利用率" in zh.text and "各时段利用率" in zh.text


async def test_the_week_shows_seven_days_and_links_each_day(web: AppUnderTest) -> None:
    await _park(web)
    page = await web.client.get(f"/console/park/{PARK}/calendar", params={"day": "2026-01-08", "view": "week"},
                                headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.text
    assert "the week of 2026-01-05" in html
    assert all(f"?view=day&amp;day=2026-01-{d:02d}" in html for d in range(5, 12))
    assert html.count('class="cal-chip state-confirmed"') >= 3
    # the week: room 2 h of 168, studio 2.5 h of 45 (Mon-Fri 9 h): 4.5 of 213 h = 2 %
    assert "2 % of the open hours in this period are booked" in html
    assert _chart(html, 0) == {"Studio 1": 6, "Room 1": 1}
    assert "?view=week&amp;day=2026-01-12" in html and "?view=week&amp;day=2025-12-29" in html


async def test_only_the_parks_staff_see_it_and_bad_parameters_name_the_field(web: AppUnderTest) -> None:
    await _park(web)
    assert (await web.client.get(f"/console/park/{PARK}/calendar", params={"view": "month"})).status_code == 422
    bad = await web.client.get(f"/console/park/{PARK}/calendar", params={"day": "2026-02-30"})
    assert bad.status_code == 422 and "day" in bad.text
    assert (await web.client.get(f"/console/park/{PARK}/calendar")).status_code == 200  # today
    assert (await web.client.get("/console/park/751-d-park/calendar")).status_code == 403  # not pam's park
    spaces = await web.client.get("/console/park/spaces")
    assert f"/console/park/{PARK}/calendar?day=" in spaces.text
    web.client.cookies.clear()
    await web.sign_in("olga")
    assert (await web.client.get(f"/console/park/{PARK}/calendar")).status_code == 403
