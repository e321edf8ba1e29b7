"""Demo policies for ``cloudpark demo seed --zone``: 20,000 policy documents from templates
over real policy vocabulary (rent subsidies, talent programmes, cultural-export support,
IP protection funds, digital-transformation grants, start-up, exhibition and high-tech
awards), issued by demo departments, every title marked "（演示）" / "(demo)" and every
row ``demo = 1``.

Like the real platforms' archives most are history: about 6 % have an application
window still open on the seeding day, each aimed at one park or one industry class; those
are matched against the demo enterprises
(the columns loaded once, the bulk matcher run per policy in memory, the matches written
in bulk) and marked told (``notified_version``): seeding pushes no notices to 50,000 demo
inboxes. Deterministic (a fixed seed) and idempotent: a run adds only the policies
numbered past those already there.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from server.db import Store
from server.db.tables import policies, policy_matches
from server.policies.bulk import match
from server.policies.columns import load
from world.policies.versions import PolicyVersion, parse_version

SEED = 20261213
COUNT = 20_000
OPEN_SHARE = 0.06
CHUNK = 1000
DEMO_ZH = "（演示）"
DEMO_EN = " (demo)"
Progress = Callable[[str], None]

DEPARTMENTS = (  # (zh, en, level)
    ("朝阳区文化和旅游局", "Chaoyang District Culture and Tourism Bureau", "district"),
    ("朝阳区科学技术和信息化局", "Chaoyang District Science, Technology and IT Bureau", "district"),
    ("朝阳区商务局", "Chaoyang District Commerce Bureau", "district"),
    ("朝阳区知识产权局", "Chaoyang District Intellectual Property Office", "district"),
    ("北京市文化和旅游局", "Beijing Municipal Bureau of Culture and Tourism", "municipal"),
    ("北京市经济和信息化局", "Beijing Municipal Bureau of Economy and IT", "municipal"),
    ("北京市商务局", "Beijing Municipal Commerce Bureau", "municipal"),
    ("北京市人力资源和社会保障局", "Beijing Municipal Human Resources and Social Security Bureau", "municipal"),
    ("商务部", "Ministry of Commerce", "national"),
    ("国家文化和旅游部", "Ministry of Culture and Tourism", "national"),
    ("朝阳区国家文化产业创新实验区管委会", "Chaoyang National Cultural Industry Innovation Zone Committee", "zone"),
)
DIVISIONS = ("86", "87", "88", "65", "72", "74", "R")  # the zone's industries (GB/T 4754 divisions, section R)
CLASSES = ("6572", "8730", "8750", "8610", "6579", "7491", "7492", "8770", "8621", "6513", "8810", "7251",
           "7284", "8393", "7484", "8060")
YEARS = ("2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026")
BATCHES = ("第一批", "第二批", "第三批", "第四批")
BATCHES_EN = ("first round", "second round", "third round", "fourth round")


def _rent(rng: random.Random) -> dict[str, Any]:
    rate = rng.choice((3.5, 4.2, 5.0, 6.0, 7.5))  # yuan per m2 a day, Chaoyang office rents
    return {
        "zh": ("文化企业房租补贴", "园区入驻企业租金减免", "小微文化企业房租补助"),
        "en": ("rent subsidy for cultural enterprises", "rent relief for park tenants",
               "rent support for small cultural enterprises"),
        "topic": "rent",
        "rules": [{"field": "in_zone", "op": "is", "value": True},
                  {"field": "employees", "op": "between", "value": [rng.choice((1, 5, 10)), rng.choice((100, 200, 300))]}],
        "benefit": {"type": "percent", "field": "area_m2", "per_unit": round(rate * 365, 2),
                    "percent": rng.choice((30, 40, 50)), "cap": rng.choice((200_000, 500_000, 1_000_000)),
                    "base_zh": "一年租金", "base_en": "a year's rent"},
        "materials": [("lease", "房屋租赁合同", "Lease contract", ["pdf"]),
                      ("invoice", "租金发票", "Rent invoices", ["pdf", "image"])],
    }


def _talent(rng: random.Random) -> dict[str, Any]:
    return {
        "zh": ("高层次文化人才引进奖励", "文化创意人才培养资助", "紧缺人才落户支持"),
        "en": ("award for recruiting senior creative talent", "grant for training creative talent",
               "support for hiring talent in short supply"),
        "topic": "talent",
        "rules": [{"field": "employees", "op": "between", "value": [rng.choice((10, 20, 50)), None]}],
        "benefit": {"type": "tiered", "field": "employees", "tiers": [
            {"min": 0, "max": 49, "amount": rng.choice((30_000, 50_000))},
            {"min": 50, "max": 199, "amount": rng.choice((100_000, 150_000))},
            {"min": 200, "max": None, "amount": rng.choice((200_000, 300_000))}]},
        "materials": [("roster", "人才名单及劳动合同", "Staff list and contracts", ["pdf", "xlsx"])],
    }


def _export(rng: random.Random) -> dict[str, Any]:
    return {
        "zh": ("文化出口重点企业奖励", "文化贸易海外推广支持", "对外文化贸易专项资金"),
        "en": ("award for key cultural-export enterprises", "support for promoting cultural trade abroad",
               "special fund for foreign cultural trade"),
        "topic": "culture_export",
        "rules": [{"any": [{"field": "certifications", "op": "has", "value": "cultural_export"},
                           {"field": "revenue_band", "op": "in", "value": ["50m_200m", "200m_1b", "over_1b"]}]}],
        "benefit": {"type": "fixed", "amount": rng.choice((100_000, 200_000, 500_000))},
        "materials": [("contracts", "出口合同及报关单", "Export contracts and customs forms", ["pdf"])],
    }


def _ip(rng: random.Random) -> dict[str, Any]:
    return {
        "zh": ("知识产权保护专项资金", "版权登记资助", "商标维权补贴"),
        "en": ("IP protection fund", "grant for copyright registration", "subsidy for trademark enforcement"),
        "topic": "ip",
        "rules": [{"not": {"field": "awards", "op": "has", "value": "ip"}}],
        "benefit": {"type": "fixed", "amount": rng.choice((20_000, 50_000, 100_000))},
        "materials": [("certificates", "版权或商标证书", "Copyright or trademark certificates", ["pdf", "image"])],
    }


def _digital(rng: random.Random) -> dict[str, Any]:
    return {
        "zh": ("中小企业数字化转型补助", "文化企业上云用数奖励", "数字文化新业态培育资金"),
        "en": ("digital-transformation grant for SMEs", "award for moving cultural enterprises to the cloud",
               "fund for new digital culture businesses"),
        "topic": "digital",
        "rules": [{"field": "employees", "op": "between", "value": [10, 500]},
                  {"field": "certifications", "op": "any_of", "value": ["tech_sme", "specialized_sme"]}],
        "benefit": {"type": "percent", "field": "employees", "per_unit": rng.choice((2_000.0, 3_000.0)),
                    "percent": rng.choice((50, 100)), "cap": rng.choice((300_000, 500_000)),
                    "base_zh": "员工人数 × 单价", "base_en": "employees x a rate"},
        "materials": [("plan", "数字化改造方案", "Digital transformation plan", ["pdf", "docx"])],
    }


def _startup(rng: random.Random) -> dict[str, Any]:
    return {
        "zh": ("初创文化企业开办补贴", "青年创业扶持资金"), "en": ("start-up grant for new cultural enterprises",
                                                                "fund for young entrepreneurs"),
        "topic": "startup",
        "rules": [{"field": "age_years", "op": "between", "value": [None, rng.choice((2, 3, 5))]},
                  {"field": "in_zone", "op": "is", "value": True}],
        "benefit": {"type": "fixed", "amount": rng.choice((30_000, 50_000, 80_000))},
        "materials": [("licence", "营业执照", "Business licence", ["pdf", "image"])],
    }


def _exhibition(rng: random.Random) -> dict[str, Any]:
    return {
        "zh": ("参加国际展会补贴", "文博会参展支持"), "en": ("subsidy for international trade fairs",
                                                       "support for exhibiting at the culture fair"),
        "topic": "exhibition",
        "rules": [{"field": "revenue_band", "op": "in", "value": ["1m_10m", "10m_50m", "50m_200m"]}],
        "benefit": {"type": "fixed", "amount": rng.choice((20_000, 40_000))},
        "materials": [("booking", "展位确认函", "Booth confirmation", ["pdf"])],
    }


def _hightech(rng: random.Random) -> dict[str, Any]:
    return {
        "zh": ("高新技术企业认定奖励", "专精特新企业奖励"), "en": ("award for certified high-tech enterprises",
                                                          "award for specialised SMEs"),
        "topic": "tech",
        "rules": [{"field": "certifications", "op": "has", "value": rng.choice(("high_tech", "specialized_sme")),
                   "verified": True}],
        "benefit": {"type": "fixed", "amount": rng.choice((100_000, 200_000, 300_000))},
        "materials": [("certificate", "认定证书", "Certificate", ["pdf", "image"])],
    }


TEMPLATES = (_rent, _talent, _export, _ip, _digital, _startup, _exhibition, _hightech)


def demo_policy(n: int, today: date, park_ids: tuple[str, ...]) -> tuple[int, str, PolicyVersion, bool]:
    """Demo policy ``n``: (department index, park id, version, open on ``today``)."""
    rng = random.Random(SEED * 1_000_003 + n)
    t = TEMPLATES[n % len(TEMPLATES)](rng)
    dept = rng.randrange(len(DEPARTMENTS))
    dept_zh, dept_en, level = DEPARTMENTS[dept]
    pick = rng.randrange(len(t["zh"]))
    batch = rng.randrange(len(BATCHES))
    is_open = rng.random() < OPEN_SHARE
    if is_open:
        start = today - timedelta(days=rng.randrange(1, 90))
        end = today + timedelta(days=rng.randrange(5, 120))
    else:
        start = date(int(rng.choice(YEARS[:-1])), rng.randint(1, 12), rng.randint(1, 28))
        end = start + timedelta(days=rng.randrange(20, 120))
        if end >= today:
            start, end = start - timedelta(days=400), end - timedelta(days=400)
    year = start.year
    rules: list[dict[str, Any]] = list(t["rules"])
    park = ""
    # an open policy is aimed: a park's own measure (3 in 4) or one industry class, so an
    # enterprise has some tens of open matches, as on the real platforms, not hundreds
    to_park = rng.random() < (0.75 if is_open else 0.5)
    if (not to_park if is_open else rng.random() < 0.5):  # aimed at one field of the zone's industries
        rules.append({"field": "industry_codes", "op": "any_of",
                      "value": [rng.choice(CLASSES if is_open else CLASSES + DIVISIONS)]})
    if to_park and park_ids:  # a park's own measure
        park = rng.choice(park_ids)
        level = "park"
        rules.append({"field": "park_id", "op": "in", "value": [park]})
    title_zh = f"{dept_zh}{year}年度{t['zh'][pick]}（{BATCHES[batch]}）{DEMO_ZH}"
    title_en = f"{dept_en}: {t['en'][pick]}, {year} {BATCHES_EN[batch]}{DEMO_EN}"
    v = parse_version({
        "title_zh": title_zh, "title_en": title_en, "issuer": dept_zh, "level": level,
        "summary_zh": f"{dept_zh}面向朝阳区国家文化产业创新实验区企业发布的{t['zh'][pick]}政策。演示数据。",
        "summary_en": f"{dept_en} {t['en'][pick]} for enterprises of the Chaoyang cultural industry zone. Demo data.",
        "body_zh": f"为支持文化产业高质量发展，{dept_zh}决定开展{year}年度{t['zh'][pick]}工作。"
                   f"符合条件的企业可在申报期内在线提交材料。本文为演示数据，并非真实政策。",
        "effective_from": date(year, 1, 1).isoformat(), "effective_to": date(end.year, 12, 31).isoformat(),
        "apply_from": start.isoformat(), "apply_to": end.isoformat(),
        "materials": [{"key": k, "name_zh": zh, "name_en": en, "kinds": kinds} for k, zh, en, kinds in t["materials"]],
        "rules": {"all": rules}, "benefit": t["benefit"], "topics": [t["topic"]],
    })
    return dept, park, v, is_open


async def _departments(store: Store, now: float) -> list[int]:
    ids = []
    for zh, _en, _level in DEPARTMENTS:
        name = f"{zh}{DEMO_ZH}"
        found = [o.id for o in await store.orgs.named(name) if o.kind == "department"]
        ids.append(found[0] if found else await store.orgs.create("department", name, now=now, demo=True))
    return ids


async def seed_policies(store: Store, park_ids: tuple[str, ...], *, today: date, now: float, count: int = COUNT,
                        progress: Progress = lambda _line: None) -> tuple[int, int, float]:
    """Add demo policies numbered past those there; (policies added, matches written, seconds)."""
    started = time.perf_counter()
    have = int((await store.db.row(select(func.count()).select_from(policies).where(policies.c.demo == 1)))[0])  # type: ignore[index]
    if have >= count:
        return 0, 0, 0.0
    depts = await _departments(store, now)
    made = [demo_policy(n, today, park_ids) for n in range(have, count)]
    ids: list[int] = []
    for start in range(0, len(made), CHUNK):
        chunk = made[start:start + CHUNK]
        ids.extend(await store.policies.create_many(
            [(depts[d], park, v, "published", now) for d, park, v, _open in chunk], by="demo", demo=True))
        progress(f"policies: {have + start + len(chunk):,}/{count:,}")
    cols = await store.db.read(load)
    rows: list[dict[str, Any]] = []
    for pid, (_d, _park, v, is_open) in zip(ids, made, strict=True):
        if not is_open or not cols.size:
            continue
        out = match(cols, v.rule, v.benefit, today.year)
        amounts = [None if a != a else float(a) for a in out.amounts.tolist()]
        rows.extend({"policy_id": pid, "version": 1, "org_id": o, "verdict": vd, "amount": a, "reasons": r,
                     "matched": now, "notified_version": 1}
                    for o, vd, a, r in zip(cols.org_ids[out.rows].tolist(), out.verdicts.tolist(), amounts,
                                           out.reasons.tolist(), strict=True))
    for start in range(0, len(rows), CHUNK * 10):
        part = rows[start:start + CHUNK * 10]

        async def write(conn: Any, part: list[dict[str, Any]] = part) -> None:
            for i in range(0, len(part), CHUNK * 2):
                await conn.execute(policy_matches.insert(), part[i:i + CHUNK * 2])
        await store.db.commit(write)
        progress(f"policy matches: {start + len(part):,}/{len(rows):,}")
    return len(ids), len(rows), time.perf_counter() - started
