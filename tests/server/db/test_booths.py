"""Booths: owned by an organization id, content decoded once, edits that never take
a slot from its new owner."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.booths import BoothRow
from server.db.tables import booths
from tests.server.db.conftest import opened, run
from world.protocol.messages import BoothContent, Link, Product

CONTENT = BoothContent(name="Inkstone", tagline="Hand-drawn", links=(Link(label="Site", url="https://example.com/"),),
                       products=(Product(name="Reel", price="free"),))


def test_assign_get_and_all(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            ink = await store.orgs.create("enterprise", "Inkstone", now=1.0)
            assert await store.booths.get("p01", "b1") is None
            await store.booths.assign("p01", "b1", ink, CONTENT, 10.0)
            await store.booths.assign("p01", "b2", None, BoothContent(), 11.0, demo=True)
            assert await store.booths.get("p01", "b1") == BoothRow("p01", "b1", ink, "Inkstone", CONTENT, 10.0, False)
            assert await store.booths.all() == [
                BoothRow("p01", "b1", ink, "Inkstone", CONTENT, 10.0, False),
                BoothRow("p01", "b2", None, "", BoothContent(), 11.0, True)]
            await store.booths.assign("p01", "b1", None, BoothContent(), 12.0)  # freed
            assert await store.booths.get("p01", "b1") == BoothRow("p01", "b1", None, "", BoothContent(), 12.0,
                                                                   False)
    run(go())


def test_an_edit_for_an_owner_who_lost_the_slot_writes_nothing(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            ink = await store.orgs.create("enterprise", "Inkstone", now=1.0)
            other = await store.orgs.create("enterprise", "Inkstone", now=1.0)  # same name, other org
            await store.booths.assign("p01", "b1", ink, CONTENT, 10.0)
            edited = BoothContent(name="Edited")
            assert await store.booths.save_content("p01", "b1", ink, edited, 11.0)
            assert not await store.booths.save_content("p01", "b1", other, BoothContent(name="Taken"), 12.0)
            assert not await store.booths.save_content("p01", "b1", None, BoothContent(name="Free?"), 12.0)
            assert (await store.booths.get("p01", "b1")) == BoothRow("p01", "b1", ink, "Inkstone", edited, 11.0,
                                                                     False)
    run(go())


def test_an_edit_never_creates_ownership(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            ink = await store.orgs.create("enterprise", "Inkstone", now=1.0)
            assert not await store.booths.save_content("p01", "b9", ink, CONTENT, 5.0)  # no row: not theirs
            assert await store.booths.get("p01", "b9") is None
            assert await store.booths.save_content("p01", "b9", None, CONTENT, 6.0)  # a free slot: park staff
            assert await store.booths.get("p01", "b9") == BoothRow("p01", "b9", None, "", CONTENT, 6.0, False)
    run(go())


def test_unreadable_content_is_served_empty_and_logged(url: str, caplog: pytest.LogCaptureFixture) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.booths.assign("p01", "b1", None, CONTENT, 1.0)

            async def corrupt(conn: AsyncConnection) -> None:
                await conn.execute(update(booths).values(content='{"name": 5}'))
            await store.db.commit(corrupt)
            with caplog.at_level(logging.ERROR, logger="server.db.booths"):
                row = await store.booths.get("p01", "b1")
            assert row is not None and row.content == BoothContent()
    run(go())
    assert any("p01/b1" in r.getMessage() for r in caplog.records)


def test_a_booth_owner_must_exist(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            with pytest.raises(Exception, match="(?i)foreign key"):
                await store.booths.assign("p01", "b1", 12345, CONTENT, 1.0)
    run(go())
