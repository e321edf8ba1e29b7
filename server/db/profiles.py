"""Organization profiles: what an enterprise or an institution says about itself.

A profile is ``world.profiles.EnterpriseProfile`` or ``InstitutionProfile``, validated
there before anything is written. Creating one creates its organization in the same
transaction. The searchable name keys and the filter terms (``org_terms``: industry
codes, certifications, tags, service kinds) are written with it, and on SQLite the
directory's FTS5 index follows by trigger, so search never sees a half-written profile.

Confirmations are the repository's to keep: ``put`` ignores the ``verified`` of the
profile it is given; it keeps each stored confirmation whose fact did not change and
drops the rest. Only ``verify`` confirms a fact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.organizations import name_key
from server.db.tables import org_grams, org_profiles, org_terms, organizations
from world.profiles import (
    FACT_FIELDS,
    Contact,
    EnterpriseProfile,
    InstitutionProfile,
    Profile,
    ProfileError,
    Verification,
    check_enterprise,
    check_institution,
    not_a_fact,
)

CHUNK = 500  # rows per multi-row INSERT when creating many


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def year_of(now: float) -> int:
    return datetime.fromtimestamp(now, UTC).year


def check(profile: Profile, now: float) -> Profile:
    """``profile`` when valid; ``ProfileError`` naming each bad field otherwise."""
    if isinstance(profile, EnterpriseProfile):
        return check_enterprise(profile, this_year=year_of(now))
    return check_institution(profile)


def kind_of(profile: Profile) -> str:
    return "enterprise" if isinstance(profile, EnterpriseProfile) else "institution"


def profile_row(org_id: int, p: Profile, verified: dict[str, Verification], now: float) -> dict[str, Any]:
    row: dict[str, Any] = {
        "org_id": org_id, "kind": kind_of(p), "name_zh": p.name_zh, "name_en": p.name_en, "key_zh": name_key(p.name_zh),
        "key_en": name_key(p.name_en), "credit_code": p.credit_code, "park_id": p.park_id,
        "tags": _json(list(p.tags)), "offers": _json(list(p.offers)),
        "contacts": _json([{"kind": c.kind, "value": c.value, "visibility": c.visibility} for c in p.contacts]),
        "verified": _json({k: {"by": v.by, "org_id": v.org_id, "at": v.at} for k, v in sorted(verified.items())}),
        "updated": now,
        "founded": None, "employees": None, "revenue_band": None, "area_m2": None,
        "industry_codes": "[]", "certifications": "[]", "service_kinds": "[]", "needs": "[]",
    }
    if isinstance(p, EnterpriseProfile):
        row.update(founded=p.founded, employees=p.employees, revenue_band=p.revenue_band, area_m2=p.area_m2,
                   industry_codes=_json(list(p.industry_codes)), certifications=_json(list(p.certifications)),
                   needs=_json(list(p.needs)))
    else:
        row["service_kinds"] = _json(list(p.service_kinds))
    return row


def term_rows(org_id: int, p: Profile) -> list[dict[str, Any]]:
    terms: list[tuple[str, str]] = [("tag", t) for t in p.tags]
    if isinstance(p, EnterpriseProfile):
        terms += [("industry", c) for c in p.industry_codes] + [("certification", c) for c in p.certifications]
    else:
        terms += [("service", s) for s in p.service_kinds]
    return [{"org_id": org_id, "kind": k, "term": t} for k, t in sorted(set(terms))]


def gram_rows(org_id: int, p: Profile) -> list[dict[str, Any]]:
    """The 2-character runs of the name keys that hold a non-ASCII character (what the
    directory looks a two-character Chinese query up in)."""
    grams = {key[i:i + 2] for key in (name_key(p.name_zh), name_key(p.name_en)) for i in range(len(key) - 1)}
    return [{"org_id": org_id, "gram": g} for g in sorted(grams) if not g.isascii()]


def _chunks(rows: Sequence[dict[str, Any]], size: int = CHUNK) -> Iterable[Sequence[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


async def insert_profiles(conn: AsyncConnection, profiles: Sequence[Profile], now: float, demo: bool) -> list[int]:
    """Organizations and their profiles, in chunks of multi-row INSERTs; their ids in order."""
    ids: list[int] = []
    for chunk in _chunks([{"p": p} for p in profiles]):
        orgs = [{"kind": kind_of(r["p"]), "name": r["p"].name_zh or r["p"].name_en,
                 "name_key": name_key(r["p"].name_zh or r["p"].name_en), "park_id": "", "created": now,
                 "demo": int(demo)} for r in chunk]
        # SQLAlchemy batches these into multi-row INSERTs and hands the ids back in order
        result = await conn.execute(
            organizations.insert().returning(organizations.c.id, sort_by_parameter_order=True), orgs)
        ids.extend(int(i) for i in result.scalars())
    rows = [profile_row(i, p, {}, now) for i, p in zip(ids, profiles, strict=True)]
    terms = [t for i, p in zip(ids, profiles, strict=True) for t in term_rows(i, p)]
    for chunk in _chunks(rows):
        await conn.execute(org_profiles.insert(), list(chunk))
    for chunk in _chunks(terms, CHUNK * 4):
        await conn.execute(org_terms.insert(), list(chunk))
    grams = [g for i, p in zip(ids, profiles, strict=True) for g in gram_rows(i, p)]
    for chunk in _chunks(grams, CHUNK * 4):
        await conn.execute(org_grams.insert(), list(chunk))
    return ids


def _verifications(text: str) -> dict[str, Verification]:
    return {k: Verification(v["by"], int(v["org_id"]), float(v["at"])) for k, v in json.loads(text).items()}


def _profile(row: Row[Any]) -> Profile:
    contacts = tuple(Contact(c["kind"], c["value"], c["visibility"]) for c in json.loads(row.contacts))
    common: dict[str, Any] = {
        "name_zh": row.name_zh, "name_en": row.name_en, "credit_code": row.credit_code, "park_id": row.park_id,
        "tags": tuple(json.loads(row.tags)), "offers": tuple(json.loads(row.offers)), "contacts": contacts,
    }
    if row.kind == "institution":
        return InstitutionProfile(service_kinds=tuple(json.loads(row.service_kinds)), **common)
    return EnterpriseProfile(
        industry_codes=tuple(json.loads(row.industry_codes)), founded=row.founded, employees=row.employees,
        revenue_band=row.revenue_band, certifications=tuple(json.loads(row.certifications)),
        area_m2=None if row.area_m2 is None else float(row.area_m2), needs=tuple(json.loads(row.needs)),
        verified=_verifications(row.verified), **common)


def _kept(old: Profile, new: Profile) -> dict[str, Verification]:
    if not isinstance(old, EnterpriseProfile) or not isinstance(new, EnterpriseProfile):
        return {}
    return {k: v for k, v in old.verified.items() if getattr(old, k) == getattr(new, k)}


async def _read(conn: AsyncConnection, org_id: int) -> Profile | None:
    row = (await conn.execute(select(org_profiles).where(org_profiles.c.org_id == org_id))).first()
    return None if row is None else _profile(row)


async def _replace(conn: AsyncConnection, org_id: int, profile: Profile, now: float) -> bool:
    old = await _read(conn, org_id)
    if old is None or kind_of(old) != kind_of(profile):
        return False
    row = profile_row(org_id, profile, _kept(old, profile), now)
    await conn.execute(update(org_profiles).where(org_profiles.c.org_id == org_id).values(row))
    await _write_search_rows(conn, org_id, profile)
    return True


async def _write_search_rows(conn: AsyncConnection, org_id: int, profile: Profile) -> None:
    """The profile's filter terms, name grams and the organization's name, afresh."""
    await conn.execute(delete(org_terms).where(org_terms.c.org_id == org_id))
    terms = term_rows(org_id, profile)
    if terms:
        await conn.execute(org_terms.insert(), terms)
    await conn.execute(delete(org_grams).where(org_grams.c.org_id == org_id))
    grams = gram_rows(org_id, profile)
    if grams:
        await conn.execute(org_grams.insert(), grams)
    name = profile.name_zh or profile.name_en
    await conn.execute(update(organizations).where(organizations.c.id == org_id).values(
        name=name, name_key=name_key(name)))


class ProfileRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, profile: Profile, *, now: float, demo: bool = False) -> int:
        """A new enterprise (or institution) organization with this profile; its id.
        ``ProfileError`` for a bad field; ``IntegrityError`` when the credit code is taken."""
        return (await self.create_many([profile], now=now, demo=demo))[0]

    async def create_many(self, profiles: Sequence[Profile], *, now: float, demo: bool = False) -> list[int]:
        """Many at once, in one transaction (multi-row INSERTs): for imports and demo data."""
        for p in profiles:
            check(p, now)

        async def run(conn: AsyncConnection) -> list[int]:
            return await insert_profiles(conn, profiles, now, demo)
        return await self.db.commit(run)

    async def get(self, org_id: int) -> Profile | None:
        return await self.db.read(lambda conn: _read(conn, org_id))

    async def by_credit_code(self, code: str) -> int | None:
        found = await self.db.row(select(org_profiles.c.org_id).where(org_profiles.c.credit_code == code))
        return None if found is None else int(found.org_id)

    async def ids_by_credit_code(self, codes: Sequence[str]) -> dict[str, int]:
        """The organization of each of ``codes`` that has one."""
        async def run(conn: AsyncConnection) -> dict[str, int]:
            found: dict[str, int] = {}
            for i in range(0, len(codes), CHUNK):
                rows = await conn.execute(select(org_profiles.c.credit_code, org_profiles.c.org_id).where(
                    org_profiles.c.credit_code.in_(list(codes[i:i + CHUNK]))))
                found.update({r.credit_code: int(r.org_id) for r in rows})
            return found
        return await self.db.read(run)

    async def put(self, org_id: int, profile: Profile, *, now: float) -> bool:
        """Replace the profile of ``org_id`` (False: it has none, or it is of the other
        kind). Confirmations of facts that did not change are kept, the others dropped."""
        check(profile, now)

        async def run(conn: AsyncConnection) -> bool:
            return await _replace(conn, org_id, profile, now)
        return await self.db.commit(run)

    async def save(self, org_id: int, profile: Profile, *, now: float) -> bool:
        """``put``, or the first profile of an existing organization of the profile's kind
        (an enterprise registered by its owner has none yet). False: no such organization."""
        check(profile, now)

        async def run(conn: AsyncConnection) -> bool:
            kind = (await conn.execute(select(organizations.c.kind).where(organizations.c.id == org_id))).scalar()
            if kind != kind_of(profile):
                return False
            if await _read(conn, org_id) is None:
                await conn.execute(org_profiles.insert().values(profile_row(org_id, profile, {}, now)))
                await _write_search_rows(conn, org_id, profile)
                return True
            return await _replace(conn, org_id, profile, now)
        return await self.db.commit(run)

    async def verify(self, org_id: int, fact: str, verification: Verification) -> bool:
        """Confirm one fact of an enterprise's profile (False: no enterprise profile)."""
        if fact not in FACT_FIELDS:
            raise ProfileError([not_a_fact(fact)])

        async def run(conn: AsyncConnection) -> bool:
            old = await _read(conn, org_id)
            if not isinstance(old, EnterpriseProfile):
                return False
            done = old.confirmed(fact, verification)
            await conn.execute(update(org_profiles).where(org_profiles.c.org_id == org_id).values(
                verified=profile_row(org_id, done, dict(done.verified), 0.0)["verified"]))
            return True
        return await self.db.commit(run)
