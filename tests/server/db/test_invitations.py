"""Invitations work once and expire; two people redeeming one code at once: exactly
one wins. Reset links are one-time, expire, and sign the account out everywhere."""

from __future__ import annotations

import asyncio

import pytest

from server.db import Store
from server.db.invitations import NewPassword, Redeemed, digest
from tests.server.db.conftest import opened, run
from tests.server.db.test_accounts import new
from world.people import Membership

NOW = 1_790_000_000.0


def test_a_code_makes_a_member_once(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            for user in ("ana", "bo"):
                await store.accounts.create(new(user))
            org = await store.orgs.create("enterprise", "Ink", now=NOW)
            code = await store.invitations.create(org, "member", created_by="boss", now=NOW, ttl=3600)
            assert len(code) == 12
            assert await store.invitations.redeem(code.lower(), "ana", now=NOW + 1) == Redeemed(org, "member")
            assert await store.orgs.memberships("ana") == [Membership(org, "enterprise", "member", "Ink", "")]
            assert await store.invitations.redeem(code, "bo", now=NOW + 2) == "used"
            assert await store.invitations.redeem("NOPE", "bo", now=NOW + 2) == "unknown"
            late = await store.invitations.create(org, "admin", created_by="boss", now=NOW, ttl=10)
            assert await store.invitations.redeem(late, "bo", now=NOW + 10) == "expired"
            assert await store.orgs.memberships("bo") == []
            listed = await store.invitations.of_org(org)
            assert [(i.role, i.used_by) for i in listed] == [("admin", None), ("member", "ana")]
            assert await store.invitations.revoke(listed[0].id, org)
            assert not await store.invitations.revoke(listed[1].id, org)  # used: kept as a record
            with pytest.raises(ValueError, match="unknown member role"):
                await store.invitations.create(org, "king", created_by="boss", now=NOW, ttl=10)
    run(go())


def test_a_code_never_demotes_its_redeemer(url: str) -> None:
    """The enterprise's only owner redeeming a member code of it stays owner (the code
    stays unused); a member redeeming an admin code is promoted."""
    async def go() -> None:
        async with opened(url) as store:
            for user in ("boss", "ana"):
                await store.accounts.create(new(user))
            org = await store.orgs.create("enterprise", "Ink", now=NOW)
            await store.orgs.add_member(org, "boss", "owner", NOW)
            await store.orgs.add_member(org, "ana", "member", NOW)
            code = await store.invitations.create(org, "member", created_by="boss", now=NOW, ttl=3600)
            assert await store.invitations.redeem(code, "boss", now=NOW + 1) == "already"
            assert await store.invitations.redeem(code, "ana", now=NOW + 1) == "already"
            assert {m.user: m.role for m in await store.orgs.members(org)} == {"boss": "owner", "ana": "member"}
            assert [i.used_by for i in await store.invitations.of_org(org)] == [None]
            up = await store.invitations.create(org, "admin", created_by="boss", now=NOW, ttl=3600)
            assert await store.invitations.redeem(up, "ana", now=NOW + 2) == Redeemed(org, "admin")
    run(go())


def test_the_code_itself_is_never_stored(url: str) -> None:
    from sqlalchemy import select

    from server.db.tables import invitations

    async def go() -> None:
        async with opened(url) as store:
            org = await store.orgs.create("enterprise", "Ink", now=NOW)
            code = await store.invitations.create(org, "member", created_by="boss", now=NOW, ttl=60)
            row = await store.db.row(select(invitations.c.code_hash))
            assert row is not None and bytes(row.code_hash) == digest(code) and code.encode() not in bytes(row[0])
    run(go())


def test_two_concurrent_redemptions_exactly_one_wins(url: str, second_url: str) -> None:
    async def go() -> None:
        first = await Store.open(url)
        second = await Store.open(second_url)
        try:
            users = [f"u{i}" for i in range(8)]
            for user in users:
                await first.accounts.create(new(user))
            org = await first.orgs.create("enterprise", "Ink", now=NOW)
            winners: set[str] = set()
            for _ in range(5):
                code = await first.invitations.create(org, "member", created_by="boss", now=NOW, ttl=60)
                results = await asyncio.gather(*(
                    (first if i % 2 else second).invitations.redeem(code, user, now=NOW + 1)
                    for i, user in enumerate(users)))
                assert sum(isinstance(r, Redeemed) for r in results) == 1, results
                assert sorted(r for r in results if isinstance(r, str)) == ["used"] * 7 or all(
                    r == "used" or (r == "already" and u in winners)  # earlier winners: members already
                    for u, r in zip(users, results, strict=True) if isinstance(r, str))
                winners |= {u for u, r in zip(users, results, strict=True) if isinstance(r, Redeemed)}
            assert {m.user for m in await first.orgs.members(org)} == winners  # exactly the winners joined
        finally:
            await first.close()
            await second.close()
    run(go())


def test_a_reset_link_sets_the_password_once_and_signs_out_everywhere(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.accounts.create(new("ana"))
            await store.accounts.add_token(b"t" * 32, "ana", NOW, NOW + 999)
            old = await store.password_resets.issue("ana", issued_by="admin", now=NOW)
            link = await store.password_resets.issue("ana", issued_by="admin", now=NOW)
            password = NewPassword("scrypt:16:8:1", b"n" * 16, b"N" * 32)
            assert await store.password_resets.consume(old, password, now=NOW + 1) is None  # replaced
            assert await store.password_resets.consume(link, password, now=NOW + 1) == "ana"
            account = await store.accounts.get("ana")
            assert account is not None and (account.salt, account.hash) == (b"n" * 16, b"N" * 32)
            assert await store.accounts.token_user(b"t" * 32, NOW + 2) is None
            assert await store.password_resets.consume(link, password, now=NOW + 2) is None  # once
            late = await store.password_resets.issue("ana", issued_by="admin", now=NOW, ttl=5)
            assert await store.password_resets.consume(late, password, now=NOW + 5) is None
    run(go())
