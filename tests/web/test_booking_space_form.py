"""The park office sets a space's opening hours per weekday and its blackout dates on the
space's page (zone in Europe/Berlin, so the day the clocks go forward is among them); the
booking rules then refuse a closed time and a blackout date; bad fields are refused each
named, nothing saved; a form without these fields (an older client) keeps them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from server.bus import InProcessBus
from server.clock import ManualClock
from server.db import Store
from server.db.spaces import Space
from server.web.app import create_app
from server.web.texts import load_texts
from tests.web.conftest import AppUnderTest, web_config
from tests.web.people import seed_people

pytestmark = pytest.mark.anyio
PARK = "798-art-zone"
FORM = {"name": "Room 1", "kind": "meeting", "capacity": "8", "audience": "zone", "min_minutes": "30",
        "max_minutes": "240", "horizon_days": "730", "cancel_deadline_minutes": "60", "hold_minutes": "30",
        "check_in_grace_minutes": "15", "slot_minutes": "60"}
HOURS = {"opening_0": "09:00-12:00, 13:00-18:00", "opening_1": "09:00-18:00", "opening_2": "09:00-18:00",
         "opening_3": "09:00-18:00", "opening_4": "09:00-18:00", "opening_5": "",  # Saturday closed
         "opening_6": "01:00-05:00"}  # Sunday: around 02:00, the hour skipped on 2027-03-28 in Berlin


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[AppUnderTest]:
    cfg = dataclasses.replace(web_config(tmp_path / "data"), zone_timezone="Europe/Berlin")
    store = await Store.open(cfg.database_url)
    await seed_people(store, cfg.scrypt_n)
    app = create_app(cfg, store, InProcessBus(), ManualClock(), texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://park.test") as client:
        yield AppUnderTest(client, store, app.state.web.clock, cfg)
    await app.state.web.online.close()
    await store.close()


async def _save(web: AppUnderTest, space: int, lang: str = "en", **more: str) -> httpx.Response:
    return await web.client.post(f"/console/park/spaces/{space}", data={**FORM, **more, "csrf": await web.csrf()},
                                 headers={"Accept-Language": lang})


async def _slots(web: AppUnderTest, space: int, day: str) -> list[str]:
    got = await web.client.get(f"/api/spaces/{space}/slots", params={"day": day, "minutes": 60})
    assert got.status_code == 200, got.text
    return list(got.json()["starts"])


async def _book(web: AppUnderTest, space: int, start: str, end: str) -> httpx.Response:
    return await web.client.post("/api/bookings", json={"space": space, "start": start, "end": end},
                                 headers={"X-CSRF-Token": await web.csrf()})


async def test_opening_hours_and_blackout_dates_edited_in_the_console(web: AppUnderTest) -> None:
    room = await web.store.spaces.add(Space(PARK, "room-1", "Room 1", "meeting", 8, rules={"audience": "zone"}))
    await web.sign_in("pam")
    page = await web.client.get(f"/console/park/spaces/{room}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and 'name="opening_6" value="00:00-24:00"' in page.text  # open around the clock
    saved = await _save(web, room, **HOURS, blackout="2027-03-29\n2027-01-01, 2027-03-29")
    assert saved.status_code == 200, saved.text[-1500:]
    space = await web.store.spaces.get(room)
    assert space.rules["opening"] == [[0, 540, 720], [0, 780, 1080], *([d, 540, 1080] for d in (1, 2, 3, 4)),
                                      [6, 60, 300]]
    assert space.rules["blackout"] == ["2027-01-01", "2027-03-29"]
    page = await web.client.get(f"/console/park/spaces/{room}", headers={"Accept-Language": "en"})
    assert 'name="opening_0" value="09:00-12:00, 13:00-18:00"' in page.text and 'name="opening_5" value=""' in page.text
    assert "2027-01-01\n2027-03-29</textarea>" in page.text
    # the rules use them: Berlin's short Sunday has no 02:00 (01:00 CET = 00:00 UTC, 03:00 CEST = 01:00 UTC)
    assert await _slots(web, room, "2027-03-28") == ["2027-03-28T00:00:00Z", "2027-03-28T01:00:00Z",
                                                     "2027-03-28T02:00:00Z"]
    assert await _slots(web, room, "2027-03-21") == ["2027-03-21T00:00:00Z", "2027-03-21T01:00:00Z",
                                                     "2027-03-21T02:00:00Z", "2027-03-21T03:00:00Z"]  # CET all along
    assert await _slots(web, room, "2027-03-29") == []  # a blackout date
    assert await _slots(web, room, "2027-03-27") == []  # Saturday: closed
    assert (await _slots(web, room, "2027-03-30"))[0] == "2027-03-30T07:00:00Z"  # 09:00 CEST
    web.client.cookies.clear()
    await web.sign_in("emil")
    dark = await _book(web, room, "2027-03-29T10:00:00+02:00", "2027-03-29T11:00:00+02:00")
    assert dark.status_code == 422 and dark.json()["code"] == "blackout", dark.text
    lunch = await _book(web, room, "2027-03-22T12:00:00+01:00", "2027-03-22T13:00:00+01:00")  # Monday's break
    assert lunch.status_code == 422 and lunch.json()["code"] == "closed"
    fine = await _book(web, room, "2027-03-28T03:00:00+02:00", "2027-03-28T04:00:00+02:00")
    assert fine.status_code == 201, fine.text
    web.client.cookies.clear()
    await web.sign_in("pam")
    # bad fields: each named, nothing saved
    before = await web.store.spaces.get(room)
    bad = await _save(web, room, **{**HOURS, "opening_1": "25:00-26:00", "opening_3": "18:00-09:00",
                                    "opening_4": "9 to 5", "opening_0": "09:00-13:00, 12:00-18:00"},
                      blackout="2027-02-30")
    assert bad.status_code == 422
    for name in ("opening_0", "opening_1", "opening_3", "opening_4", "blackout"):
        assert f'id="err-{name}"' in bad.text and f'aria-describedby="err-{name}"' in bad.text, name
    assert 'id="err-opening_2"' not in bad.text
    assert "closes before it opens" in bad.text and "2027-02-30" in bad.text
    assert 'value="9 to 5"' in bad.text  # what was typed is shown again
    assert (await web.store.spaces.get(room)).rules == before.rules
    zh = await _save(web, room, "zh", **{**HOURS, "opening_2": "x"})
    assert zh.status_code == 422 and "开放时间" in zh.text and 'id="err-opening_2"' in zh.text
    # a form without the hours and the dates (an older client) keeps them
    assert (await _save(web, room)).status_code == 200
    kept = await web.store.spaces.get(room)
    assert kept.rules["opening"] == before.rules["opening"] and kept.rules["blackout"] == before.rules["blackout"]
    # all week closed is allowed (no bookings then), and says so in the search
    assert (await _save(web, room, **{f"opening_{d}": "" for d in range(7)}, blackout="")).status_code == 200
    assert (await web.store.spaces.get(room)).rules["opening"] == []
    assert re.search(r'name="opening_0" value=""', (await web.client.get(f"/console/park/spaces/{room}")).text)
