"""Profiles: created with their organization, read back as written, credit codes
unique, confirmations kept only for facts that did not change."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.exc import IntegrityError

from tests.server.db.conftest import opened, run
from world.profiles import (
    Contact,
    EnterpriseProfile,
    InstitutionProfile,
    ProfileError,
    Verification,
)

NOW = 1_790_000_000.0  # 2026
INK = EnterpriseProfile(
    name_zh="墨砚动画（演示）", name_en="Inkstone Animation (demo)", credit_code="914403001922038216",
    park_id="e9", industry_codes=("8730", "6572"), founded=2015, employees=42, revenue_band="10m_50m",
    certifications=("high_tech",), area_m2=850.5, tags=("animation", "film"), offers=("2D animation",),
    needs=("investors",), contacts=(Contact("email", "hi@example.com", "public"),))
LAW = InstitutionProfile(name_zh="知产律所（演示）", name_en="IP Law (demo)", service_kinds=("legal", "ip"),
                         park_id="e9", tags=("patents",))


def test_create_and_get_round_trip(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            ink = await store.profiles.create(INK, now=NOW)
            law = await store.profiles.create(LAW, now=NOW, demo=True)
            assert await store.profiles.get(ink) == INK
            assert await store.profiles.get(law) == LAW
            org = await store.orgs.get(law)
            assert org is not None and (org.kind, org.name, org.demo) == ("institution", LAW.name_zh, True)
            assert await store.profiles.by_credit_code(INK.credit_code or "") == ink
            assert await store.profiles.get(9999) is None
    run(go())


def test_a_credit_code_belongs_to_one_organization_and_nothing_is_half_written(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.profiles.create(INK, now=NOW)
            with pytest.raises(IntegrityError):
                await store.profiles.create(dataclasses.replace(INK, name_zh="另一个"), now=NOW)
            assert [o.name for o in await store.orgs.all()] == [INK.name_zh]  # no orphan organization
            nocode = dataclasses.replace(INK, credit_code=None)
            await store.profiles.create_many([nocode, nocode], now=NOW)  # codes are optional, NULLs distinct
            assert len(await store.orgs.all()) == 3
    run(go())


def test_a_bad_profile_is_refused_before_anything_is_written(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            with pytest.raises(ProfileError, match="founded"):
                await store.profiles.create(dataclasses.replace(INK, founded=2999), now=NOW)
            assert await store.orgs.all() == []
    run(go())


def test_confirmations_survive_only_unchanged_facts(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            ink = await store.profiles.create(INK, now=NOW)
            staff = Verification("staff-e9", 7, NOW + 1)
            assert await store.profiles.verify(ink, "employees", staff)
            assert await store.profiles.verify(ink, "founded", staff)
            got = await store.profiles.get(ink)
            assert isinstance(got, EnterpriseProfile) and got.verified == {"employees": staff, "founded": staff}
            # the enterprise edits its profile: it cannot confirm anything itself
            forged = {"area_m2": Verification("ink-owner", ink, NOW)}
            edited = dataclasses.replace(INK, employees=50, name_en="Inkstone (demo)", verified=forged)
            assert await store.profiles.put(ink, edited, now=NOW + 2)
            got = await store.profiles.get(ink)
            assert isinstance(got, EnterpriseProfile)
            assert (got.employees, got.verified) == (50, {"founded": staff})
            with pytest.raises(ProfileError, match="tags: not a fact"):
                await store.profiles.verify(ink, "tags", staff)
            law = await store.profiles.create(LAW, now=NOW)
            assert not await store.profiles.verify(law, "founded", staff)  # institutions declare no facts
            assert not await store.profiles.put(law, INK, now=NOW)  # nor turn into an enterprise
            assert not await store.profiles.put(9999, INK, now=NOW)
    run(go())


def test_deleting_an_organization_deletes_its_profile(url: str) -> None:
    from sqlalchemy import delete, func, select

    from server.db.tables import org_profiles, org_terms, organizations

    async def go() -> None:
        async with opened(url) as store:
            ink = await store.profiles.create(INK, now=NOW)

            async def drop(conn):  # type: ignore[no-untyped-def]
                await conn.execute(delete(organizations).where(organizations.c.id == ink))
            await store.db.commit(drop)
            for table in (org_profiles, org_terms):
                assert (await store.db.row(select(func.count()).select_from(table)))[0] == 0  # type: ignore[index]
    run(go())
