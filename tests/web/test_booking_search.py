"""The employee's search form: equipment (every item named, any case), the end of the
time range, and "near me": the same building first, then the same park (the employee's
enterprise's park; with no building known the page says so and puts the park first);
only spaces the employee's enterprise may book are listed."""

from __future__ import annotations

import re

import pytest

from server.db.spaces import Space
from tests.web.conftest import AppUnderTest
from world.profiles import EnterpriseProfile

pytestmark = pytest.mark.anyio
PARK = "798-art-zone"
DAY = "2026-01-05"
EN = {"Accept-Language": "en"}


async def _spaces(web: AppUnderTest) -> None:
    await web.client.get("/")  # the catalogue seeded (its venues are spaces too; 798's gallery is left as it is)
    zone = {"audience": "zone", "slot_minutes": 60}
    await web.store.spaces.add(Space("751-d-park", "aaa-1", "Elsewhere A", "meeting", 8, building="A",
                                     equipment=("projector", "whiteboard"), rules=zone))
    await web.store.spaces.add(Space(PARK, "room-a1", "Room A1", "meeting", 8, building="A",
                                     equipment=("Projector", "Whiteboard"), rules=zone))
    await web.store.spaces.add(Space(PARK, "room-b1", "Room B1", "meeting", 8, building="B",
                                     equipment=("projector",), rules=zone))
    await web.store.spaces.add(Space("751-d-park", "bbb-1", "Park-only room", "meeting", 8, building="B",
                                     rules={"slot_minutes": 60}))  # only 751's own enterprises book it
    acme = (await web.store.orgs.named("Acme Design (test)"))[0]
    assert await web.store.profiles.save(acme.id, EnterpriseProfile("Acme Design (test)", park_id=PARK), now=1.0)
    await web.sign_in("emil")  # an employee of Acme, which rents in 798


def _listed(html: str) -> list[str]:
    return [name.strip() for name in re.findall(r'<li class="entry">\s*<h3>([^<]+)', html)]


async def _find(web: AppUnderTest, **params: str) -> str:
    page = await web.client.get("/console/employee/spaces", params={"day": DAY, "kind": "meeting", **params},
                                headers=EN)
    assert page.status_code == 200, page.text[-800:]
    return page.text


async def test_equipment_end_time_and_near_me(web: AppUnderTest) -> None:
    await _spaces(web)
    # near me, no building known: the spaces of Acme's park first (798 sorts after 751 otherwise), and it says so
    html = await _find(web)
    assert _listed(html) == ["Room A1", "Room B1", "Elsewhere A"]  # not the 751 room only its park may book
    assert "no building is known for you, so the spaces of your park (" in html
    assert '<select name="building">' in html and '<option value="B">B</option>' in html
    # the building named: its spaces first, then the rest of the park, then the other parks
    html = await _find(web, building="B")
    assert _listed(html) == ["Room B1", "Room A1", "Elsewhere A"]
    assert "Near me: B first, then" in html and '<option value="B" selected>' in html
    # a building of another park is not "near": A in 751 stays behind 798's spaces
    html = await _find(web, building="A")
    assert _listed(html) == ["Room A1", "Room B1", "Elsewhere A"]
    # an unknown building is ignored, as if none were named
    assert _listed(await _find(web, building="Z")) == ["Room A1", "Room B1", "Elsewhere A"]
    # equipment: every item named, any case; kept in the form
    html = await _find(web, equipment="whiteboard")
    assert _listed(html) == ["Room A1", "Elsewhere A"] and 'name="equipment" value="whiteboard"' in html
    assert _listed(await _find(web, equipment="PROJECTOR, Whiteboard")) == ["Room A1", "Elsewhere A"]
    assert _listed(await _find(web, equipment="projector")) == ["Room A1", "Room B1", "Elsewhere A"]
    assert _listed(await _find(web, equipment="piano")) == []
    # the end of the range: 09:00 until 11:00 for an hour starts at 09:00 or 10:00, no later
    html = await _find(web, start="09:00", until="11:00", equipment="whiteboard", park=PARK)
    assert _listed(html) == ["Room A1"] and 'name="until" value="11:00"' in html
    assert re.findall(r'aria-label="Book Room A1 at (\d\d:\d\d)"', html) == ["09:00", "10:00"]
    # an end earlier than the start plus the length: said so, naming the field
    html = await _find(web, start="10:00", until="10:30")
    assert "The end 10:30 is earlier than the start 10:00 plus 60 minutes." in html and _listed(html) == []
    # in Chinese the near-me line too
    zh = await web.client.get("/console/employee/spaces", params={"day": DAY, "kind": "meeting"},
                              headers={"Accept-Language": "zh"})
    assert "不知道你在哪栋楼" in zh.text
