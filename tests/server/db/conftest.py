"""Fixtures: every repository test runs on SQLite and on PostgreSQL.

``url`` is parametrized over both engines. SQLite: a fresh file per test.
PostgreSQL: one database with a random name per test session (created through the
``postgres`` database, dropped at the end), emptied before each test. When no
PostgreSQL answers, its tests SKIP, except when ``CI=true``: then they FAIL, so a CI
machine without the server cannot pass by skipping. ``CLOUDPARK_TEST_PG`` names the
server (default: ``postgresql://postgres@127.0.0.1:5432/postgres``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from server.db import Store

T = TypeVar("T")
PG_ADMIN = os.environ.get("CLOUDPARK_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ENGINES = ("sqlite", "postgresql")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@contextlib.asynccontextmanager
async def opened(url: str) -> AsyncIterator[Store]:
    store = await Store.open(url)
    try:
        yield store
    finally:
        await store.close()


def _server_url(database: str) -> str:
    base, _, _ = PG_ADMIN.rpartition("/")
    return f"{base}/{database}"


async def _admin(sql: str) -> None:
    conn = await asyncio.wait_for(asyncpg.connect(PG_ADMIN), 5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | Exception]:
    """A fresh database's asyncpg URL for this session, or why there is none."""
    name = f"cloudpark_test_{secrets.token_hex(6)}"
    try:
        run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - refused, no route, auth...: all mean "no PostgreSQL"
        yield exc
        return
    yield _server_url(name)
    run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _need_postgresql(found: str | Exception) -> str:
    if isinstance(found, str):
        return found
    reason = f"PostgreSQL at {PG_ADMIN} unreachable: {found!r}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run, not skip)")
    pytest.skip(reason)


async def _empty(asyncpg_url: str) -> None:
    conn = await asyncpg.connect(asyncpg_url)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


@pytest.fixture(params=ENGINES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A SQLAlchemy URL to an empty database on each engine."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'data' / 'cloudpark.sqlite3'}"
    server = _need_postgresql(request.getfixturevalue("pg_database"))
    run(_empty(server))
    return server.replace("postgresql://", "postgresql+asyncpg://", 1)


@pytest.fixture
def second_url(url: str) -> str:
    """The same database again (for a second ``Database`` on it)."""
    return url
