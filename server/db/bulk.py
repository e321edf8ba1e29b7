"""Many rows into one table, fast, inside a write (``async (conn) -> T``).

SQLAlchemy's ``conn.execute(table.insert(), [dicts])`` builds a parameter dict per row and
(for asyncpg) a multi-row VALUES statement per page: at 50,000 rows (a policy matched
against the whole zone, and its notices) that is seconds of Python. ``insert_rows``
instead hands the driver plain tuples:

- PostgreSQL: one ``INSERT ... SELECT * FROM unnest($1::type[], $2::type[], ...)`` per
  ``PG_PAGE`` rows: one array per column, so the statement and its plan are the same
  whatever the row count, and asyncpg encodes each array in C;
- SQLite: the driver's ``executemany`` of one prepared ``INSERT ... VALUES (?, ...)``.

Column types come from the table (``Integer``/``ROWID`` -> bigint, ``REAL`` -> float8,
``Text`` -> text, ``Boolean`` -> boolean), so a value of the wrong kind fails the whole
write with the driver's error, as the ORM-style insert would: all or none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import Boolean, Float, Integer, String

PG_PAGE = 20_000  # rows per statement on PostgreSQL (each column one array parameter)
SQLITE_PAGE = 5_000


def _pg_type(table: Table, name: str) -> str:
    kind = table.c[name].type
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Integer):
        return "bigint"
    if isinstance(kind, Float):
        return "float8"
    if isinstance(kind, String):
        return "text"
    raise TypeError(f"{table.name}.{name}: no bulk type for {kind!r}")


def _columns_of(table: Table, columns: Sequence[str]) -> list[str]:
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise KeyError(f"{table.name} has no column {unknown[0]!r}")
    return list(columns)


async def insert_rows(conn: AsyncConnection, table: Table, columns: Sequence[str],
                      rows: Sequence[Sequence[Any]]) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; how many."""
    names = _columns_of(table, columns)
    if not rows:
        return 0
    quoted = ", ".join(f'"{c}"' for c in names)
    if conn.dialect.name == "postgresql":
        arrays = ", ".join(f"${i + 1}::{_pg_type(table, c)}[]" for i, c in enumerate(names))
        sql = f'INSERT INTO "{table.name}" ({quoted}) SELECT * FROM unnest({arrays})'
        for i in range(0, len(rows), PG_PAGE):
            page = rows[i:i + PG_PAGE]
            await conn.exec_driver_sql(sql, tuple(list(col) for col in zip(*page, strict=True)))
        return len(rows)
    marks = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'
    for i in range(0, len(rows), SQLITE_PAGE):
        await conn.exec_driver_sql(sql, [tuple(r) for r in rows[i:i + SQLITE_PAGE]])
    return len(rows)
