"""Spaces: added once per (park, venue), read per park and by id."""

from __future__ import annotations

from server.db.spaces import Space
from tests.server.db.conftest import opened, run


def test_spaces_are_added_once_and_read_per_park(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            hall = Space("e9", "hall-1", "Multi-function hall", "hall", 150, "Building A")
            room = Space("e9", "demo-meeting-00", "Meeting room 00 (demo)", "meeting", 12, demo=True)
            other = Space("751-d-park", "hall-1", "Hall", "hall")
            assert await store.spaces.add_many([hall, room, other]) == 3
            assert await store.spaces.add_many([hall, Space("e9", "hall-1", "Renamed", "hall")]) == 0
            got = await store.spaces.of_park("e9")
            assert [(s.venue_id, s.name, s.capacity, s.demo) for s in got] == [
                ("demo-meeting-00", "Meeting room 00 (demo)", 12, True), ("hall-1", "Multi-function hall", 150, False)]
            assert await store.spaces.get(got[1].id) == got[1]
            assert await store.spaces.get(99_999) is None
            assert await store.spaces.count() == 3
            assert await store.spaces.add_many([]) == 0
    run(go())
