"""Visits are queued by the tick; a booth's statistics come from one snapshot."""

from __future__ import annotations

from server.db.cards import CardFields
from server.db.likes import Like
from server.db.visits import BoothStats, Visit
from tests.server.db.conftest import opened, run


def test_booth_stats(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            assert await store.visits.stats("p01", "b1") == BoothStats(0, 0, 0.0, 0, (), (), ())
            store.visits.post("p01", "b1", "vic", "Vic", 10.0, 70.0)
            store.visits.post("p01", "b1", "ana", "Ana", 20.0, 30.0)
            store.visits.post("p01", "b1", "vic", "Vic", 100.0, 90.0)  # clock went back: no negative dwell
            store.visits.post("p01", "b2", "vic", "Vic", 0.0, 1000.0)
            await store.likes.add("p01", "b1", "vic", 5.0)
            card = await store.cards.add("p01", "b1", "vic", CardFields(name="Vic", consent=True), 6.0)
            await store.flush()
            stats = await store.visits.stats("p01", "b1", limit=2)
            assert (stats.visits, stats.visitors, stats.dwell_s, stats.likes) == (3, 2, 70.0, 1)
            assert stats.recent_visits == (Visit("p01", "b1", "vic", "Vic", 100.0, 90.0, 0.0),
                                           Visit("p01", "b1", "ana", "Ana", 20.0, 30.0, 10.0))
            assert stats.recent_likes == (Like("p01", "b1", "vic", 5.0),)
            assert [c.id for c in stats.cards] == [card]
    run(go())
