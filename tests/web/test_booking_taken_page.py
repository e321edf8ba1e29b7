"""The answer to a one-click booking that lost the race (POST /console/employee/spaces/book):
"just taken" in the person's language from the catalogue (no English rule sentence on a
zh page), the nearest free times of the space that was tapped as one-click buttons and its
waitlist, then at most three other free spaces of its kind near the person at the time
asked for (the same building first), never the zone's whole list; a rule broken (too many
people) is said in the person's words with the space's own figure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from server.db.spaces import Space
from tests.web.conftest import AppUnderTest

pytestmark = pytest.mark.anyio
PARK = "798-art-zone"
DAY = "2026-01-05"  # a Monday; the ManualClock stands at 2026-01-01 08:00 Shanghai
I18N = {lang: json.loads(Path(f"assets/i18n/{lang}.json").read_text(encoding="utf-8")) for lang in ("zh", "en")}


async def _rooms(web: AppUnderTest) -> dict[str, int]:
    rooms = {}
    for venue, name, kind, building in (("t-room-1", "Taken room", "meeting", "A"), ("t-room-2", "Twin room", "meeting", "A"),
                                        ("t-room-3", "Far room", "meeting", "B"), ("t-hall", "Hall", "gallery", "A"),
                                        ("t-room-4", "Fourth room", "meeting", "B"),
                                        ("t-room-5", "Fifth room", "meeting", "B")):
        rooms[venue] = await web.store.spaces.add(Space(PARK, venue, name, kind, 8, building=building,
                                                        rules={"audience": "zone"}))
    return rooms


async def _tap(web: AppUnderTest, room: int, lang: str, start: str = "10:00", people: int = 2):
    return await web.client.post("/console/employee/spaces/book", data={
        "space": room, "day": DAY, "start": start, "minutes": 60, "people": people, "csrf": await web.csrf()},
        headers={"Accept-Language": lang})


def _alert(html: str) -> str:
    found = re.search(r'<section class="card taken" role="alert">(.*?)</section>', html, re.S)
    assert found, html[-2000:]
    return found.group(1)


def _others(html: str) -> list[str]:
    section = re.search(r'<section class="card others">(.*?)</section>', html, re.S)
    assert section, html[-2000:]
    return re.findall(r"<h3>([^<]+)</h3>", section.group(1))


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_race_loser_is_told_just_taken_in_her_language_with_that_spaces_nearest_times(
        web: AppUnderTest, lang: str) -> None:
    words = I18N[lang]
    rooms = await _rooms(web)
    await web.sign_in("emil")
    won = await _tap(web, rooms["t-room-1"], lang)
    assert won.status_code == 303
    web.client.cookies.clear()
    await web.sign_in("olga")  # the same enterprise, on the same hour a moment later
    lost = await _tap(web, rooms["t-room-1"], lang)
    assert lost.status_code == 409
    alert = _alert(lost.text)
    assert words["booking.taken.title"] in alert and words["booking.refusal.taken"] in alert
    for raw in ("this time is taken", "this time was just taken", "(taken)"):  # the service's sentence, its code
        assert raw not in lost.text
    assert words["booking.taken.nearest"].format(space="Taken room") in alert
    # the nearest free times are of the tapped room, one click each: the hours either side of emil's
    buttons = re.findall(r'name="space" value="(\d+)">\s*<input type="hidden" name="day" value="([\d-]+)">'
                         r'<input type="hidden" name="start" value="(\d\d:\d\d)">', alert)
    assert {b[0] for b in buttons} == {str(rooms["t-room-1"])}
    assert ("2026-01-05", "09:00") in {(b[1], b[2]) for b in buttons}
    assert ("2026-01-05", "11:00") in {(b[1], b[2]) for b in buttons}
    assert ("2026-01-05", "10:00") in {(b[1], b[2]) for b in buttons}  # the waitlist form for the hour asked for
    assert alert.count('name="waitlist"') == 1
    # then at most three other free meeting rooms at 10:00, the same building first: never the whole zone
    others = _others(lost.text)
    assert len(others) == 3 and others[0] == "Twin room"  # four free meeting rooms: the cap is three
    assert "Taken room" not in others and "Hall" not in others
    assert words["booking.taken.search"] in lost.text and "kind=meeting" in lost.text
    assert len(await web.store.bookings.holding(rooms["t-room-1"], 0, 2e9)) == 1  # nothing else was written


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_a_rule_broken_is_said_in_her_language_with_the_spaces_figure(web: AppUnderTest, lang: str) -> None:
    words = I18N[lang]
    rooms = await _rooms(web)
    await web.sign_in("emil")
    crowd = await _tap(web, rooms["t-room-1"], lang, "12:00", people=9)
    assert crowd.status_code == 422
    alert = _alert(crowd.text)
    assert words["booking.taken.refused"] in alert and words["booking.refusal.capacity"].format(capacity=8) in alert
    assert "the space holds" not in crowd.text if lang == "zh" else "(capacity)" not in crowd.text
    assert 'name="waitlist"' not in alert  # nothing to wait for
    assert await web.store.bookings.holding(rooms["t-room-1"], 0, 2e9) == []


async def test_a_waitlist_for_a_free_time_is_refused_in_her_language(web: AppUnderTest) -> None:
    rooms = await _rooms(web)
    await web.sign_in("emil")
    asked = await web.client.post("/console/employee/spaces/book", data={
        "space": rooms["t-room-1"], "day": DAY, "start": "15:00", "minutes": 60, "waitlist": "1",
        "csrf": await web.csrf()}, headers={"Accept-Language": "zh"})
    assert asked.status_code == 422
    alert = _alert(asked.text)
    assert I18N["zh"]["booking.refusal.free"] in alert and "book it instead" not in asked.text
    assert await web.store.bookings.waitlist_of("emil") == []
