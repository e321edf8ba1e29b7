"""What differs between the engines, in one place: INSERT ... ON CONFLICT.

SQLite and PostgreSQL spell "insert unless it exists" and "insert or update" the same
way (``ON CONFLICT (...) DO NOTHING / DO UPDATE ... WHERE``); SQLAlchemy offers it per
dialect, and this picks the right one for the connection at hand.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

Insert = sqlite.Insert | postgresql.Insert


def insert(conn: AsyncConnection, table: Table) -> Insert:
    """An INSERT for ``table`` offering ``on_conflict_do_nothing/do_update``."""
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise ValueError(f"no ON CONFLICT support for dialect {name!r}")
