"""The zone demo seed: a scaled-down zone on both engines, every record marked demo,
profiles valid, the owner of each enterprise its first employee; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from server.db.directory import DirectoryQuery
from server.db.tables import accounts, memberships, org_profiles, organizations, spaces
from server.demo_zone import seed_zone
from server.demo_zone_data import ZoneSize
from server.parks import load_catalogue
from tests.server.db.conftest import opened, pg_database, run, url  # noqa: F401 - fixtures
from world.profiles import EnterpriseProfile

NOW = 1_790_000_000.0
SMALL = ZoneSize(parks=51, enterprises=500, institutions=20, employees=900, spaces=120, policies=400)


async def _count(store, stmt) -> int:  # type: ignore[no-untyped-def]
    row = await store.db.row(stmt)
    return int(row[0])


def test_a_small_zone_seeds_once_and_is_all_demo(url: str) -> None:  # noqa: F811
    catalogue = load_catalogue(None)
    lines: list[str] = []

    async def go() -> None:
        async with opened(url) as store:
            done = await seed_zone(store, catalogue, SMALL, now=NOW, progress=lines.append)
            assert (done.parks, done.enterprises, done.institutions, done.accounts, done.spaces) == (
                51, 500, 20, 900, 120)
            assert any(line.startswith("enterprises: 500/500") for line in lines)
            kinds = dict(await store.db.rows(select(organizations.c.kind, func.count()).group_by(
                organizations.c.kind)))
            assert kinds == {"park": 51, "enterprise": 500, "institution": 20, "department": 11}
            assert await _count(store, select(func.count()).select_from(organizations).where(
                organizations.c.demo == 0)) == 0
            assert await _count(store, select(func.count()).select_from(accounts).where(accounts.c.demo == 0)) == 0
            assert await _count(store, select(func.count()).select_from(memberships).where(
                memberships.c.role == "owner")) == 500
            assert await _count(store, select(func.count(func.distinct(accounts.c.hash)))) == 1  # one shared hash
            assert await _count(store, select(func.count()).select_from(org_profiles).where(
                ~org_profiles.c.name_en.like("%(demo)"))) == 0
            assert await _count(store, select(func.count()).select_from(spaces)) == 120
            placeholder = await store.orgs.park("placeholder-25")
            assert placeholder is not None and placeholder.name == "Placeholder park 25 (demo)"
            first = (await store.orgs.all(kind="enterprise", limit=1))[0]
            profile = await store.profiles.get(first.id)
            assert isinstance(profile, EnterpriseProfile) and profile.credit_code and profile.employees
            page = await store.directory.search(DirectoryQuery("动漫", limit=5))
            assert page.hits and all("动漫" in h.name_zh for h in page.hits)

            again = await seed_zone(store, catalogue, SMALL, now=NOW + 60)
            assert again.nothing_new
            assert await _count(store, select(func.count()).select_from(organizations)) == 582
    run(go())


def test_demo_policies_are_labelled_searchable_and_the_open_ones_matched(url: str) -> None:  # noqa: F811
    from server.db.policies import Query
    from server.db.tables import policies, policy_matches, policy_versions

    async def go() -> None:
        async with opened(url) as store:
            done = await seed_zone(store, load_catalogue(None), SMALL, now=NOW)
            assert done.policies == 400 and done.policy_matches > 0
            assert await _count(store, select(func.count()).select_from(policies).where(policies.c.demo == 1)) == 400
            assert await _count(store, select(func.count()).select_from(policy_versions).where(
                ~policy_versions.c.title_zh.like("%（演示）"))) == 0
            hits, total = await store.policies.search(Query(text="房租补贴", limit=5))
            assert total > 0 and all("房租" in h.policy.current.spec.title_zh for h in hits)  # type: ignore[union-attr]
            assert (await store.policies.search(Query(text="rent subsidy")))[1] > 0
            # the stored matches are those of open policies only
            closed = await _count(store, select(func.count()).select_from(policy_matches.join(
                policy_versions, policy_versions.c.policy_id == policy_matches.c.policy_id)).where(
                policy_versions.c.apply_to < "2026-09-21"))
            assert closed == 0
            again = await seed_zone(store, load_catalogue(None), SMALL, now=NOW + 60)
            assert again.nothing_new and again.policies == 0
    run(go())
