"""A park office's writes, on both engines: admission confirms the park fact and never
takes another park's tenant; removal keeps the profile; a tenant sheet is written
whole or not at all; the last staff member cannot remove themselves."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.exc import IntegrityError

from server.accounts import Accounts
from server.db import park_office
from server.db.directory import DirectoryQuery
from tests.server.db.conftest import opened, run
from world.credit_code import generate
from world.profiles import EnterpriseProfile, Verification
from world.tenants import read_sheet

NOW = 1_790_000_000.0
PARK, OTHER = "798-art-zone", "751-d-park"
INK = EnterpriseProfile(name_zh="墨砚动画（测试）", name_en="Inkstone (test)", credit_code="914403001922038216",
                        founded=2015)


def _sheet(rows: list[list[object]]):  # type: ignore[no-untyped-def]
    sheet = read_sheet(["credit_code", "name_zh", "if_registered"], rows, park_id=PARK, this_year=2026)
    assert sheet.problems == ()
    return sheet.rows


def test_admit_confirms_the_park_and_never_takes_another_parks_tenant(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            office = await store.park_office.office(PARK, NOW)
            assert await store.park_office.office(PARK, NOW) == office  # made once
            ink = await store.profiles.create(INK, now=NOW)
            by = Verification("pam", office, NOW)
            assert (await store.park_office.admit(ink, PARK, by)).outcome == "admitted"
            profile = await store.profiles.get(ink)
            assert profile is not None and profile.park_id == PARK
            assert profile.verified["park_id"] == by  # type: ignore[union-attr]
            assert (await store.park_office.admit(ink, PARK, by)).outcome == "here"
            other = await store.park_office.admit(ink, OTHER, Verification("oz", 99, NOW))
            assert (other.outcome, other.park_id) == ("elsewhere", PARK)
            assert (await store.park_office.admit(999_999, PARK, by)).outcome == "no_profile"
            assert not await store.park_office.remove(ink, OTHER, NOW)  # not theirs to remove
            assert await store.park_office.remove(ink, PARK, NOW)
            kept = await store.profiles.get(ink)
            assert kept is not None and kept.park_id == "" and "park_id" not in kept.verified  # type: ignore[union-attr]
            assert kept.name_zh == INK.name_zh and await store.park_office.tenant_of(ink) == ""
    run(go())


def test_a_clean_sheet_is_written_whole_with_the_park_confirmed(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            registered = await store.profiles.create(INK, now=NOW)
            rng = random.Random(7)
            new = [generate(rng) for _ in range(1200)]  # more than one INSERT chunk
            rows = _sheet([[c, f"导入企业{i}（测试）", ""] for i, c in enumerate(new)] + [[INK.credit_code, "墨砚", "接收"]])
            done = await store.park_office.import_tenants(PARK, rows, Verification("pam", 5, NOW), now=NOW)
            assert done.written and len(done.created) == 1200 and [o for _, o in done.plan.admit] == [registered]
            ids = await store.profiles.ids_by_credit_code(new)
            assert len(ids) == 1200
            sample = await store.profiles.get(ids[new[0]])
            assert sample is not None and sample.park_id == PARK and "park_id" in sample.verified  # type: ignore[union-attr]
            assert (await store.orgs.get(ids[new[0]])).park_id == ""  # type: ignore[union-attr]
            assert await store.orgs.members(ids[new[0]]) == []
            assert await store.park_office.tenant_of(registered) == PARK
            page = await store.directory.search(DirectoryQuery(text="导入企业1199", park_id=PARK))
            assert [h.org_id for h in page.hits] == [ids[new[1199]]]
    run(go())


def test_a_sheet_with_a_registered_code_writes_nothing(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create(INK, now=NOW)
            fresh = generate(random.Random(8))
            rows = _sheet([[fresh, "新企业（测试）", ""], [INK.credit_code, "墨砚", ""]])
            done = await store.park_office.import_tenants(PARK, rows, Verification("pam", 5, NOW), now=NOW)
            assert not done.written and done.created == ()
            assert [(p.row, p.code) for p in done.plan.problems] == [(3, "registered")]
            assert await store.profiles.by_credit_code(fresh) is None  # nothing half-imported
    run(go())


def test_a_code_registered_meanwhile_rolls_the_whole_sheet_back(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async def go() -> None:
        async with opened(url) as store:
            rng = random.Random(9)
            first, racing = generate(rng), generate(rng)
            rows = _sheet([[first, "甲（测试）", ""], [racing, "乙（测试）", ""]])
            await store.profiles.create(EnterpriseProfile(name_zh="乙先到（测试）", credit_code=racing), now=NOW)

            async def looked_before_it_was_registered(conn, codes):  # type: ignore[no-untyped-def]
                return {}  # what another process's lookup saw an instant earlier

            monkeypatch.setattr(park_office, "registered", looked_before_it_was_registered)
            with pytest.raises(IntegrityError):  # the unique credit code index refuses the second row
                await store.park_office.import_tenants(PARK, rows, Verification("pam", 5, NOW), now=NOW)
            assert await store.profiles.by_credit_code(first) is None  # the first row went with it
    run(go())


def test_staff_are_added_once_and_the_last_cannot_remove_themselves(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            accounts = Accounts(store, scrypt_n=2**10)
            for user in ("pam", "sam"):
                await accounts.create(user, "correct horse 1", user, "visitor", now=NOW)
            assert await store.park_office.add_staff(PARK, "pam", NOW) == "added"
            assert await store.park_office.add_staff(PARK, "pam", NOW) == "already"
            assert await store.park_office.add_staff(PARK, "nobody", NOW) == "no_account"
            assert await store.park_office.remove_staff(PARK, "pam", keep_last=True) == "last"
            assert await store.park_office.add_staff(PARK, "sam", NOW) == "added"
            assert [m.user for m in await store.park_office.staff(PARK)] == ["pam", "sam"]
            assert await store.park_office.remove_staff(PARK, "pam", keep_last=True) == "removed"
            assert await store.park_office.remove_staff(PARK, "pam", keep_last=True) == "not_staff"
            assert await store.park_office.remove_staff(OTHER, "sam", keep_last=False) == "not_staff"
            person = await accounts.person(await store.accounts.get("sam"))
            assert person.parks == frozenset({PARK})
    run(go())
