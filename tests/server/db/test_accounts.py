"""Accounts and tokens; an enterprise account owns a new organization of its own."""

from __future__ import annotations

import pytest

from server.db.accounts import Account, CompanyTaken, NewAccount
from tests.server.db.conftest import opened, run


def new(user: str, role: str = "visitor", company: str = "", parks: tuple[str, ...] = ()) -> NewAccount:
    return NewAccount(user=user, name=user.title(), role=role, kdf="scrypt:16:8:1", salt=b"s" * 16,
                      hash=b"h" * 32, created=10.0, company=company, color=0x112233, parks=parks)


def test_create_get_and_a_taken_name(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            assert await store.accounts.create(new("ana"))
            assert not await store.accounts.create(new("ana", role="admin"))
            assert await store.accounts.get("ana") == Account("ana", "Ana", "visitor", "", 0x112233,
                                                              "scrypt:16:8:1", b"s" * 16, b"h" * 32, 10.0)
            assert await store.accounts.get("nobody") is None
    run(go())


def test_the_hash_and_salt_stay_out_of_repr() -> None:
    assert "hhhh" not in repr(new("ana")) and "ssss" not in repr(new("ana"))


def test_an_enterprise_account_founds_its_own_organization_and_a_taken_name_writes_nothing(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            assert await store.accounts.create(new("ana", "enterprise", "Inkstone"))
            (ana,) = await store.orgs.memberships("ana")
            assert (ana.kind, ana.role, ana.org_name) == ("enterprise", "owner", "Inkstone")
            with pytest.raises(CompanyTaken):  # nobody joins (or shadows) a company by typing its name
                await store.accounts.create(new("eve", "enterprise", " inkSTONE "))
            assert await store.accounts.get("eve") is None and await store.orgs.memberships("eve") == []
            assert await store.accounts.create(new("noco", "enterprise"))
            assert [m.org_name for m in await store.orgs.memberships("noco")] == ["Noco"]  # its own name
    run(go())


def test_park_staff_join_each_parks_organization(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            assert await store.accounts.create(new("sam", "park_staff", parks=("p2", "p1")))
            assert await store.accounts.create(new("kim", "park_staff", parks=("p2",)))
            sam = await store.orgs.memberships("sam")
            assert [(m.kind, m.role, m.park_id) for m in sam] == [("park", "staff", "p1"), ("park", "staff", "p2")]
            (kim,) = await store.orgs.memberships("kim")
            assert kim.org_id == sam[1].org_id  # one organization per park
    run(go())


def test_tokens_expire_and_are_revoked(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            accounts = store.accounts
            await accounts.create(new("ana"))
            await accounts.add_token(b"1" * 32, "ana", 100.0, 200.0)
            await accounts.add_token(b"2" * 32, "ana", 100.0, 300.0)
            assert await accounts.token_user(b"1" * 32, 150.0) == "ana"
            assert await accounts.token_user(b"1" * 32, 200.0) is None  # expired
            assert await accounts.token_user(b"?" * 32, 150.0) is None
            await accounts.add_token(b"3" * 32, "ana", 250.0, 400.0)  # deletes token 1 on the way
            assert await accounts.revoke_all("ana") == 2
            await accounts.add_token(b"4" * 32, "ana", 250.0, 400.0)
            assert await accounts.revoke_token(b"4" * 32)
            assert not await accounts.revoke_token(b"4" * 32)
            assert await accounts.token_user(b"4" * 32, 260.0) is None
    run(go())


def test_a_token_needs_an_account(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            with pytest.raises(Exception, match="(?i)foreign key"):
                await store.accounts.add_token(b"1" * 32, "ghost", 1.0, 2.0)
    run(go())
