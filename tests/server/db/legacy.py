"""``legacy-v1.sqlite3`` (made by the first store, see ``make_legacy.py``) on either engine.

SQLite: the file itself, copied. PostgreSQL: a database migrated to 0001 and filled
with the file's rows, as moving an old installation onto PostgreSQL would.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from server.db.migrate import upgrade

LEGACY = Path(__file__).with_name("legacy-v1.sqlite3")
TABLES = ("accounts", "tokens", "booths", "visits", "likes", "cards", "chat", "positions")
ROW_IDS = ("visits", "cards", "chat")


def rows_of(table: str) -> list[dict[str, object]]:
    """The legacy file's rows of ``table``, in rowid order."""
    db = sqlite3.connect(LEGACY)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(f"SELECT * FROM {table} ORDER BY rowid")]  # noqa: S608
    finally:
        db.close()


async def install(url: str) -> None:
    """Put the legacy data where ``url`` points (an empty database or a new file path)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(LEGACY, parsed.database)
        return
    engine = create_async_engine(url)
    try:
        await upgrade(engine, "0001")
        meta = sa.MetaData()
        async with engine.begin() as conn:
            await conn.run_sync(meta.reflect)
            for name in TABLES:
                if rows := rows_of(name):
                    await conn.execute(meta.tables[name].insert(), rows)
            for name in ROW_IDS:
                await conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))")
    finally:
        await engine.dispose()
