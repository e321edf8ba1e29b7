"""Organizations and memberships: by id, never by name."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from server.db.organizations import Member, Organization, name_key
from tests.server.db.conftest import opened, run
from tests.server.db.test_accounts import new
from world.people import Membership


def test_name_key_ignores_case_and_spacing() -> None:
    assert name_key("  Inkstone \t ANIMATION ") == name_key("inkstone animation") == "inkstone animation"


def test_create_get_and_named(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            orgs = store.orgs
            a = await orgs.create("enterprise", "Inkstone Animation", now=5.0)
            b = await orgs.create("enterprise", "inkstone  animation", now=6.0, demo=True)
            p = await orgs.create("park", "751 D-Park", park_id="p01", now=7.0)
            assert await orgs.get(a) == Organization(a, "enterprise", "Inkstone Animation", "", 5.0, False)
            assert await orgs.get(b) == Organization(b, "enterprise", "inkstone  animation", "", 6.0, True)
            assert await orgs.get(999) is None
            assert [o.id for o in await orgs.named(" INKSTONE animation")] == [a, b]
            assert await orgs.named("Inkstone") == []
            assert (await orgs.park("p01")) == Organization(p, "park", "751 D-Park", "p01", 7.0, False)
            with pytest.raises(IntegrityError):  # one organization runs a park
                await orgs.create("park", "Another", park_id="p01", now=8.0)
    run(go())


def test_create_refuses_bad_kinds_and_names(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            for kind, name, park_id in (("club", "X", ""), ("enterprise", "  ", ""), ("park", "P", ""),
                                        ("enterprise", "E", "p01")):
                with pytest.raises(ValueError):
                    await store.orgs.create(kind, name, park_id=park_id, now=1.0)
    run(go())


def test_members_come_and_go(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            orgs = store.orgs
            for user in ("ana", "ben"):
                await store.accounts.create(new(user))
            org = await orgs.create("institution", "Law Office", now=1.0)
            dept = await orgs.create("department", "Culture Bureau", now=1.0)
            await orgs.add_member(org, "ana", "admin", 2.0)
            await orgs.add_member(org, "ana", "admin", 3.0)  # idempotent
            await orgs.add_member(org, "ben", "member", 2.0)
            await orgs.add_member(dept, "ana", "officer", 2.0)
            assert await orgs.members(org) == [Member(org, "ana", "admin", 2.0), Member(org, "ben", "member", 2.0)]
            await orgs.add_member(org, "ben", "admin", 4.0)  # a new role replaces the old one
            assert [m.role for m in await orgs.members(org)] == ["admin", "admin"]
            assert await orgs.memberships("ana") == [
                Membership(org_id=org, kind="institution", role="admin", org_name="Law Office"),
                Membership(org_id=dept, kind="department", role="officer", org_name="Culture Bureau")]
            assert await orgs.remove_member(org, "ana")
            assert not await orgs.remove_member(org, "ana")
            assert [m.org_id for m in await orgs.memberships("ana")] == [dept]
            with pytest.raises(ValueError):
                await orgs.add_member(org, "ana", "king", 5.0)
            with pytest.raises(IntegrityError):  # members are accounts
                await orgs.add_member(org, "ghost", "member", 5.0)
    run(go())


def test_all_pages_by_id_and_filters_by_kind(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            ids = [await store.orgs.create("enterprise", f"E{i}", now=1.0) for i in range(5)]
            park = await store.orgs.create("park", "798", park_id="798-art-zone", now=1.0)
            assert [o.id for o in await store.orgs.all()] == [*ids, park]
            assert [o.id for o in await store.orgs.all(limit=2, after=ids[1])] == ids[2:4]
            assert [o.id for o in await store.orgs.all(kind="park")] == [park]
    run(go())
