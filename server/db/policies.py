"""Policies: their versions, search, matches and topic subscriptions (``Store.policies``).

- A policy is created as a draft or published at once; ``add_version`` writes a new
  version (a published policy's change is always a new version: versions are never
  rewritten once published) and makes it current. Each write is one transaction: the
  version row, the policy row, the filter terms (``policy_terms``) and, on SQLite, the
  FTS5 row (triggers) all land together or not at all.
- ``search``: the words of the query (jieba, ``server.db.policy_words``) against the
  current versions' words: SQLite FTS5 ranked by bm25 (title 10x body), PostgreSQL the
  ``simple`` tsvector ranked by ``ts_rank`` (title weight A); filters by level,
  industry (a code and its prefixes: a policy naming "87" is found for "8730"), topic,
  state, open for applications on a given day and application deadline before a day.
  Relevant first, then the newest; no query: the newest first.
- ``replace_matches``: one policy's matches rewritten whole (the bulk matcher's output).
- ``matches_of``: one enterprise's matches, eligible first, with each current version.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    column,
    delete,
    func,
    literal_column,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.bulk import insert_rows
from server.db.database import Database
from server.db.dialect import insert
from server.db.policy_words import index_words, query_words
from server.db.tables import (
    policies,
    policy_matches,
    policy_subscriptions,
    policy_terms,
    policy_versions,
)
from world.policies.benefits import parse_benefit
from world.policies.fields import section_of
from world.policies.rules import industry_terms, parse_rule
from world.policies.versions import Material, PolicyVersion, dump_version

MAX_PAGE = 100
MAX_OFFSET = 400
RANKED = MAX_OFFSET + MAX_PAGE  # PostgreSQL ranks at most this many hits of a query (0009)
CHUNK = 1000
MATCH_COLUMNS = ("policy_id", "version", "org_id", "verdict", "amount", "reasons", "matched", "notified_version")
SEARCH_STATES = ("published", "withdrawn")  # what the public search may show
POLICY_FTS = table("policy_fts", column("rowid"))  # SQLite's FTS5 table (migration 0007)


@dataclass(frozen=True, slots=True)
class StoredVersion:
    policy_id: int
    version: int
    spec: PolicyVersion
    note: str
    created: float
    published_at: float | None
    published_by: str


@dataclass(frozen=True, slots=True)
class Policy:
    id: int
    state: str
    current_version: int
    issuer_org_id: int
    level: str
    park_id: str
    demo: bool
    created: float
    updated: float
    current: StoredVersion | None


@dataclass(frozen=True, slots=True)
class Hit:
    policy: Policy
    rank: float  # higher is more relevant (0 without a query)


@dataclass(frozen=True, slots=True)
class Match:
    policy_id: int
    version: int
    org_id: int
    verdict: str
    amount: float | None
    reasons: list[list[str]]  # [state, why] per clause
    matched: float


@dataclass(frozen=True, slots=True)
class Query:
    text: str = ""
    levels: tuple[str, ...] = ()
    industry: str = ""
    topic: str = ""
    states: tuple[str, ...] = ("published",)
    open_on: date | None = None  # open for applications on that day
    deadline_by: date | None = None  # the window closes on or before that day
    issuer_org_id: int | None = None
    limit: int = 20
    offset: int = 0


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def version_row(policy_id: int, number: int, v: PolicyVersion, *, now: float, published_by: str | None,
                note: str = "") -> dict[str, Any]:
    data = dump_version(v)
    return {
        "policy_id": policy_id, "version": number, "title_zh": v.title_zh, "title_en": v.title_en,
        "summary_zh": v.summary_zh, "summary_en": v.summary_en, "body_zh": v.body_zh, "issuer": v.issuer,
        "level": v.level, "effective_from": data["effective_from"], "effective_to": data["effective_to"],
        "apply_from": data["apply_from"], "apply_to": data["apply_to"], "materials": _json(data["materials"]),
        "rules": _json(data["rules"]), "benefit": _json(data["benefit"]), "topics": _json(data["topics"]),
        "search_title": index_words(v.title_zh, v.title_en),
        "search_body": index_words(v.summary_zh, v.summary_en, v.issuer, v.body_zh),
        "note": note, "created": now, "published_at": None if published_by is None else now,
        "published_by": published_by or "",
    }


def term_rows(policy_id: int, v: PolicyVersion) -> list[dict[str, Any]]:
    return ([{"policy_id": policy_id, "kind": "industry", "term": t} for t in industry_terms(v.rule)]
            + [{"policy_id": policy_id, "kind": "topic", "term": t} for t in v.topics])


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def read_version(r: Any) -> StoredVersion:
    spec = PolicyVersion(
        title_zh=r.title_zh, title_en=r.title_en, summary_zh=r.summary_zh, summary_en=r.summary_en,
        body_zh=r.body_zh, issuer=r.issuer, level=r.level, effective_from=_date(r.effective_from),
        effective_to=_date(r.effective_to), apply_from=_date(r.apply_from), apply_to=_date(r.apply_to),
        materials=tuple(Material(m["key"], m["name_zh"], m["name_en"], m["required"], tuple(m["kinds"]))
                        for m in json.loads(r.materials)),
        rule=parse_rule(json.loads(r.rules)), benefit=parse_benefit(json.loads(r.benefit)),
        topics=tuple(json.loads(r.topics)))
    return StoredVersion(int(r.policy_id), int(r.version), spec, r.note, float(r.created),
                         None if r.published_at is None else float(r.published_at), r.published_by)


_VERSION_COLUMNS = [c for c in policy_versions.c if c.name not in ("search_title", "search_body")]


def _joined() -> Select[Any]:
    return (select(policies, *[c.label(f"v_{c.name}") for c in _VERSION_COLUMNS])
            .select_from(policies.outerjoin(policy_versions, and_(
                policy_versions.c.policy_id == policies.c.id,
                policy_versions.c.version == policies.c.current_version))))


class _V:
    """A joined row's version columns, read as a version row."""

    def __init__(self, r: Any) -> None:
        self._r = r

    def __getattr__(self, name: str) -> Any:
        return getattr(self._r, f"v_{name}")


def _policy(r: Any) -> Policy:
    current = read_version(_V(r)) if r.v_version is not None else None
    return Policy(int(r.id), r.state, int(r.current_version), int(r.issuer_org_id), r.level, r.park_id,
                  bool(r.demo), float(r.created), float(r.updated), current)


async def _write_version(conn: AsyncConnection, policy_id: int, v: PolicyVersion, *, now: float,
                         by: str, publish: bool, note: str) -> int:
    number = int((await conn.execute(select(func.coalesce(func.max(policy_versions.c.version), 0)).where(
        policy_versions.c.policy_id == policy_id))).scalar_one()) + 1
    await conn.execute(policy_versions.insert().values(
        version_row(policy_id, number, v, now=now, published_by=by if publish else None, note=note)))
    values: dict[str, Any] = {"current_version": number, "level": v.level, "updated": now}
    if publish:
        values["state"] = "published"
    await conn.execute(update(policies).where(policies.c.id == policy_id).values(**values))
    await conn.execute(delete(policy_terms).where(policy_terms.c.policy_id == policy_id))
    terms = term_rows(policy_id, v)
    if terms:
        await conn.execute(policy_terms.insert(), terms)
    return number


def _fts_query(words: tuple[str, ...]) -> str:
    return " ".join(f'"{w}"' for w in words)


def _conditions(q: Query) -> list[Any]:
    """The filters of ``q`` on a policy and its current version (joined)."""
    out: list[Any] = [policies.c.state.in_(q.states or ("published",))]
    if q.levels:
        out.append(policies.c.level.in_(list(q.levels)))
    if q.issuer_org_id is not None:
        out.append(policies.c.issuer_org_id == q.issuer_org_id)
    if q.industry:
        code = q.industry.strip()
        answers = {code, *(code[:n] for n in (2, 3) if n < len(code) and code.isdigit())}
        if section_of(code):
            answers.add(section_of(code))
        out.append(policies.c.id.in_(select(policy_terms.c.policy_id).where(
            policy_terms.c.kind == "industry", policy_terms.c.term.in_(sorted(answers)))))
    if q.topic:
        out.append(policies.c.id.in_(select(policy_terms.c.policy_id).where(
            policy_terms.c.kind == "topic", policy_terms.c.term == q.topic)))
    if q.open_on is not None:
        day = q.open_on.isoformat()
        out.append(or_(policy_versions.c.apply_from.is_(None), policy_versions.c.apply_from <= day))
        out.append(or_(policy_versions.c.apply_to.is_(None), policy_versions.c.apply_to >= day))
    if q.deadline_by is not None:
        out.append(policy_versions.c.apply_to <= q.deadline_by.isoformat())
    return out


def _page(sub: Any, limit: int, offset: int) -> Callable[[AsyncConnection], Awaitable[tuple[int, Sequence[Any]]]]:
    async def run(conn: AsyncConnection) -> tuple[int, Sequence[Any]]:
        total = int((await conn.execute(select(func.count()).select_from(sub))).scalar() or 0)
        page = (await conn.execute(select(sub.c.id, sub.c.rank).order_by(sub.c.rank.desc(), sub.c.id.desc())
                                   .limit(limit).offset(offset))).all()
        return total, page
    return run


class ToldMoved(RuntimeError):
    """Someone else told enterprises of this policy version meanwhile: read again."""


class PolicyRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, v: PolicyVersion, *, issuer_org_id: int, by: str, now: float, publish: bool,
                     park_id: str = "", demo: bool = False) -> int:
        """A new policy with ``v`` as its version 1, published or a draft; its id."""
        async def run(conn: AsyncConnection) -> int:
            row = await conn.execute(policies.insert().values(
                issuer_org_id=issuer_org_id, level=v.level, park_id=park_id, state="draft", demo=int(demo),
                created=now, updated=now).returning(policies.c.id))
            policy_id = int(row.scalar_one())
            await _write_version(conn, policy_id, v, now=now, by=by, publish=publish, note="")
            return policy_id
        return await self.db.commit(run)

    async def create_many(self, items: Sequence[tuple[int, str, PolicyVersion, str, float]], *, by: str,
                          demo: bool) -> list[int]:
        """Published policies in bulk (the demo seed): (issuer org, park, version, state, published at)
        each; one transaction."""
        async def run(conn: AsyncConnection) -> list[int]:
            ids: list[int] = []
            for start in range(0, len(items), CHUNK):
                chunk = items[start:start + CHUNK]
                rows = [{"issuer_org_id": org, "level": v.level, "park_id": park, "state": state,
                         "current_version": 1, "demo": int(demo), "created": at, "updated": at}
                        for org, park, v, state, at in chunk]
                new = (await conn.execute(policies.insert().returning(policies.c.id, sort_by_parameter_order=True),
                                          rows)).scalars().all()
                ids.extend(int(i) for i in new)
                await conn.execute(policy_versions.insert(), [
                    version_row(int(pid), 1, v, now=at, published_by=by)
                    for pid, (_org, _park, v, _state, at) in zip(new, chunk, strict=True)])
                terms = [t for pid, (_o, _p, v, _s, _a) in zip(new, chunk, strict=True) for t in term_rows(int(pid), v)]
                for i in range(0, len(terms), CHUNK):
                    await conn.execute(policy_terms.insert(), terms[i:i + CHUNK])
            return ids
        return await self.db.commit(run)

    async def add_version(self, policy_id: int, v: PolicyVersion, *, by: str, now: float, publish: bool,
                          note: str = "") -> int:
        """A new version of ``policy_id``, now its current one; its number."""
        async def run(conn: AsyncConnection) -> int:
            state = (await conn.execute(select(policies.c.state).where(policies.c.id == policy_id))).scalar()
            if state is None:
                raise KeyError(policy_id)
            return await _write_version(conn, policy_id, v, now=now, by=by, publish=publish or state == "published",
                                        note=note)
        return await self.db.commit(run)

    async def publish(self, policy_id: int, *, by: str, now: float) -> bool:
        """Publish a draft's current version; False when it was not a draft."""
        async def run(conn: AsyncConnection) -> bool:
            row = (await conn.execute(select(policies.c.state, policies.c.current_version).where(
                policies.c.id == policy_id))).first()
            if row is None or row.state != "draft" or not row.current_version:
                return False
            await conn.execute(update(policy_versions).where(
                policy_versions.c.policy_id == policy_id, policy_versions.c.version == row.current_version,
            ).values(published_at=now, published_by=by))
            await conn.execute(update(policies).where(policies.c.id == policy_id).values(
                state="published", updated=now))
            return True
        return await self.db.commit(run)

    async def withdraw(self, policy_id: int, *, now: float) -> bool:
        """Withdraw a published policy (its matches go: nobody is pointed at it any more)."""
        async def run(conn: AsyncConnection) -> bool:
            done = (await conn.execute(update(policies).where(
                policies.c.id == policy_id, policies.c.state == "published").values(
                state="withdrawn", updated=now))).rowcount
            if done:
                await conn.execute(delete(policy_matches).where(policy_matches.c.policy_id == policy_id))
            return bool(done)
        return await self.db.commit(run)

    async def get(self, policy_id: int) -> Policy | None:
        row = await self.db.row(_joined().where(policies.c.id == policy_id))
        return None if row is None else _policy(row)

    async def many(self, ids: Sequence[int]) -> dict[int, Policy]:
        if not ids:
            return {}
        rows = await self.db.rows(_joined().where(policies.c.id.in_(list(ids))))
        return {int(r.id): _policy(r) for r in rows}

    async def version(self, policy_id: int, number: int) -> StoredVersion | None:
        row = await self.db.row(select(policy_versions).where(
            policy_versions.c.policy_id == policy_id, policy_versions.c.version == number))
        return None if row is None else read_version(row)

    async def versions(self, policy_id: int) -> list[StoredVersion]:
        rows = await self.db.rows(select(policy_versions).where(policy_versions.c.policy_id == policy_id)
                                  .order_by(policy_versions.c.version))
        return [read_version(r) for r in rows]

    async def of_issuer(self, org_id: int, *, limit: int = 100) -> list[Policy]:
        rows = await self.db.rows(_joined().where(policies.c.issuer_org_id == org_id)
                                  .order_by(policies.c.id.desc()).limit(limit))
        return [_policy(r) for r in rows]

    async def published_open(self, today: date) -> list[int]:
        """Ids of published policies whose application window has not closed by ``today``."""
        rows = await self.db.rows(
            select(policies.c.id).select_from(policies.join(policy_versions, and_(
                policy_versions.c.policy_id == policies.c.id,
                policy_versions.c.version == policies.c.current_version)))
            .where(policies.c.state == "published", or_(policy_versions.c.apply_to.is_(None),
                                                         policy_versions.c.apply_to >= today.isoformat()))
            .order_by(policies.c.id))
        return [int(r.id) for r in rows]

    # --- search

    async def search(self, q: Query) -> tuple[list[Hit], int]:
        """One page of hits (relevant first) and how many match in all."""
        limit = max(1, min(q.limit, MAX_PAGE))
        offset = max(0, min(q.offset, MAX_OFFSET))
        words = query_words(q.text) if q.text.strip() else ()
        sqlite = self.db.dialect == "sqlite"
        if q.text.strip() and not words:
            return [], 0
        if words and sqlite:
            rank: Any = literal_column("-bm25(policy_fts, 10.0, 1.0)")
            base = (select(policies.c.id, rank.label("rank"))
                    .select_from(policies)
                    .join(policy_versions, and_(policy_versions.c.policy_id == policies.c.id,
                                                policy_versions.c.version == policies.c.current_version))
                    .join(POLICY_FTS, POLICY_FTS.c.rowid == policies.c.id)
                    .where(literal_column("policy_fts").op("MATCH")(_fts_query(words))))
        elif words:
            tsq = func.plainto_tsquery(literal_column("'simple'"), " ".join(words))
            tsv = literal_column("policy_versions.policy_tsv")
            in_title = literal_column("policy_versions.policy_tsv_title").op("@@")(tsq)
            base = (select(policies.c.id, tsv.label("tsv"))
                    .select_from(policies)
                    .join(policy_versions, and_(policy_versions.c.policy_id == policies.c.id,
                                                policy_versions.c.version == policies.c.current_version))
                    .where(tsv.op("@@")(tsq)))
        else:
            rank = literal_column("0.0")
            base = (select(policies.c.id, rank.label("rank"))
                    .select_from(policies)
                    .join(policy_versions, and_(policy_versions.c.policy_id == policies.c.id,
                                                policy_versions.c.version == policies.c.current_version)))
        conds = _conditions(q)
        base = base.where(*conds)
        sub = base.subquery()
        if words and not sqlite:
            total, page = await self.db.read(self._ranked_page(base, sub, conds, tsq, in_title, limit, offset))
        else:
            total, page = await self.db.read(_page(sub, limit, offset))
        found = await self.many([int(r.id) for r in page])
        return [Hit(found[int(r.id)], float(r.rank)) for r in page if int(r.id) in found], total

    @staticmethod
    def _ranked_page(base: Any, sub: Any, conds: list[Any], tsq: Any, in_title: Any, limit: int,
                     offset: int) -> Callable[[AsyncConnection], Awaitable[tuple[int, Sequence[Any]]]]:
        """PostgreSQL with words: ``ts_rank`` reads each hit's whole tsvector (toasted), so at
        most ``RANKED`` candidates are ranked: the newest hits whose title holds the query,
        then (if fewer) the newest of the others. Each is an index walk that stops early (a
        common word, 北京市 in 7,412 of 20,000 policies: ~15 ms, where sorting every hit took
        ~80 ms); fewer hits than ``RANKED``: all of them are ranked, as before."""
        async def run(conn: AsyncConnection) -> tuple[int, Sequence[Any]]:
            # The planner underrates @@ on a toasted tsvector and would test every row in a
            # sequential scan (~140 ms at 20,000 policies) where the GIN index takes ~2 ms:
            # this read's own transaction says so.
            await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
            total = int((await conn.execute(select(func.count()).select_from(sub))).scalar() or 0)
            newest = policies.c.id.desc()
            ids = list((await conn.execute(base.with_only_columns(policies.c.id).where(in_title)
                                           .order_by(newest).limit(RANKED))).scalars())
            if len(ids) < RANKED and len(ids) < total:
                # the others, found through the GIN index first (a walk testing each row's
                # toasted tsvector would read every policy for a word found in few bodies)
                hits = (select(policy_versions.c.policy_id, policy_versions.c.version)
                        .where(literal_column("policy_versions.policy_tsv").op("@@")(tsq), ~in_title)
                        .cte("body_hits").prefix_with("MATERIALIZED"))
                ids += list((await conn.execute(
                    select(policies.c.id).select_from(policies)
                    .join(policy_versions, and_(policy_versions.c.policy_id == policies.c.id,
                                                policy_versions.c.version == policies.c.current_version))
                    .join(hits, and_(hits.c.policy_id == policy_versions.c.policy_id,
                                     hits.c.version == policy_versions.c.version))
                    .where(*conds).order_by(newest).limit(RANKED - len(ids)))).scalars())
            if not ids:
                return total, []
            tsv = literal_column("policy_versions.policy_tsv")
            rank = func.ts_rank(tsv, tsq).label("rank")
            page = (await conn.execute(
                select(policies.c.id, rank).select_from(policies)
                .join(policy_versions, and_(policy_versions.c.policy_id == policies.c.id,
                                            policy_versions.c.version == policies.c.current_version))
                .where(policies.c.id.in_(ids)).order_by(rank.desc(), newest).limit(limit).offset(offset))).all()
            return total, page
        return run

    # --- matches

    def matches_writer(self, policy_id: int, version: int, rows: Sequence[dict[str, Any]], *, now: float,
                       told: set[int] | None = None) -> Callable[[AsyncConnection], Awaitable[int]]:
        """The write that replaces ``policy_id``'s matches whole with ``rows`` ({org_id, verdict,
        amount, reasons}): a row for an enterprise already told of this version keeps that (no
        second notice). ``told``: the enterprises the caller read as told already (``told_of``);
        every row is then marked told (the caller writes the others' notices in the same
        transaction), and ``ToldMoved`` is raised, writing nothing, if that set changed since."""
        async def run(conn: AsyncConnection) -> int:
            before = {int(r.org_id) for r in await conn.execute(select(policy_matches.c.org_id).where(
                policy_matches.c.policy_id == policy_id, policy_matches.c.notified_version == version))}
            if told is not None and before != told:
                raise ToldMoved(policy_id)
            await conn.execute(delete(policy_matches).where(policy_matches.c.policy_id == policy_id))
            full = [(policy_id, version, r["org_id"], r["verdict"], r["amount"], r["reasons"], now,
                     version if told is not None or r["org_id"] in before else 0) for r in rows]
            return await insert_rows(conn, policy_matches, MATCH_COLUMNS, full)
        return run

    async def replace_matches(self, policy_id: int, version: int, rows: Sequence[dict[str, Any]], *,
                              now: float) -> int:
        """``matches_writer`` on its own: nobody is marked told."""
        return await self.db.commit(self.matches_writer(policy_id, version, rows, now=now))

    async def told_of(self, policy_id: int, version: int) -> set[int]:
        """The enterprises already told of ``version`` of the policy."""
        rows = await self.db.rows(select(policy_matches.c.org_id).where(
            policy_matches.c.policy_id == policy_id, policy_matches.c.notified_version == version))
        return {int(r.org_id) for r in rows}

    async def replace_org_matches(self, org_id: int, policy_ids: Sequence[int], rows: Sequence[dict[str, Any]], *,
                                  now: float) -> int:
        """Rewrite one enterprise's matches among ``policy_ids`` with ``rows`` ({policy_id,
        version, verdict, amount, reasons}); a policy it was told of at that version stays told."""
        async def run(conn: AsyncConnection) -> int:
            told = {(int(r.policy_id), int(r.notified_version)) for r in await conn.execute(
                select(policy_matches.c.policy_id, policy_matches.c.notified_version).where(
                    policy_matches.c.org_id == org_id, policy_matches.c.policy_id.in_(list(policy_ids))))}
            await conn.execute(delete(policy_matches).where(
                policy_matches.c.org_id == org_id, policy_matches.c.policy_id.in_(list(policy_ids))))
            full = [{"org_id": org_id, "matched": now,
                     "notified_version": r["version"] if (r["policy_id"], r["version"]) in told else 0, **r}
                    for r in rows]
            for i in range(0, len(full), CHUNK):
                await conn.execute(policy_matches.insert(), full[i:i + CHUNK])
            return len(full)
        if not policy_ids:
            return 0
        return await self.db.commit(run)

    async def matches_of(self, org_id: int, *, limit: int = 200) -> list[tuple[Match, Policy]]:
        """One enterprise's matches with their policies: eligible first, then by amount."""
        rows = await self.db.rows(
            select(policy_matches).join(policies, policies.c.id == policy_matches.c.policy_id)
            .where(policy_matches.c.org_id == org_id, policies.c.state == "published")
            .order_by(policy_matches.c.verdict, policy_matches.c.amount.desc().nulls_last(),
                      policy_matches.c.policy_id.desc()).limit(limit))
        found = await self.many([int(r.policy_id) for r in rows])
        return [(_match(r), found[int(r.policy_id)]) for r in rows if int(r.policy_id) in found]

    async def match(self, policy_id: int, org_id: int) -> Match | None:
        row = await self.db.row(select(policy_matches).where(
            policy_matches.c.policy_id == policy_id, policy_matches.c.org_id == org_id))
        return None if row is None else _match(row)

    async def match_counts(self, policy_id: int) -> dict[str, int]:
        rows = await self.db.rows(select(policy_matches.c.verdict, func.count()).where(
            policy_matches.c.policy_id == policy_id).group_by(policy_matches.c.verdict))
        return {str(r[0]): int(r[1]) for r in rows}

    async def to_notify(self, policy_id: int, version: int) -> list[tuple[int, str, float | None, str]]:
        """(org id, verdict, amount, reasons) of the matches not yet told of ``version``."""
        rows = await self.db.rows(select(policy_matches.c.org_id, policy_matches.c.verdict,
                                         policy_matches.c.amount, policy_matches.c.reasons).where(
            policy_matches.c.policy_id == policy_id, policy_matches.c.version == version,
            policy_matches.c.notified_version < version).order_by(policy_matches.c.org_id))
        return [(int(r[0]), str(r[1]), None if r[2] is None else float(r[2]), str(r[3])) for r in rows]

    async def mark_notified(self, policy_id: int, version: int) -> int:
        async def run(conn: AsyncConnection) -> int:
            return int((await conn.execute(update(policy_matches).where(
                policy_matches.c.policy_id == policy_id, policy_matches.c.version == version,
                policy_matches.c.notified_version < version).values(notified_version=version))).rowcount)
        return await self.db.commit(run)

    # --- subscriptions

    async def subscribe(self, user: str, topic: str, *, now: float) -> bool:
        async def run(conn: AsyncConnection) -> bool:
            stmt = insert(conn, policy_subscriptions).values(user=user, topic=topic, created=now)
            return bool((await conn.execute(stmt.on_conflict_do_nothing())).rowcount)
        return await self.db.commit(run)

    async def unsubscribe(self, user: str, topic: str) -> bool:
        async def run(conn: AsyncConnection) -> bool:
            return bool((await conn.execute(delete(policy_subscriptions).where(
                policy_subscriptions.c.user == user, policy_subscriptions.c.topic == topic))).rowcount)
        return await self.db.commit(run)

    async def topics_of(self, user: str) -> list[str]:
        rows = await self.db.rows(select(policy_subscriptions.c.topic).where(
            policy_subscriptions.c.user == user).order_by(policy_subscriptions.c.topic))
        return [str(r[0]) for r in rows]

    async def subscribers(self, topics: Sequence[str]) -> list[str]:
        if not topics:
            return []
        rows = await self.db.rows(select(policy_subscriptions.c.user).where(
            policy_subscriptions.c.topic.in_(list(topics))).distinct().order_by(policy_subscriptions.c.user))
        return [str(r[0]) for r in rows]


def _match(r: Any) -> Match:
    return Match(int(r.policy_id), int(r.version), int(r.org_id), r.verdict,
                 None if r.amount is None else float(r.amount), json.loads(r.reasons), float(r.matched))
