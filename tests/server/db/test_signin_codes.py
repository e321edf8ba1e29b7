"""Sign-in codes work once and expire; two clients redeeming one code at once: exactly
one wins; only the code's hash is stored."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from server.db import Store
from server.db.signin_codes import Redeemed, digest
from server.db.tables import signin_codes
from tests.server.db.conftest import opened, run
from tests.server.db.test_accounts import new

NOW = 1_790_000_000.0


def test_a_desktop_code_signs_in_once_and_is_typed_loosely(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.accounts.create(new("ana"))
            issued = await store.signin_codes.desktop_code("ana", now=NOW)
            assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", issued.code), issued.code
            assert issued.expires == NOW + 600
            assert await store.signin_codes.open_count("ana", now=NOW) == 1
            typed = " " + issued.code.replace("-", " ").lower() + " "
            assert await store.signin_codes.redeem(typed, now=NOW + 599) == Redeemed("ana")
            assert await store.signin_codes.redeem(issued.code, now=NOW + 599) == "used"
            assert await store.signin_codes.redeem("ZZZZ-ZZZZ", now=NOW) == "unknown"
            late = await store.signin_codes.desktop_code("ana", now=NOW)
            assert await store.signin_codes.redeem(late.code, now=NOW + 600) == "expired"
            assert await store.signin_codes.open_count("ana", now=NOW + 600) == 0
    run(go())


def test_a_browser_ticket_is_long_and_lives_a_minute(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.accounts.create(new("ana"))
            ticket = await store.signin_codes.browser_ticket("ana", now=NOW)
            assert len(ticket.code) == 32 and ticket.expires == NOW + 60
            assert await store.signin_codes.redeem(ticket.code, now=NOW + 61) == "expired"
            fresh = await store.signin_codes.browser_ticket("ana", now=NOW + 100)
            assert await store.signin_codes.redeem(fresh.code, now=NOW + 101) == Redeemed("ana")
    run(go())


def test_the_code_itself_is_never_stored_and_old_rows_are_pruned(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.accounts.create(new("ana"))
            old = await store.signin_codes.desktop_code("ana", now=NOW)
            rows = await store.db.rows(select(signin_codes))
            assert [bytes(r.hash) for r in rows] == [digest(old.code)]
            assert all(old.code.replace("-", "").encode() not in bytes(r.hash) for r in rows)
            await store.signin_codes.desktop_code("ana", now=NOW + 2 * 86400)  # the old one is long expired
            assert len(await store.db.rows(select(signin_codes))) == 1
    run(go())


def test_two_concurrent_redemptions_exactly_one_wins(url: str, second_url: str) -> None:
    async def go() -> None:
        first = await Store.open(url)
        second = await Store.open(second_url)
        try:
            await first.accounts.create(new("ana"))
            for _ in range(5):
                code = (await first.signin_codes.desktop_code("ana", now=NOW)).code
                results = await asyncio.gather(*((first if i % 2 else second).signin_codes.redeem(code, now=NOW + 1)
                                                 for i in range(8)))
                assert results.count(Redeemed("ana")) == 1 and results.count("used") == 7, results
        finally:
            await first.close()
            await second.close()
    run(go())
