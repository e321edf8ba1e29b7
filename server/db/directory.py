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

Pages: the first few by ``offset``; after that by keyset. Every hit carries its place
in the order, (match, sort name, id): a total order, since ids are unique. A page's
``next`` cursor is the place of its last hit, and the next page asks for the rows
after it (``after``), so a deep page costs what the first does (no rows read and
thrown away), and rows written between two pages never make a page repeat or skip
one that was there all along (a new row lands before the cursor, unseen, or after it,
seen once). ``Cursor.encode`` makes it an opaque string for the web, bound to the
search it came from (a cursor from another search is refused, not misread).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Text,
    TextClause,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.organizations import name_key
from server.db.tables import org_grams, org_profiles, org_terms

MAX_PAGE = 100
MAX_OFFSET = 200  # deeper pages go by cursor (offset reads and drops every row before the page)
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
    offset: int = 0  # at most MAX_OFFSET; deeper pages go by ``after``
    limit: int = 20
    after: Cursor | None = None  # the rows after this place in the order (``DirectoryPage.next``)

    def fingerprint(self) -> str:
        """What the search asks, not where its page starts: cursors are bound to it."""
        asked = [name_key(self.text), sorted(self.kinds), self.park_id, self.industry, self.service,
                 self.certification, sorted(set(self.tags))]
        return hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()[:12]


class CursorError(ValueError):
    """A cursor that cannot be read, or that belongs to another search."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """A place in the directory's order: after the row (match, sort_key, org_id)."""

    match: int
    sort_key: str
    org_id: int

    def encode(self, query: DirectoryQuery) -> str:
        raw = json.dumps([query.fingerprint(), self.match, self.sort_key, self.org_id], ensure_ascii=False)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str, query: DirectoryQuery) -> Cursor:
        try:
            raw = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
            mark, match, sort_key, org_id = raw
            ok = (isinstance(mark, str) and type(match) is int and 0 <= match <= 3 and isinstance(sort_key, str)
                  and type(org_id) is int and org_id > 0)
        except (ValueError, TypeError):
            ok = False
        if not ok:
            raise CursorError("not a directory cursor (pass the `next` value of the previous page unchanged)")
        if mark != query.fingerprint():
            raise CursorError("this cursor belongs to another search (start again from the first page)")
        return cls(match, sort_key, org_id)


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
    sort_key: str  # the name the order compares (the English key, else the Chinese one)

    @property
    def place(self) -> Cursor:
        return Cursor(self.match, self.sort_key, self.org_id)


@dataclass(frozen=True, slots=True)
class DirectoryPage:
    hits: tuple[DirectoryHit, ...]
    offset: int
    limit: int
    more: bool  # another page follows

    @property
    def next(self) -> Cursor | None:
        """Where the next page starts (None on the last page)."""
        return self.hits[-1].place if self.more and self.hits else None


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


def sort_name(dialect: str) -> ColumnElement[str]:
    """The name the order compares: the English key, else the Chinese one. The empty
    string is written into the SQL, not bound, so that an index on this expression
    (docs/data.md, "Directory paging") matches it."""
    name = func.coalesce(func.nullif(org_profiles.c.key_en, literal_column("''")), org_profiles.c.key_zh)
    return name.collate("C") if dialect == "postgresql" else name  # code point order, as SQLite's BINARY


def build(query: DirectoryQuery, dialect: str, *, tier: int | None = None, want: int | None = None) -> Select[Any]:
    """The SELECT for one page of ``query`` on ``dialect`` ("sqlite" or "postgresql").

    ``tier``: only the hits of that match (0 exact, 1 prefix, 2 substring), ordered by
    name and id, after ``query.after`` when the cursor lies in that tier. Such a query
    has no CASE to sort on, so an index on the sort name can hand its rows over in
    order and the read stops at the page's end however deep the page. ``want``: rows
    to fetch (default: the page and one more, which says whether another follows)."""
    q = name_key(query.text)
    name = sort_name(dialect)
    match: ColumnElement[int]
    exact = or_(org_profiles.c.key_zh == q, org_profiles.c.key_en == q)
    prefix = _like(_escape(q) + "%")
    if not q:
        match = literal_column("3")
    elif tier is None:
        match = case((exact, 0), (prefix, 1), else_=2)
    else:
        match = literal_column(str(tier))
    stmt = (select(org_profiles.c.org_id, org_profiles.c.kind, org_profiles.c.name_zh, org_profiles.c.name_en,
                   org_profiles.c.park_id, org_profiles.c.industry_codes, org_profiles.c.service_kinds,
                   org_profiles.c.tags, match.label("match"), name.label("sort_key")))
    where: list[ColumnElement[bool] | TextClause] = []
    after = query.after
    if after is not None and (not q or tier == after.match):  # one tier: the place is (name, id)
        key = literal(after.sort_key, Text)  # spelled so that an index on the name can seek to it
        where.append(and_(name >= key, or_(name > key, org_profiles.c.org_id > after.org_id)))
    elif after is not None and tier is None:
        where.append(tuple_(match, name, org_profiles.c.org_id) > tuple_(
            literal(after.match), literal(after.sort_key, Text), literal(after.org_id)))
    if q and tier is not None:
        where.append(exact if tier == 0 else and_(prefix, ~exact) if tier == 1 else ~prefix)
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
    rows = want if want is not None else max(1, min(query.limit, MAX_PAGE)) + 1
    order = (name, org_profiles.c.org_id) if not q or tier is not None else (
        literal_column("match"), name, org_profiles.c.org_id)
    return stmt.where(*where).order_by(*order).offset(_offset(query)).limit(rows)


def tiers(query: DirectoryQuery) -> list[int | None]:
    """The statements one page runs, in order, by tier (``build``): one (None) for an
    offset page, a search without text and a first page of 3+ characters (the trigram
    index finds the few hits, then they are sorted); from a cursor, its tier and the
    tiers after it (the rest of a page comes from the next tier when one runs out).
    A first page of one or two characters goes by tier too: such text is in a large
    part of the names ("co" in most English ones), and sorting every hit by (match,
    name) was the slow case; one tier at a time, the name index hands its rows over in
    order and the read stops at the page's end."""
    q = name_key(query.text)
    if not q:
        return [None]
    if query.after is None:
        return [0, 1, 2] if len(q) < TRIGRAM and query.offset == 0 else [None]
    return list(range(query.after.match, 3))


def _offset(query: DirectoryQuery) -> int:
    if query.after is not None:
        return 0
    if query.offset > MAX_OFFSET:
        raise ValueError(f"offset: at most {MAX_OFFSET}; deeper pages go by cursor (DirectoryPage.next)")
    return max(0, query.offset)


def _hit(row: Any) -> DirectoryHit:
    return DirectoryHit(int(row.org_id), row.kind, row.name_zh, row.name_en, row.park_id,
                        tuple(json.loads(row.industry_codes)), tuple(json.loads(row.service_kinds)),
                        tuple(json.loads(row.tags)), int(row.match), row.sort_key)


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
        limit = max(1, min(query.limit, MAX_PAGE))
        dialect = self.db.dialect

        async def run(conn: AsyncConnection) -> DirectoryPage:
            if conn.dialect.name == "postgresql" and _custom_plan(query):
                await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
            rows: list[Any] = []
            for tier in tiers(query):
                want = limit + 1 - len(rows)
                if want <= 0:
                    break
                rows.extend((await conn.execute(build(query, dialect, tier=tier, want=want))).all())
            return DirectoryPage(tuple(_hit(r) for r in rows[:limit]), _offset(query), limit, len(rows) > limit)
        return await self.db.read(run)
