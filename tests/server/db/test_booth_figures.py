"""A booth's figures per local day, counted in SQL on both engines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from server.db.cards import CardFields
from tests.server.db.conftest import opened, run

BEIJING = 8 * 3600
DAY = 86400
MIDNIGHT = datetime(2026, 3, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()  # 2026-03-09 16:00 UTC


def test_visits_likes_and_cards_fall_on_the_beijing_day_they_happened(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            before, after = MIDNIGHT - 60, MIDNIGHT + 60  # 23:59 and 00:01 in Beijing, one UTC day
            store.visits.post("p1", "b1", "ana", "Ana", before, before + 30)
            store.visits.post("p1", "b1", "ana", "Ana", after, after + 30)
            store.visits.post("p1", "b1", "ana", "Ana", after + 100, after + 130)
            store.visits.post("p1", "b1", "bo", "Bo", after + 200, after + 230)
            store.visits.post("p1", "b2", "cy", "Cy", after, after + 5)  # another booth
            await store.flush()
            assert await store.likes.add("p1", "b1", "ana", before)
            assert await store.likes.add("p1", "b1", "bo", after)
            await store.cards.add("p1", "b1", "bo", CardFields("Bo", True, email="bo@example.com"), after + 5)
            [fig] = await store.booth_figures.days([("p1", "b1")], since=MIDNIGHT - 3 * DAY, until=MIDNIGHT + DAY,
                                                   offset_s=BEIJING)
            assert len(fig.days) == 4
            *_, eve, day = fig.days
            assert (eve.visits, eve.visitors, eve.likes, eve.cards) == (1, 1, 1, 0)
            assert (day.visits, day.visitors, day.likes, day.cards) == (3, 2, 1, 1)
            assert day.day == eve.day + 1 == (MIDNIGHT + BEIJING) // DAY
            assert fig.visitors == 2  # ana on both days counts once
            assert all(d.visits == 0 for d in fig.days[:2])
    run(go())


def test_the_window_leaves_out_older_and_later_records(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            store.visits.post("p1", "b1", "ana", "Ana", MIDNIGHT - 40 * DAY, MIDNIGHT - 40 * DAY + 9)
            store.visits.post("p1", "b1", "bo", "Bo", MIDNIGHT + 2 * DAY, MIDNIGHT + 2 * DAY + 9)
            await store.flush()
            [fig] = await store.booth_figures.days([("p1", "b1")], since=MIDNIGHT - 30 * DAY, until=MIDNIGHT,
                                                   offset_s=BEIJING)
            assert len(fig.days) == 30 and fig.visitors == 0
            assert sum(d.visits for d in fig.days) == 0
    run(go())
