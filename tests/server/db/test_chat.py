"""Chat lines are queued by the tick and pruned per park."""

from __future__ import annotations

from server.db.chat import SavedChatLine
from tests.server.db.conftest import opened, run


def test_chat_is_kept_and_pruned_per_park(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            for i in range(6):
                store.chat.post("p01", "park", "", "vic", "Vic", f"line {i}", float(i))
            store.chat.post("p02", "booth", "b1", "ana", "Ana", "elsewhere", 0.0)
            await store.flush()
            lines = await store.chat.recent("p01", limit=2)
            assert [(line.text, line.ts) for line in lines] == [("line 4", 4.0), ("line 5", 5.0)]
            store.chat.post_prune("p01", older_than=1.0, keep_rows=3)  # drops 0 by age, 1 and 2 by count
            await store.flush()
            assert [line.text for line in await store.chat.recent("p01")] == ["line 3", "line 4", "line 5"]
            (kept,) = await store.chat.recent("p02")
            assert kept == SavedChatLine(kept.id, "p02", "booth", "b1", "ana", "Ana", "elsewhere", 0.0)
            store.chat.post_prune("p02", older_than=0.0, keep_rows=10)  # nothing to drop
            await store.flush()
            assert len(await store.chat.recent("p02")) == 1
    run(go())
