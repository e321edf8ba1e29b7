"""Business cards: consent enforced by the schema, one per visitor and booth."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from server.db.cards import Card, CardFields
from tests.server.db.conftest import opened, run

VIC = CardFields(name="Vic", consent=True, company="Vic & Co", email="vic@example.com", phone="1", message="hi")


def test_every_card_is_kept_newest_first(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            cards = store.cards
            first = await cards.add("p01", "b1", "vic", VIC, 10.0)
            other = await cards.add("p01", "b1", "ana", CardFields(name="Ana", consent=True), 11.0)
            again = await cards.add("p01", "b1", "vic", CardFields(name="Vic", consent=True, message="again"), 12.0)
            elsewhere = await cards.add("p01", "b2", "vic", VIC, 13.0)
            assert len({first, other, again, elsewhere}) == 4
            assert await cards.of_booth("p01", "b1") == [
                Card(again, "p01", "b1", "vic", "Vic", "", "", "", "again", 12.0),
                Card(other, "p01", "b1", "ana", "Ana", "", "", "", "", 11.0),
                Card(first, "p01", "b1", "vic", "Vic", "Vic & Co", "vic@example.com", "1", "hi", 10.0)]
    run(go())


def test_no_consent_no_card(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            with pytest.raises(IntegrityError):
                await store.cards.add("p01", "b1", "vic", CardFields(name="Vic", consent=False), 1.0)
            first = await store.cards.add("p01", "b1", "vic", VIC, 2.0)
            with pytest.raises(IntegrityError):  # nor later
                await store.cards.add("p01", "b1", "vic", CardFields(name="Vic", consent=False), 3.0)
            assert [c.id for c in await store.cards.of_booth("p01", "b1")] == [first]
    run(go())


def test_prune_drops_old_cards(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            for i, user in enumerate(("a", "b", "c")):
                await store.cards.add("p01", "b1", user, VIC, 10.0 * i)
            assert await store.cards.prune(older_than=15.0) == 2
            assert [c.user for c in await store.cards.of_booth("p01", "b1")] == ["c"]
    run(go())


def test_count_since_counts_a_visitors_cards_over_every_booth(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            cards = store.cards
            await cards.add("p01", "b1", "vic", VIC, 10.0)
            await cards.add("p01", "b2", "vic", VIC, 20.0)
            await cards.add("p02", "b1", "vic", VIC, 30.0)
            await cards.add("p01", "b1", "ana", VIC, 30.0)
            assert await cards.count_since("vic", 15.0) == 2
            await cards.add("p01", "b1", "vic", VIC, 40.0)  # a second card at the same booth counts too
            assert await cards.count_since("vic", 15.0) == 3
            assert await cards.count_since("nobody", 0.0) == 0
    run(go())
