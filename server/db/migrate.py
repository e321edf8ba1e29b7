"""Schema migrations: Alembic, run from code (no ``alembic.ini`` needed).

``upgrade(engine)`` brings a database to the newest revision inside one transaction
(SQLite: under the file's write lock; PostgreSQL: under an advisory lock), so two
processes starting at once never migrate twice. A file made by the first store
(``server/store.py``: a ``schema_version`` table at version 1, no ``alembic_version``)
is recognised, stamped ``0001`` and upgraded from there.

For developers: ``python -m server.db revision "what it does"`` writes the
next numbered revision file under ``server/db/migrations/versions/``;
``python -m server.db upgrade URL`` migrates a database by hand.
"""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
LEGACY_REVISION = "0001"  # what ``server/store.py``'s schema version 1 is
_LOCK_ID = 0x43_50_44_42  # "CPDB": PostgreSQL advisory lock held while migrating


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    revision = ScriptDirectory.from_config(config()).get_current_head()
    assert revision is not None
    return revision


def _legacy_version(conn: Connection) -> int | None:
    """The first store's schema version, or None when this is not such a file."""
    names = set(inspect(conn).get_table_names())
    if "schema_version" not in names or "alembic_version" in names:
        return None
    return int(conn.execute(text("SELECT COALESCE(MAX(version), 0) FROM schema_version")).scalar_one())


def _upgrade(conn: Connection, revision: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    cfg = config(conn)
    legacy = _legacy_version(conn)
    if legacy is not None:
        if legacy != 1:
            raise RuntimeError(f"schema_version {legacy}: not a file the first store made (it wrote 1)")
        log.info("database made by the first store (schema version 1): stamping %s", LEGACY_REVISION)
        command.stamp(cfg, LEGACY_REVISION)
    try:
        command.upgrade(cfg, revision)
    except CommandError as exc:
        raise RuntimeError(f"cannot migrate this database to {revision}: {exc} "
                           "(is it newer than this server?)") from exc


def _downgrade(conn: Connection, revision: str) -> None:
    command.downgrade(config(conn), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: the newest)."""
    async with engine.connect() as conn:
        await conn.run_sync(_upgrade, revision)
        await conn.commit()


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Migrate down to ``revision`` (for rolling a deployment back)."""
    async with engine.connect() as conn:
        await conn.run_sync(_downgrade, revision)
        await conn.commit()


def new_revision(message: str) -> Path:
    """Write an empty revision file numbered after the current head."""
    number = f"{int(head()) + 1:04d}"
    script = command.revision(config(), message=message, rev_id=number)
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
