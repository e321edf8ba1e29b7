"""``database_url``: a fresh database on each engine (SQLite file, or a PostgreSQL
database made for the test and dropped after it) for tests of the whole server.

The PostgreSQL databases are copies of one migrated for the session (``CREATE DATABASE
... TEMPLATE``, a file copy): running the migrations for every test took most of a
PostgreSQL test's time (5-10 s each on a loaded 2-core machine). Opening the copy finds
it at the head revision, as a database migrated in place would be."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.db import Store
from tests.server.db.conftest import ENGINES, _admin, _need_postgresql, _server_url, run


async def _migrated(url: str) -> None:
    store = await Store.open(url)  # migrates to the head revision
    await store.close()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | Exception]:
    """A database migrated to head for this session, or why there is none."""
    name = f"cloudpark_tmpl_{secrets.token_hex(6)}"
    try:
        run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL: each test skips, or fails under CI=true
        yield exc
        return
    try:
        run(_migrated(_server_url(name).replace("postgresql://", "postgresql+asyncpg://", 1)))
        yield name
    finally:
        run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'data' / 'cloudpark.sqlite3'}"
        return
    template = request.getfixturevalue("pg_template")
    if isinstance(template, Exception):
        _need_postgresql(template)
    name = f"cloudpark_test_{secrets.token_hex(6)}"
    try:
        run(_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL: skip, or fail under CI=true
        _need_postgresql(exc)
    try:
        yield _server_url(name).replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
