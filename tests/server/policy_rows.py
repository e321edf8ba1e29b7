"""Policies, versions and match rows written straight into the tables, for tests of
applying and reviewing that do not need the publisher or the matcher."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.tables import policies, policy_matches, policy_versions
from tests.server.db.test_accounts import new

MATERIALS = [
    {"key": "lease", "name_zh": "租赁合同", "name_en": "Lease contract", "required": True, "kinds": ["pdf"]},
    {"key": "photos", "name_zh": "场地照片", "name_en": "Photos of the premises", "required": False,
     "kinds": ["image"]},
]


async def add_policy(store: Any, issuer: int, *, title: str = "房租补贴", title_en: str = "Rent subsidy",
                     materials: list[dict[str, Any]] | None = None, state: str = "published",
                     apply_from: str | None = "2025-01-01", apply_to: str | None = "2027-12-31",
                     level: str = "district", park_id: str = "", now: float = 1_767_225_600.0) -> int:
    async def run(conn: AsyncConnection) -> int:
        pid = int((await conn.execute(policies.insert().values(
            current_version=1, issuer_org_id=issuer, level=level, park_id=park_id, state=state, created=now,
            updated=now).returning(policies.c.id))).scalar_one())
        await conn.execute(policy_versions.insert().values(
            policy_id=pid, version=1, title_zh=title, title_en=title_en, body_zh="正文", issuer="朝阳区文化和旅游局",
            level=level, apply_from=apply_from, apply_to=apply_to,
            materials=json.dumps(materials if materials is not None else MATERIALS, ensure_ascii=False),
            benefit=json.dumps({"type": "percent", "percent": 50, "base": "rent_year", "cap": 500000}),
            created=now, published_at=now, published_by="officer"))
        return pid
    return await store.db.commit(run)


async def add_match(store: Any, policy_id: int, org_id: int, verdict: str = "eligible",
                    amount: float | None = 180000.0) -> None:
    async def run(conn: AsyncConnection) -> None:
        await conn.execute(policy_matches.insert().values(
            policy_id=policy_id, version=1, org_id=org_id, verdict=verdict, amount=amount, reasons="[]", matched=1.0))
    await store.db.commit(run)


async def people(store: Any) -> dict[str, int]:
    """A bureau (officer ``olga``), another bureau (``otto``), two enterprises (``erin`` owns
    Acme, ``eve`` is its member, ``zed`` owns Zeta): their organization ids."""
    for user in ("olga", "otto", "erin", "eve", "zed"):
        await store.accounts.create(new(user))
    bureau = await store.orgs.create("department", "朝阳区文化和旅游局", now=1.0)
    other = await store.orgs.create("department", "区财政局", now=1.0)
    acme = await store.orgs.create("enterprise", "Acme 文化", now=1.0)
    zeta = await store.orgs.create("enterprise", "Zeta 传媒", now=1.0)
    await store.orgs.add_member(bureau, "olga", "officer", now=1.0)
    await store.orgs.add_member(other, "otto", "officer", now=1.0)
    await store.orgs.add_member(acme, "erin", "owner", now=1.0)
    await store.orgs.add_member(acme, "eve", "member", now=1.0)
    await store.orgs.add_member(zeta, "zed", "owner", now=1.0)
    return {"bureau": bureau, "other": other, "acme": acme, "zeta": zeta}
