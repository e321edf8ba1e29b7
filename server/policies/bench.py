"""Public policy services at zone scale: search, one enterprise's matches, publish -> notified.

Not a test: ``cloudpark bench services`` runs it (a subprocess; tools never import the
server) on a database seeded with ``cloudpark demo seed --zone``::

    python -m server.policies.bench --database sqlite+aiosqlite:///var/cloudpark.sqlite3 --out services.json

- **search**: a mix of Chinese and English queries and filters through
  ``Store.policies.search`` (jieba words, SQL, row decoding), one at a time, interleaved;
- **matches**: ``Store.policies.matches_of`` for random demo enterprises;
- **publish**: a broad rent subsidy (every enterprise in a park with 1-10,000 employees)
  published through ``PolicyService.publish``: the version written, the bulk match over
  every enterprise, the matches written, every owner and admin of an eligible or possibly
  eligible enterprise notified (inbox rows committed) -- end to end, then a change (a
  second version) the same way. The inbox rows are counted afterwards to check.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.bus import InProcessBus
from server.db.policies import Query
from server.db.store import Store
from server.db.tables import inbox, org_profiles, organizations, policies
from server.policies.service import PolicyService, link
from world.i18n import LANGS, Texts, parse_texts
from world.policies.versions import parse_version

TZ = ZoneInfo("Asia/Shanghai")
I18N = Path(__file__).resolve().parents[2] / "assets" / "i18n"


def load_texts() -> Texts:
    """The catalogue (this module may not import server.web, which builds on server.policies)."""
    return parse_texts({lang: (I18N / f"{lang}.json").read_text(encoding="utf-8") for lang in LANGS})


def queries(today: date) -> dict[str, Query]:
    return {
        "zh 房租补贴": Query("房租补贴"),
        "zh 人才": Query("人才"),
        "zh 数字化转型 + open": Query("数字化转型", open_on=today),
        "zh 知识产权 + district": Query("知识产权", levels=("district",)),
        "zh 北京市 (a word inside words)": Query("北京市"),
        "en rent subsidy": Query("rent subsidy"),
        "en talent award + municipal": Query("talent award", levels=("municipal",)),
        "en export": Query("export"),
        "industry 8730 + open": Query(industry="8730", open_on=today),
        "topic rent + deadline in 30 days": Query(topic="rent", deadline_by=date.fromordinal(today.toordinal() + 30)),
        "open for applications": Query(open_on=today),
        "no match": Query("火星殖民"),
        "deep page (offset 380)": Query("补贴", offset=380),
    }


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _stats(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p99_ms": round(_pct(ms, 99), 2),
            "max_ms": round(max(ms), 2)}


BROAD = {
    "title_zh": "朝阳区文化企业房租补贴（基准测试）（演示）", "title_en": "Chaoyang rent subsidy (benchmark) (demo)",
    "issuer": "朝阳区文化和旅游局（演示）", "level": "district",
    "rules": {"all": [{"field": "in_zone", "op": "is", "value": True},
                      {"field": "employees", "op": "between", "value": [1, 10000]}]},
    "benefit": {"type": "percent", "field": "area_m2", "per_unit": 1277.5, "percent": 50, "cap": 500000},
    "topics": ["rent"],
}


async def measure(url: str, rounds: int, enterprises: int) -> dict[str, Any]:
    store = await Store.open(url)
    try:
        now = time.time()
        today = datetime.fromtimestamp(now, TZ).date()
        counts = {
            "policies": int((await store.db.row(select(func.count()).select_from(policies)))[0]),  # type: ignore[index]
            "enterprises": int((await store.db.row(select(func.count()).select_from(org_profiles).where(
                org_profiles.c.kind == "enterprise")))[0]),  # type: ignore[index]
        }
        qs = queries(today)
        search: dict[str, list[float]] = {k: [] for k in qs}
        hits: dict[str, int] = {}
        for name, q in qs.items():  # warm: jieba's dictionary, caches
            hits[name] = (await store.policies.search(q))[1]
        for _ in range(rounds):
            for name, q in qs.items():
                t0 = time.perf_counter()
                await store.policies.search(q)
                search[name].append(time.perf_counter() - t0)
        every = [s for v in search.values() for s in v]

        ids = [int(r[0]) for r in await store.db.rows(select(org_profiles.c.org_id).where(
            org_profiles.c.kind == "enterprise"))]
        rng = random.Random(13)
        sample = rng.sample(ids, min(enterprises, len(ids))) if ids else []
        per_org: list[float] = []
        found = 0
        for org in sample:
            t0 = time.perf_counter()
            got = await store.policies.matches_of(org)
            per_org.append(time.perf_counter() - t0)
            found += len(got)

        dept = (await store.db.row(select(organizations.c.id).where(organizations.c.kind == "department")))
        if dept is None:
            dept_id = await store.orgs.create("department", "基准测试部门（演示）", now=now, demo=True)
        else:
            dept_id = int(dept[0])
        service = PolicyService(store, InProcessBus(), load_texts(), TZ)
        v = parse_version({**BROAD, "apply_from": today.isoformat(),
                           "apply_to": date(today.year + 1, 12, 31).isoformat()})
        t0 = time.perf_counter()
        done = await service.publish(v, issuer_org_id=dept_id, by="bench", now=now, demo=True)
        publish_s = time.perf_counter() - t0
        inbox_rows = int((await store.db.row(select(func.count()).select_from(inbox).where(
            inbox.c.link == link(done.policy_id))))[0])  # type: ignore[index]
        wider = parse_version({**BROAD, "apply_from": today.isoformat(),
                               "apply_to": date(today.year + 1, 12, 31).isoformat(),
                               "rules": {"all": [{"field": "employees", "op": "between", "value": [1, 10000]}]}})
        t0 = time.perf_counter()
        changed = await service.change(done.policy_id, wider, by="bench", now=now + 1, note="benchmark")
        change_s = time.perf_counter() - t0
        await service.withdraw(done.policy_id, by="bench", now=now + 2)
        return {
            "database": store.db.dialect, "counts": counts, "rounds": rounds,
            "search": {"all": _stats(every), "by_query": {k: {**_stats(v), "total_hits": hits[k]}
                                                          for k, v in search.items()}},
            "matches": {**_stats(per_org), "enterprises": len(sample), "matches_found": found},
            "publish": {"end_to_end_s": round(publish_s, 3), "eligible": done.eligible, "possibly": done.possibly,
                        "told": done.told, "inbox_rows": inbox_rows, "match_s": round(done.match_s, 3),
                        "write_s": round(done.write_s, 3), "notify_s": round(done.notify_s, 3)},
            "change": {"end_to_end_s": round(change_s, 3), "eligible": changed.eligible,
                       "possibly": changed.possibly, "told": changed.told, "match_s": round(changed.match_s, 3),
                       "write_s": round(changed.write_s, 3), "notify_s": round(changed.notify_s, 3)},
        }
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database", required=True)
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--enterprises", type=int, default=300)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    result = asyncio.run(measure(args.database, args.rounds, args.enterprises))
    text = json.dumps(result, indent=1, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
