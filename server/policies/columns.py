"""The zone's enterprises as the bulk matcher's columns, read in three queries.

The profile's scalar facts and, per fact, whether it is confirmed come from one query
over ``org_profiles`` (the confirmation read inside the database from the ``verified``
JSON: SQLite ``json_type``, PostgreSQL ``jsonb ?``); the list facts from ``org_terms``
(the directory's index of industry codes and certifications); awards from the approved
and disbursed applications. No Python runs per enterprise beyond turning the result's
columns into arrays.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from server.policies.bulk import FACTS_CONFIRMABLE, Columns, build_columns

AWARDED = ("approved", "disbursed")


def _confirmed(dialect: str, fact: str) -> str:
    if dialect == "sqlite":
        return f"(json_type(verified, '$.{fact}') IS NOT NULL)"
    return f"(verified::jsonb ? '{fact}')"


async def load(conn: AsyncConnection) -> Columns:
    dialect = conn.dialect.name
    flags = ", ".join(f"{_confirmed(dialect, f)} AS v_{f}" for f in FACTS_CONFIRMABLE)
    rows = (await conn.execute(text(
        f"SELECT org_id, park_id, founded, employees, area_m2, revenue_band, {flags} FROM org_profiles "
        "WHERE kind = 'enterprise' ORDER BY org_id"))).all()
    cols: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * (6 + len(FACTS_CONFIRMABLE))
    org_ids = np.array(cols[0], dtype=np.int64)
    terms = (await conn.execute(text(
        "SELECT t.org_id, t.kind, t.term FROM org_terms t JOIN org_profiles p ON p.org_id = t.org_id "
        "WHERE p.kind = 'enterprise' AND t.kind IN ('industry', 'certification')"))).all()
    awards = (await conn.execute(text(
        "SELECT a.org_id, v.topics FROM policy_applications a JOIN policy_versions v "
        "ON v.policy_id = a.policy_id AND v.version = a.version WHERE a.state IN ('approved', 'disbursed')"))).all()
    term_rows: list[int] = []
    kinds: list[str] = []
    values: list[str] = []
    if terms:
        t_org, t_kind, t_term = (list(c) for c in zip(*terms, strict=True))
        term_rows = np.searchsorted(org_ids, np.array(t_org, dtype=np.int64)).tolist()
        kinds, values = t_kind, t_term
    for org_id, topics in awards:  # one row per application granted, not per enterprise
        i = int(np.searchsorted(org_ids, org_id))
        if i < org_ids.size and org_ids[i] == org_id:
            for topic in json.loads(topics):
                term_rows.append(i)
                kinds.append("award")
                values.append(str(topic))
    return build_columns(
        org_ids=cols[0], park_id=cols[1], founded=cols[2], employees=cols[3], area_m2=cols[4],
        revenue_band=cols[5], verified={f: cols[6 + i] for i, f in enumerate(FACTS_CONFIRMABLE)},
        term_rows=term_rows, term_kinds=kinds, term_values=values)
