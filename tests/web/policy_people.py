"""A bureau with an officer, a published rent-subsidy policy and the Acme enterprise's
profile, for the web tests of policies and applications (over ``tests.web.people``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.accounts import Accounts
from server.db.policies import PolicyRepo
from tests.web.people import PASSWORD
from world.policies.versions import parse_version
from world.profiles import EnterpriseProfile

NOW = 1_767_225_600.0  # the ManualClock's start: 2026-01-01
RENT = {
    "title_zh": "文化企业房租补贴（测试）", "title_en": "Rent subsidy for cultural enterprises (test)",
    "summary_en": "Half a year's rent, at most 500,000 yuan, for small cultural enterprises of the zone.",
    "body_zh": "第一条 为支持文化企业发展，对符合条件的企业给予房租补贴。\n第二条 补贴标准为年租金的百分之五十，最高不超过五十万元。",
    "issuer": "朝阳区文化和旅游局（测试）", "level": "district",
    "apply_from": "2025-12-01", "apply_to": "2026-06-30", "topics": ["rent"],
    "materials": [{"key": "lease", "name_zh": "租赁合同", "name_en": "Lease contract", "required": True, "kinds": ["pdf"]},
                  {"key": "photos", "name_zh": "场地照片", "name_en": "Photos of the premises", "required": False,
                   "kinds": ["image"]}],
    "rules": {"all": [{"field": "employees", "op": "between", "value": [10, 200]},
                      {"field": "age_years", "op": "between", "value": [None, 15]},
                      {"field": "in_zone", "op": "is", "value": True}]},
    "benefit": {"type": "percent", "field": "area_m2", "per_unit": 1500, "percent": 50, "cap": 500000,
                "base_zh": "年租金", "base_en": "a year's rent"},
}


@dataclass
class PolicyWorld:
    bureau: int
    acme: int
    zeta: int
    policy: int


async def seed_policy_world(store: Any, scrypt_n: int, *, publish: bool = True) -> PolicyWorld:
    accounts = Accounts(store, scrypt_n=scrypt_n)
    await accounts.create("dora", PASSWORD, "Dora Officer", "government", now=1.0)
    await accounts.create("otto", PASSWORD, "Otto Other", "government", now=1.0)
    await accounts.create("zoe", PASSWORD, "Zoe Zeta", "enterprise", company="Zeta Media (test)", now=1.0)
    bureau = await store.orgs.create("department", "朝阳区文化和旅游局（测试）", now=1.0)
    other = await store.orgs.create("department", "区财政局（测试）", now=1.0)
    await store.orgs.add_member(bureau, "dora", "officer", 1.0)
    await store.orgs.add_member(other, "otto", "officer", 1.0)
    acme = (await store.orgs.named("Acme Design (test)"))[0].id
    zeta = (await store.orgs.named("Zeta Media (test)"))[0].id
    await store.profiles.save(acme, EnterpriseProfile(name_zh="艾克美设计（测试）", park_id="798-art-zone", founded=2019,
                                                     employees=35, area_m2=240.0), now=NOW)
    await store.profiles.save(zeta, EnterpriseProfile(name_zh="泽塔传媒（测试）", park_id="798-art-zone", founded=2021),
                             now=NOW)
    repo: PolicyRepo = store.policies
    policy = await repo.create(parse_version(RENT), issuer_org_id=bureau, by="dora", now=1.0, publish=True) \
        if publish else 0
    return PolicyWorld(bureau, acme, zeta, policy)


async def match_now(store: Any, policy_id: int, orgs: tuple[int, ...], year: int = 2026) -> None:
    """The matches the bulk matcher would write for these enterprises (one by one, with
    the pure evaluator): eligible and possibly rows only."""
    from world.policies.evaluate import Facts, evaluate, stored_reasons
    policy = await store.policies.get(policy_id)
    rows = []
    for org in orgs:
        profile = await store.profiles.get(org)
        result = evaluate(policy.current.spec.rule, policy.current.spec.benefit,
                          Facts(profile, await store.applications.awards(org), year))
        if result.verdict != "not":
            rows.append({"org_id": org, "verdict": result.verdict, "reasons": stored_reasons(result),
                         "amount": None if result.amount is None or result.amount.yuan is None
                         else float(result.amount.yuan)})
    await store.policies.replace_matches(policy_id, policy.current_version, rows, now=1.0)
