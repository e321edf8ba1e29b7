"""The portal's plan of the zone: the parks with a (estimated) location are dots, the
ones without are named beside the plan as location unknown, in Chinese and English,
and their cards say so."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import AppUnderTest

pytestmark = pytest.mark.anyio
UNKNOWN = ("beihuaji-igongchang", "dongfeng-deby-we", "huateng-yixintang", "kuche-town", "susan", "wenxin-huace",
           "zuiku")


@pytest.mark.parametrize(("lang", "heading", "card_says", "name"), [
    ("en", "Not on the plan, location unknown", "Location unknown (no address in the catalogue yet)", "Kuche Town"),
    ("zh", "未标在图中、位置不详的园区", "位置不详（目录中尚无地址）", "酷车小镇"),
])
async def test_parks_without_a_location_are_listed_beside_the_plan_as_unknown(
        web: AppUnderTest, lang: str, heading: str, card_says: str, name: str) -> None:
    page = (await web.client.get("/", headers={"Accept-Language": lang})).text
    plan = page[page.index('<section class="plan">'):]
    plan = plan[:plan.index("</section>")]
    assert plan.count("<circle") == 19  # 17 from addresses, 2 from a landmark the sources name
    assert "19" in re.sub(r"<[^>]+>", "", plan.split('id="plan-caption"')[1])[:40]
    unknown = plan[plan.index('id="plan-unknown"'):]
    assert heading in unknown
    assert re.findall(r'href="#park-([a-z0-9-]+)"', unknown) == list(UNKNOWN)
    assert name in unknown
    for park in ("22-yuan-jie", "phoenix-center"):  # placed now, from their sources' landmark or name
        assert f'href="#park-{park}"' in plan.split('id="plan-unknown"')[0]
    cards = dict(re.findall(r'<li class="park" id="park-([a-z0-9-]+)">(.*?)</li>', page, re.S))
    assert [p for p, card in cards.items() if card_says in card] == list(UNKNOWN)


async def test_an_estimated_location_says_how_it_was_found(web: AppUnderTest) -> None:
    parks = {p["id"]: p for p in (await web.client.get("/api/parks")).json()}
    assert sum(p["location"] is not None for p in parks.values()) == 19
    for park in parks.values():
        if park["location"] is not None:
            assert park["location"]["estimated"] and "by hand" in park["location"]["basis"]
    assert "Today Art Museum" in parks["22-yuan-jie"]["location"]["basis"]
    assert "name alone" in parks["phoenix-center"]["location"]["basis"]
