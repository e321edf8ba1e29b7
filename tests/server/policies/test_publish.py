"""Publishing finds the enterprises (both engines): the stored matches equal the pure
evaluator for every enterprise read back from the database, the eligible and possibly
eligible owners and admins get a notice with the amount and the clauses, nobody twice for
one version, a new version matches and tells again; search in Chinese and English with
filters; subscriptions; deadline reminders as scheduler jobs."""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from server.bus import InProcessBus
from server.db.policies import Query, ToldMoved
from server.notices import render
from server.policies.service import PolicyService
from server.scheduler import Scheduler
from server.web.texts import load_texts
from tests.server.db.conftest import opened, run
from tests.server.db.test_accounts import new
from world.policies.evaluate import Facts, evaluate, stored_reasons
from world.policies.versions import parse_version
from world.profiles import EnterpriseProfile, Verification

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ).timestamp()
TEXTS = load_texts()

RENT = {
    "title_zh": "朝阳区文化企业房租补贴", "title_en": "Chaoyang rent subsidy for cultural enterprises",
    "summary_en": "Half a year's rent back for small cultural enterprises in the parks.",
    "body_zh": "对入驻园区的文化企业给予房租补贴。", "issuer": "朝阳区文化和旅游局", "level": "district",
    "effective_from": "2026-01-01", "effective_to": "2026-12-31", "apply_from": "2026-03-01", "apply_to": "2026-06-30",
    "materials": [{"key": "lease", "name_zh": "租赁合同", "name_en": "Lease contract", "kinds": ["pdf"]}],
    "rules": {"all": [{"field": "in_zone", "op": "is", "value": True},
                      {"field": "industry_codes", "op": "any_of", "value": ["87", "R"]},
                      {"field": "employees", "op": "between", "value": [10, 200]}]},
    "benefit": {"type": "percent", "field": "area_m2", "per_unit": 1277.5, "percent": 50, "cap": 500000,
                "base_zh": "一年租金", "base_en": "a year's rent"},
    "topics": ["rent"],
}
PROFILES = {
    "ink": EnterpriseProfile(name_zh="墨石动画", park_id="p01", industry_codes=("8730",), employees=35, area_m2=300.0,
                             founded=2019),
    "big": EnterpriseProfile(name_zh="大象影业", park_id="p02", industry_codes=("8760",), employees=120,
                             area_m2=2000.0),
    "foggy": EnterpriseProfile(name_zh="雾里科技", park_id="p01", industry_codes=("8730",)),  # employees missing
    "far": EnterpriseProfile(name_zh="远方软件", park_id="", industry_codes=("6513",), employees=50, area_m2=80.0),
}


async def _zone(store):  # type: ignore[no-untyped-def]
    ids = {}
    for user, profile in PROFILES.items():
        await store.accounts.create(new(user))
        ids[user] = await store.profiles.create(profile, now=NOW)
        await store.orgs.add_member(ids[user], user, "owner", now=NOW)
    await store.accounts.create(new("mia"))
    await store.orgs.add_member(ids["ink"], "mia", "member", now=NOW)  # a member is not told
    await store.accounts.create(new("olga"))
    bureau = await store.orgs.create("department", "朝阳区文化和旅游局", now=NOW)
    await store.orgs.add_member(bureau, "olga", "officer", now=NOW)
    await store.profiles.verify(ids["ink"], "employees", Verification("pam", 1, NOW))
    return ids, bureau


def test_publishing_matches_every_enterprise_and_tells_the_eligible_and_possibly(database_url: str) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            ids, bureau = await _zone(store)
            service = PolicyService(store, InProcessBus(), TEXTS, TZ)
            v = parse_version(RENT)
            done = await service.publish(v, issuer_org_id=bureau, by="olga", now=NOW)
            assert (done.eligible, done.possibly) == (2, 1)
            for user, org in ids.items():  # the stored match equals the pure evaluator on the stored profile
                profile = await store.profiles.get(org)
                one = evaluate(v.rule, v.benefit, Facts(profile, frozenset(), 2026))
                stored = await store.policies.match(done.policy_id, org)
                if one.verdict == "not":
                    assert stored is None, user
                    continue
                assert stored is not None and stored.verdict == one.verdict, user
                assert stored.reasons == [[c.state, c.why] for c in one.clauses]
                assert stored_reasons(one) == (await store.db.rows(
                    text(f"SELECT reasons FROM policy_matches WHERE org_id = {org}")))[0][0]
                assert (stored.amount is None and one.amount.yuan is None) or stored.amount == one.amount.yuan
            assert (await store.policies.match(done.policy_id, ids["ink"])).amount == 191_625  # 300 m2 x 1277.5 / 2
            assert (await store.policies.match(done.policy_id, ids["big"])).amount == 500_000  # capped
            assert (await store.policies.match(done.policy_id, ids["foggy"])).verdict == "possibly"

            ink = (await store.inbox.page("ink"))[0].notice
            title, body = render(TEXTS, "en", ink)
            assert "Chaoyang rent subsidy" in title and "191,625 yuan" in body
            assert "Employees ✓" in body and ink.link == f"/policies/{done.policy_id}"
            assert "191,625" in render(TEXTS, "zh", ink)[1]
            foggy = render(TEXTS, "en", (await store.inbox.page("foggy"))[0].notice)[1]
            assert "Employees ?" in foggy and "may meet" in foggy
            assert await store.inbox.page("far") == [] and await store.inbox.page("mia") == []
            entries = await store.audit.page(target=f"policy:{done.policy_id}")
            assert [(e.actor, e.action) for e in entries] == [("olga", "policy.publish")]

            again = await service.rematch(done.policy_id, now=NOW + 60)  # same version: nobody twice
            assert again.told == 0 and len(await store.inbox.page("ink")) == 1

            wider = parse_version({**RENT, "rules": {"all": [{"field": "employees", "op": "between",
                                                              "value": [10, None]}]}})
            changed = await service.change(done.policy_id, wider, by="olga", now=NOW + 120, note="all parks")
            assert changed.version == 2 and (changed.eligible, changed.possibly) == (3, 1)
            assert len(await store.inbox.page("far")) == 1 and len(await store.inbox.page("ink")) == 2
            matches = await store.policies.matches_of(ids["far"])
            assert [(m.verdict, m.amount, p.current_version) for m, p in matches] == [("eligible", 51_100.0, 2)]
            assert math.isclose(80 * 1277.5 / 2, 51_100)

            # a profile change re-matches that one enterprise (pure evaluator), its told mark kept
            moved = PROFILES["far"].with_facts(employees=5)
            assert await store.profiles.put(ids["far"], moved, now=NOW + 150)
            assert await service.rematch_org(ids["far"], now=NOW + 150) == 0
            assert await store.policies.matches_of(ids["far"]) == []
            assert await service.rematch_org(ids["ink"], now=NOW + 150) == 1
            assert (await store.policies.match(done.policy_id, ids["ink"])).amount == 191_625
            assert await service.notify(done.policy_id, now=NOW + 151) == 0  # ink was told of version 2

            assert await service.withdraw(done.policy_id, by="olga", now=NOW + 180)
            assert await store.policies.matches_of(ids["far"]) == []
    run(go())


def test_a_closed_window_pushes_nothing(database_url: str) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            _ids, bureau = await _zone(store)
            service = PolicyService(store, InProcessBus(), TEXTS, TZ)
            old = parse_version({**RENT, "apply_from": "2025-01-01", "apply_to": "2025-12-31",
                                 "effective_from": "2025-01-01"})
            done = await service.publish(old, issuer_org_id=bureau, by="olga", now=NOW)
            assert (done.eligible, done.possibly, done.told) == (0, 0, 0)
            assert await store.inbox.page("ink") == []
    run(go())


def test_search_finds_chinese_words_and_english_with_filters(database_url: str) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            _ids, bureau = await _zone(store)
            service = PolicyService(store, InProcessBus(), TEXTS, TZ)
            rent = (await service.publish(parse_version(RENT), issuer_org_id=bureau, by="olga", now=NOW)).policy_id
            talent = (await service.publish(parse_version({
                **RENT, "title_zh": "北京市文化产业高端人才引进奖励", "title_en": "Beijing talent award",
                "summary_en": "Awards for recruiting senior creative talent.", "body_zh": "人才引进奖励。",
                "level": "municipal", "apply_to": "2026-04-15", "topics": ["talent"],
                "rules": {"field": "industry_codes", "op": "any_of", "value": ["6513"]},
                "benefit": {"type": "fixed", "amount": 200000}}), issuer_org_id=bureau, by="olga", now=NOW + 1)
            ).policy_id

            async def ids(**kw: object) -> list[int]:
                hits, total = await store.policies.search(Query(**kw))  # type: ignore[arg-type]
                assert total == len(hits)
                return [h.policy.id for h in hits]
            assert await ids(text="房租补贴") == [rent]
            assert await ids(text="人才") == [talent]
            assert await ids(text="北京") == [talent]  # a shorter word inside 北京市
            assert await ids(text="rent subsidy") == [rent]
            assert await ids(text="Talent") == [talent]
            assert await ids(text="文化") == [talent, rent] or await ids(text="文化") == [rent, talent]
            assert await ids(text="火星") == []
            assert await ids(levels=("municipal",)) == [talent]
            assert await ids(industry="8730") == [rent]  # the rule names 87 and R
            assert await ids(industry="6513") == [talent]
            assert await ids(topic="rent") == [rent]
            assert await ids(deadline_by=date(2026, 4, 30)) == [talent]
            assert set(await ids(open_on=date(2026, 3, 5))) == {rent, talent}
            assert await ids(open_on=date(2026, 5, 1)) == [rent]
            assert await ids(open_on=date(2026, 2, 1)) == []
            assert await ids() == [talent, rent]  # newest first without a query
            title_hit = (await store.policies.search(Query(text="人才")))[0][0]
            assert title_hit.rank > 0
    run(go())


def test_subscribers_hear_of_new_policies_and_reminders_come_before_the_deadline(database_url: str) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            _ids, bureau = await _zone(store)
            await store.accounts.create(new("sub"))
            service = PolicyService(store, InProcessBus(), TEXTS, TZ)
            assert await store.policies.subscribe("sub", "rent", now=NOW)
            assert not await store.policies.subscribe("sub", "rent", now=NOW)
            assert await store.policies.topics_of("sub") == ["rent"]
            done = await service.publish(parse_version(RENT), issuer_org_id=bureau, by="olga", now=NOW)
            told = (await store.inbox.page("sub"))[0].notice
            assert render(TEXTS, "zh", told)[0] == "新政策：朝阳区文化企业房租补贴"

            class Clock:
                t = NOW

                def now(self) -> float:
                    return self.t
            clock = Clock()
            scheduler = Scheduler(store.jobs, clock, worker="test")  # type: ignore[arg-type]
            service.register(scheduler)
            week_before = datetime(2026, 6, 23, 9, 0, tzinfo=TZ).timestamp()
            clock.t = week_before - 1
            assert await scheduler.run_due() == 0
            clock.t = week_before
            assert await scheduler.run_due() == 1
            reminded = (await store.inbox.page("ink"))[0].notice
            assert "2026-06-30" in render(TEXTS, "en", reminded)[1] and "7 days" in render(TEXTS, "en", reminded)[1]
            assert len(await store.inbox.page("far")) == 0  # not matched: no reminder
            assert done.policy_id
    run(go())


def test_the_matches_write_refuses_a_stale_told_set_and_writes_nothing(database_url: str) -> None:
    async def go() -> None:
        async with opened(database_url) as store:
            ids, bureau = await _zone(store)
            service = PolicyService(store, InProcessBus(), TEXTS, TZ)
            done = await service.publish(parse_version(RENT), issuer_org_id=bureau, by="olga", now=NOW)
            told = await store.policies.told_of(done.policy_id, 1)
            assert ids["ink"] in told  # told with the matches, in one transaction
            before = await store.policies.match_counts(done.policy_id)
            stale = store.policies.matches_writer(done.policy_id, 1, [], now=NOW + 1, told=set())
            with pytest.raises(ToldMoved):
                await store.db.commit(stale)
            assert await store.policies.match_counts(done.policy_id) == before
            assert await store.policies.told_of(done.policy_id, 1) == told
    run(go())


def test_many_hits_rank_title_hits_first_and_every_hit_is_counted(database_url: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """More hits than PostgreSQL ranks (``RANKED``, here 3): the page holds the title hits
    first, the count still holds every hit, filters apply to both kinds; SQLite's bm25 ranks
    every hit and puts title hits first as well."""
    from server.db import policies as repo
    monkeypatch.setattr(repo, "RANKED", 3)

    async def go() -> None:
        async with opened(database_url) as store:
            _ids, bureau = await _zone(store)
            service = PolicyService(store, InProcessBus(), TEXTS, TZ)

            async def add(title: str, body: str, level: str, at: float) -> int:
                v = parse_version({**RENT, "title_zh": title, "title_en": "", "summary_en": "", "body_zh": body,
                                   "level": level, "topics": []})
                return (await service.publish(v, issuer_org_id=bureau, by="olga", now=at)).policy_id
            in_body = [await add(f"园区补贴第{i}号", "本办法所称文创孵化，指扶持初创团队。", "district", NOW + i)
                       for i in range(4)]
            in_title = [await add(f"文创孵化资助第{i}号", "扶持初创团队。", "district", NOW + 10 + i) for i in range(2)]
            municipal = await add("市级园区办法", "文创孵化的认定。", "municipal", NOW + 20)
            hits, total = await store.policies.search(Query(text="文创孵化"))
            assert total == 7
            got = [h.policy.id for h in hits]
            assert set(got[:2]) == set(in_title)  # the title hits first
            assert set(got) <= set(in_title + in_body + [municipal])
            hits, total = await store.policies.search(Query(text="文创孵化", levels=("municipal",)))
            assert (total, [h.policy.id for h in hits]) == (1, [municipal])  # a body hit, through the filter
            hits, total = await store.policies.search(Query(text="文创孵化", levels=("district",)))
            assert total == 6 and set(h.policy.id for h in hits[:2]) == set(in_title)
    run(go())


def test_a_rule_wanting_a_confirmed_fact_reads_the_confirmations_from_the_database(database_url: str) -> None:
    """The columns the bulk matcher reads (``server.policies.columns.load``) carry which facts a
    park or department confirmed: ink's confirmed head count meets the rule, big's declared
    one leaves it possibly eligible for that reason, as the pure evaluator says."""
    async def go() -> None:
        async with opened(database_url) as store:
            ids, bureau = await _zone(store)
            service = PolicyService(store, InProcessBus(), TEXTS, TZ)
            strict = parse_version({**RENT, "rules": {"all": [
                {"field": "in_zone", "op": "is", "value": True},
                {"field": "employees", "op": "between", "value": [10, 200], "verified": True}]}})
            done = await service.publish(strict, issuer_org_id=bureau, by="olga", now=NOW)
            ink = await store.policies.match(done.policy_id, ids["ink"])
            big = await store.policies.match(done.policy_id, ids["big"])
            assert ink is not None and ink.verdict == "eligible" and ink.reasons == [["met", ""], ["met", ""]]
            assert big is not None and big.verdict == "possibly"
            assert big.reasons == [["met", ""], ["unknown", "unverified"]]
            one = evaluate(strict.rule, strict.benefit, Facts(PROFILES["big"], frozenset(), 2026))
            assert stored_reasons(one) == (await store.db.rows(text(
                f"SELECT reasons FROM policy_matches WHERE org_id = {ids['big']}")))[0][0]
    run(go())
