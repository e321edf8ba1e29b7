"""Saved positions: the last one per person wins."""

from __future__ import annotations

from server.db.positions import SavedPosition
from tests.server.db.conftest import opened, run


def test_the_last_position_is_kept(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            assert await store.positions.get("vic") is None
            store.positions.post("vic", "p01", 1.0, 2.0, 0.5, 10.0)
            store.positions.post("vic", "p02", -3.5, 4.25, -1.0, 11.0)
            await store.flush()
            assert await store.positions.get("vic") == SavedPosition("vic", "p02", -3.5, 4.25, -1.0, 11.0)
    run(go())
