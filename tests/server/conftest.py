"""``database_url``: a fresh database on each engine (SQLite file, or a PostgreSQL
database made for the test and dropped after it) for tests of the whole server."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.db.conftest import ENGINES, _admin, _need_postgresql, _server_url, run


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'data' / 'cloudpark.sqlite3'}"
        return
    name = f"cloudpark_test_{secrets.token_hex(6)}"
    try:
        run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL: skip, or fail under CI=true
        _need_postgresql(exc)
    try:
        yield _server_url(name).replace("postgresql://", "postgresql+asyncpg://", 1)
    finally:
        run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
