"""The zone directory: find enterprises and institutions by name, industry, park, tags.

Names match as substrings of either name (zh or en; case and spacing ignored, so
Chinese partial words such as 动漫 work). Results come relevant first: a name equal to
the query, then names starting with it, then names containing it; within each, by
name (code point order, the same on both engines), then id. Filters narrow the set:
kinds, park, an industry code prefix (``"87"`` finds ``8730``), a service kind, a
certification and tags (all of them).

How each engine finds the names:
- SQLite: the FTS5 table ``directory_fts`` (trigram tokenizer, kept in step with
  ``org_profiles`` by triggers in the same transaction) when the query has at least 3
  characters (a trigram); shorter queries scan the keys with LIKE.
- PostgreSQL: LIKE on the keys, served by ``pg_trgm`` GIN indexes.
- Either engine, a two-character query with a non-ASCII character (a Chinese word
  such as 动漫; no trigram index can serve it): ``org_grams``, written with the profile.
Both then check the same LIKE conditions on the keys, so the two return the same rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    TextClause,
    and_,
    case,
    func,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.organizations import name_key
from server.db.tables import org_grams, org_profiles, org_terms

MAX_PAGE = 100
TRIGRAM = 3  # FTS5's trigram tokenizer indexes runs of 3 characters
KINDS = ("enterprise", "institution")


@dataclass(frozen=True, slots=True)
class DirectoryQuery:
    text: str = ""  # part of a name, zh or en; "" lists everything that passes the filters
    kinds: tuple[str, ...] = KINDS
    park_id: str | None = None
    industry: str | None = None  # a GB/T 4754 code or its prefix
    service: str | None = None  # one of world.profiles.SERVICE_KINDS
    certification: str | None = None
    tags: tuple[str, ...] = ()  # every one of them
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True, slots=True)
class DirectoryHit:
    org_id: int
    kind: str
    name_zh: str
    name_en: str
    park_id: str
    industry_codes: tuple[str, ...]
    service_kinds: tuple[str, ...]
    tags: tuple[str, ...]
    match: int  # 0 exact name, 1 name starts with the query, 2 name contains it, 3 no query


@dataclass(frozen=True, slots=True)
class DirectoryPage:
    hits: tuple[DirectoryHit, ...]
    offset: int
    limit: int
    more: bool  # another page follows


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(pattern: str) -> ColumnElement[bool]:
    return or_(org_profiles.c.key_zh.like(pattern, escape="\\"), org_profiles.c.key_en.like(pattern, escape="\\"))


def _has_term(kind: str, term: str, *, prefix: bool = False) -> ColumnElement[bool]:
    # a prefix as a range ("87" <= term < "88"), not LIKE: both engines serve it from the
    # (kind, term, org_id) index. Terms here are ASCII codes, so every collation agrees.
    match = (and_(org_terms.c.term >= term, org_terms.c.term < term[:-1] + chr(ord(term[-1]) + 1)) if prefix
             else org_terms.c.term == term)
    return org_profiles.c.org_id.in_(select(org_terms.c.org_id).where(org_terms.c.kind == kind, match))


def _fts_match(q: str) -> ColumnElement[bool]:
    phrase = '"' + q.replace('"', '""') + '"'
    return org_profiles.c.org_id.in_(
        select(literal_column("rowid")).select_from(text("directory_fts"))
        .where(text("directory_fts MATCH :phrase").bindparams(phrase=phrase)))


def _gram_match(q: str, dialect: str) -> ColumnElement[bool] | TextClause:
    if dialect == "postgresql":
        # the ids as an array built once (an InitPlan): given a semi-join, PostgreSQL
        # misjudges it and scans every profile hoping to stop early (measured: 45 ms)
        return text("org_profiles.org_id = ANY(ARRAY(SELECT org_grams.org_id FROM org_grams "
                    "WHERE org_grams.gram = :gram))").bindparams(gram=q)
    return org_profiles.c.org_id.in_(select(org_grams.c.org_id).where(org_grams.c.gram == q))


def build(query: DirectoryQuery, dialect: str) -> Select[Any]:
    """The SELECT for one page of ``query`` on ``dialect`` ("sqlite" or "postgresql")."""
    q = name_key(query.text)
    sort_name = func.coalesce(func.nullif(org_profiles.c.key_en, ""), org_profiles.c.key_zh)
    if dialect == "postgresql":
        sort_name = sort_name.collate("C")  # code point order, as SQLite's BINARY
    match: ColumnElement[int]
    if q:
        exact = or_(org_profiles.c.key_zh == q, org_profiles.c.key_en == q)
        match = case((exact, 0), (_like(_escape(q) + "%"), 1), else_=2)
    else:
        match = literal_column("3")
    stmt = (select(org_profiles.c.org_id, org_profiles.c.kind, org_profiles.c.name_zh, org_profiles.c.name_en,
                   org_profiles.c.park_id, org_profiles.c.industry_codes, org_profiles.c.service_kinds,
                   org_profiles.c.tags, match.label("match")))
    where: list[ColumnElement[bool] | TextClause] = []
    if tuple(sorted(query.kinds)) != KINDS:
        where.append(org_profiles.c.kind.in_(query.kinds))
    if q:
        if dialect == "sqlite" and len(q) >= TRIGRAM:
            where.append(_fts_match(q))
        elif len(q) == 2 and not q.isascii():  # a two-character Chinese word: org_grams has it
            where.append(_gram_match(q, dialect))
        where.append(_like("%" + _escape(q) + "%"))
    if query.park_id is not None:
        where.append(org_profiles.c.park_id == query.park_id)
    if query.industry:
        where.append(_has_term("industry", query.industry, prefix=True))
    if query.service:
        where.append(_has_term("service", query.service))
    if query.certification:
        where.append(_has_term("certification", query.certification))
    where.extend(_has_term("tag", t) for t in dict.fromkeys(query.tags))
    limit = max(1, min(query.limit, MAX_PAGE))
    return (stmt.where(*where).order_by(literal_column("match"), sort_name, org_profiles.c.org_id)
            .offset(max(0, query.offset)).limit(limit + 1))


def _hit(row: Any) -> DirectoryHit:
    return DirectoryHit(int(row.org_id), row.kind, row.name_zh, row.name_en, row.park_id,
                        tuple(json.loads(row.industry_codes)), tuple(json.loads(row.service_kinds)),
                        tuple(json.loads(row.tags)), int(row.match))


def _custom_plan(query: DirectoryQuery) -> bool:
    """Whether PostgreSQL should plan this search for its own values. asyncpg prepares
    statements, and after a few runs PostgreSQL switches to a generic plan that cannot
    see them. For text alone of 3+ characters that plan (the trigram index) is the good
    one: the custom plans' row estimates pick a slower scan (measured). A pattern shorter
    than a trigram would read the whole trigram index in the generic plan, and with
    filters the best order depends on how selective their values are (measured: 8 ms
    custom against 30-57 ms generic for text + park + industry)."""
    q = name_key(query.text)
    filtered = query.park_id is not None or query.industry or query.service or query.certification or query.tags
    return 0 < len(q) < TRIGRAM or bool(filtered)


class DirectoryRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def search(self, query: DirectoryQuery) -> DirectoryPage:
        stmt = build(query, self.db.dialect)
        limit = max(1, min(query.limit, MAX_PAGE))

        async def run(conn: AsyncConnection) -> DirectoryPage:
            if conn.dialect.name == "postgresql" and _custom_plan(query):
                await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
            rows = (await conn.execute(stmt)).all()
            return DirectoryPage(tuple(_hit(r) for r in rows[:limit]), max(0, query.offset), limit,
                                 len(rows) > limit)
        return await self.db.read(run)
