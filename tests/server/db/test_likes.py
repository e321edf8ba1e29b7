"""Likes: one per person and booth."""

from __future__ import annotations

from server.db.likes import Like
from tests.server.db.conftest import opened, run


def test_likes_count_once_per_person(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            likes = store.likes
            assert await likes.add("p01", "b1", "ana", 1.0)
            assert not await likes.add("p01", "b1", "ana", 2.0)
            assert await likes.add("p01", "b1", "guest:7", 3.0)
            assert await likes.add("p02", "b1", "ana", 4.0)
            assert await likes.counts() == {("p01", "b1"): 2, ("p02", "b1"): 1}
            assert await likes.of_user("ana") == {("p01", "b1"), ("p02", "b1")}
            assert await likes.of_user("nobody") == set()
            assert await likes.of_booth("p01", "b1") == [Like("p01", "b1", "guest:7", 3.0),
                                                         Like("p01", "b1", "ana", 1.0)]
    run(go())
