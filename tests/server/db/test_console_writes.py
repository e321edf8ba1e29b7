"""The writes the consoles add, on both engines: role changes that keep an owner, a new
account joining with a code in one transaction, a first profile for a registered
enterprise, display names and passwords."""

from __future__ import annotations

from server.db.accounts import NewAccount
from server.db.invitations import Redeemed
from tests.server.db.conftest import opened, run
from world.membership_rules import removal_problem, role_change_problem
from world.profiles import EnterpriseProfile


def _new(user: str) -> NewAccount:
    return NewAccount(user=user, name=user.title(), role="visitor", kdf="scrypt:1024:8:1", salt=b"s" * 16,
                      hash=b"h" * 32, created=1.0)


def test_role_changes_and_removals_keep_an_owner(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            for user in ("ana", "bo"):
                await store.accounts.create(_new(user))
            org = await store.orgs.create("enterprise", "Acme (test)", now=1.0)
            await store.orgs.add_member(org, "ana", "owner", 1.0)
            await store.orgs.add_member(org, "bo", "member", 1.0)
            demote = await store.orgs.change_member(org, "ana", "admin",
                                                    lambda cur, n: role_change_problem("owner", cur, "admin", n))
            assert demote is not None and "last owner" in demote
            assert await store.orgs.change_member(org, "bo", "owner",
                                                  lambda cur, n: role_change_problem("owner", cur, "owner", n)) is None
            assert await store.orgs.change_member(org, "ana", None, lambda cur, n: removal_problem("owner", cur, n)) is None
            assert [(m.user, m.role) for m in await store.orgs.members(org)] == [("bo", "owner")]
            missing = await store.orgs.change_member(org, "ana", "member", lambda cur, n: None)
            assert missing is not None and "not a member" in missing
    run(go())


def test_a_new_account_joins_with_a_code_all_or_nothing(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.accounts.create(_new("ana"))
            org = await store.orgs.create("enterprise", "Acme (test)", now=1.0)
            code = await store.invitations.create(org, "member", created_by="ana", now=1.0, ttl=60)
            assert await store.invitations.redeem_new(code, _new("ana"), now=2.0) == "taken"
            assert await store.invitations.redeem_new(code, _new("cy"), now=3.0) == Redeemed(org, "member")
            assert (await store.accounts.get("cy")) is not None
            assert await store.invitations.redeem_new(code, _new("dee"), now=4.0) == "used"
            assert await store.accounts.get("dee") is None
            late = await store.invitations.create(org, "member", created_by="ana", now=1.0, ttl=1)
            assert await store.invitations.redeem_new(late, _new("dee"), now=5.0) == "expired"
            assert await store.invitations.redeem_new("NOPE", _new("dee"), now=5.0) == "unknown"
            assert await store.accounts.get("dee") is None
    run(go())


def test_a_registered_enterprise_gets_its_first_profile_and_names_and_passwords_change(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.accounts.create(_new("ana"))
            org = await store.orgs.create("enterprise", "Acme (test)", now=1.0)
            assert await store.profiles.get(org) is None
            assert await store.profiles.save(org, EnterpriseProfile("艾克米", industry_codes=("7492",)), now=2.0)
            assert await store.profiles.save(org, EnterpriseProfile("艾克米设计"), now=3.0)
            stored = await store.profiles.get(org)
            assert isinstance(stored, EnterpriseProfile) and stored.name_zh == "艾克米设计"
            assert (await store.orgs.get(org)).name == "艾克米设计"  # type: ignore[union-attr]
            park = await store.orgs.create("park", "798", park_id="798-art-zone", now=1.0)
            assert not await store.profiles.save(park, EnterpriseProfile("x"), now=2.0)
            assert await store.accounts.rename("ana", "Ana Li") and (await store.accounts.get("ana")).name == "Ana Li"  # type: ignore[union-attr]
            await store.accounts.add_token(b"k" * 32, "ana", 1.0, 100.0)
            await store.accounts.add_token(b"o" * 32, "ana", 1.0, 100.0)
            assert await store.accounts.set_password("ana", "scrypt:1024:8:1", b"t" * 16, b"n" * 32, keep=b"k" * 32) == 1
            assert await store.accounts.token_user(b"k" * 32, 2.0) == "ana"
            assert await store.accounts.token_user(b"o" * 32, 2.0) is None
    run(go())
