"""The zone's enterprises as the bulk matcher's columns, read in three queries.

The profile's scalar facts and their ``verified`` JSON come from one query over
``org_profiles`` (which facts are confirmed: decoded with msgspec); the list facts from
``org_terms`` (the directory's index of industry codes and certifications), grouped by
term in SQL; awards from the approved and disbursed applications. Little Python runs per
enterprise beyond turning the result's columns into arrays.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec
import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from server.policies.bulk import FACTS_CONFIRMABLE, Columns, build_columns

AWARDED = ("approved", "disbursed")


_VERIFIED = msgspec.json.Decoder(dict[str, Any])


def _grouped(dialect: str) -> str:
    """The list facts grouped by (kind, term): a few hundred rows of comma-separated org
    ids, where one row per (enterprise, term) was 100,000 rows for SQLAlchemy to decode."""
    ids = "group_concat(t.org_id, ',')" if dialect == "sqlite" else "string_agg(t.org_id::text, ',')"
    return (f"SELECT t.kind, t.term, {ids} FROM org_terms t "
            "WHERE t.kind IN ('industry', 'certification') GROUP BY t.kind, t.term")


def _flags(verified: list[str]) -> dict[str, list[bool]]:
    """Per confirmable fact, whether each profile's ``verified`` JSON names it (decoded here:
    seven JSON lookups per row in SQL cost more than one decode in msgspec)."""
    decoded = [_VERIFIED.decode(v) if v and v != "{}" else {} for v in verified]
    return {f: [f in d for d in decoded] for f in FACTS_CONFIRMABLE}


async def load(conn: AsyncConnection) -> Columns:
    dialect = conn.dialect.name
    rows = (await conn.execute(text(
        "SELECT org_id, park_id, founded, employees, area_m2, revenue_band, verified FROM org_profiles "
        "WHERE kind = 'enterprise' ORDER BY org_id"))).all()
    cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * 7
    org_ids = np.array(cols[0], dtype=np.int64)
    grouped = (await conn.execute(text(_grouped(dialect)))).all()
    awards = (await conn.execute(text(
        "SELECT a.org_id, v.topics FROM policy_applications a JOIN policy_versions v "
        "ON v.policy_id = a.policy_id AND v.version = a.version WHERE a.state IN ('approved', 'disbursed')"))).all()
    by_key: dict[tuple[str, str], np.ndarray] = {}
    for kind, term, ids in grouped:  # org ids -> row indexes; other kinds of organization left out
        found = np.array(str(ids).split(","), dtype=np.int64)
        at = np.searchsorted(org_ids, found)
        ok = at < org_ids.size
        ok[ok] &= org_ids[at[ok]] == found[ok]
        by_key[(str(kind), str(term))] = np.unique(at[ok])
    term_rows: list[int] = []
    kinds: list[str] = []
    values: list[str] = []
    for org_id, topics in awards:  # one row per application granted, not per enterprise
        i = int(np.searchsorted(org_ids, org_id))
        if i < org_ids.size and org_ids[i] == org_id:
            for topic in json.loads(topics):
                term_rows.append(i)
                kinds.append("award")
                values.append(str(topic))
    return build_columns(
        org_ids=cols[0], park_id=cols[1], founded=cols[2], employees=cols[3], area_m2=cols[4],
        revenue_band=cols[5], verified=_flags(list(cols[6])),
        term_rows=term_rows, term_kinds=kinds, term_values=values, terms_by_key=by_key)
