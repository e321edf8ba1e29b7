"""Migrations: a new database lands at the head and matches ``tables.py``; 0001 is the
first store's schema; a file the first store made upgrades with everything intact and
ownership by organization (never by a shared company name)."""

from __future__ import annotations

import asyncio
import logging
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from server.db import Database, Store, migrate
from server.db.cards import Card
from server.db.positions import SavedPosition
from server.db.tables import SEARCH_OBJECT_PREFIXES, metadata
from tests.server.db.conftest import opened, run
from tests.server.db.legacy import LEGACY, install, rows_of
from world.protocol.messages import BoothContent, Link

T0 = 1_767_225_600.0  # make_legacy.T0


async def _inspect(url: str, fn: Callable[[sa.Connection], Any]) -> Any:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


def _columns(table: str) -> Callable[[sa.Connection], list[str]]:
    return lambda conn: [c["name"] for c in sa.inspect(conn).get_columns(table)]


def _version(conn: sa.Connection) -> str:
    return str(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one())


def test_a_new_database_is_at_head_and_matches_the_tables_module(url: str) -> None:
    def quirk(change: Any) -> bool:
        """SQLite lets a non-integer primary key be NULL, and the first store's keys
        (kept by 0001, so old and new files agree) did not say NOT NULL."""
        if not isinstance(change, list) or url.startswith("postgresql"):
            return False
        return all(op[0] == "modify_nullable" and metadata.tables[op[2]].c[op[3]].primary_key for op in change)

    def include_name(name: str | None, _type: str, _parents: Any) -> bool:
        """The engine's own search objects (FTS5, pg_trgm) live outside tables.py."""
        return not (name or "").startswith(SEARCH_OBJECT_PREFIXES)

    def diff(conn: sa.Connection) -> list[Any]:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True,
                                                         "include_name": include_name})
        return [change for change in compare_metadata(context, metadata) if not quirk(change)]

    async def go() -> None:
        async with opened(url):
            pass
        assert await _inspect(url, _version) == migrate.head() == _newest_file()
        assert await _inspect(url, diff) == []
    run(go())


def _newest_file() -> str:
    """The highest revision number among the migration files (the head must be it)."""
    return max(p.name[:4] for p in (migrate.MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def test_two_processes_opening_a_new_database_at_once_migrate_it_once(url: str) -> None:
    async def go() -> None:
        first, second = await asyncio.gather(Database.open(url), Database.open(url))
        await first.close()
        await second.close()
        assert await _inspect(url, _version) == migrate.head()
    run(go())


def _sqlite_schema(path: Path) -> dict[str, Any]:
    db = sqlite3.connect(path)
    try:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                                          "('schema_version', 'alembic_version') ORDER BY name")]
        out: dict[str, Any] = {}
        for name in names:
            indexes = {}
            for _, index, unique, _origin, partial in db.execute(f"PRAGMA index_list({name})"):
                columns = [r[2] for r in db.execute(f"PRAGMA index_info({index})")]
                indexes[tuple(columns)] = (index if not index.startswith("sqlite_autoindex") else "auto",
                                           unique, partial)
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
            out[name] = {
                "columns": db.execute(f"PRAGMA table_info({name})").fetchall(),
                "indexes": indexes,
                "foreign_keys": [r[2:5] for r in db.execute(f"PRAGMA foreign_key_list({name})")],
                "checks": "CHECK (consent = 1)" in sql,
            }
        return out
    finally:
        db.close()


def test_revision_0001_creates_exactly_the_first_stores_schema(tmp_path: Path) -> None:
    path = tmp_path / "fresh.sqlite3"

    async def go() -> None:
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate.upgrade(engine, "0001")
        finally:
            await engine.dispose()
    run(go())
    assert _sqlite_schema(path) == _sqlite_schema(LEGACY)


def _legacy_account(user: str) -> dict[str, Any]:
    return next(r for r in rows_of("accounts") if r["user"] == user)


async def _check_legacy(store: Store) -> None:
    """Everything of the legacy file is there, owned by organizations as 0002 says."""
    for row in rows_of("accounts"):
        account = await store.accounts.get(str(row["user"]))
        assert account is not None
        assert (account.name, account.role, account.company, account.color, account.kdf, account.salt,
                account.hash, account.created) == (row["name"], row["role"], row["company"], row["color"],
                                                   row["kdf"], row["salt"], row["hash"], row["created"])
    orgs = store.orgs

    async def only_org(user: str) -> int:
        (m,) = await orgs.memberships(user)
        assert (m.kind, m.role) == ("enterprise", "owner")
        return m.org_id

    alice, mallory, bob, erin, demo = [await only_org(u) for u in ("alice", "mallory", "bob", "erin",
                                                                   "demo-inkstone")]
    assert alice != mallory  # same company name typed: two organizations, never one
    assert {o.id for o in await orgs.named("  inkstone   ANIMATION ")} == {alice, mallory}
    assert [m.user for m in await orgs.members(alice)] == ["alice"]
    assert [m.user for m in await orgs.members(mallory)] == ["mallory"]
    assert [(await orgs.get(i)).name for i in (bob, erin)] == ["Lattice Design", "Erin"]  # type: ignore[union-attr]
    assert (await orgs.get(demo)).demo and not (await orgs.get(alice)).demo  # type: ignore[union-attr]
    p01, p02 = await orgs.park("p01"), await orgs.park("p02")
    assert p01 is not None and p02 is not None and p01.kind == p02.kind == "park"
    assert [(m.org_id, m.role, m.park_id) for m in await orgs.memberships("carol")] == [
        (p01.id, "staff", "p01"), (p02.id, "staff", "p02")]
    assert [(m.org_id, m.role) for m in await orgs.memberships("dave")] == [(p02.id, "staff")]
    assert await orgs.memberships("vic") == [] and await orgs.memberships("root") == []

    booths = {(b.park, b.booth): b for b in await store.booths.all()}
    assert {k: (b.owner_org, b.owner_name, b.demo, b.updated) for k, b in booths.items()} == {
        ("p01", "b1"): (alice, "Inkstone Animation", False, T0 + 1),
        ("p01", "b2"): (bob, "Lattice Design", False, T0 + 2),
        ("p02", "b1"): (None, "", False, T0 + 3),  # a company string, no account
        ("p02", "b2"): (None, "", False, T0 + 4),  # an account that is gone
        ("p02", "b3"): (alice, "Inkstone Animation", True, T0 + 5),
        ("p03", "b1"): (None, "", False, T0 + 6),
        ("p03", "b2"): (demo, "Inkstone Animation (demo)", True, T0 + 7),
    }
    assert booths["p01", "b1"].content == BoothContent(
        name="Inkstone Animation", tagline="Hand-drawn", links=(Link(label="Site", url="https://example.com/"),))
    assert booths["p02", "b3"].content == BoothContent()  # it was unreadable

    assert await store.likes.counts() == {("p01", "b1"): 3, ("p01", "b2"): 1}
    assert await store.likes.of_user("vic") == {("p01", "b1"), ("p01", "b2")}
    kept = rows_of("cards")  # every card, vic's two at one booth included: each was acknowledged
    cards = sorted([*await store.cards.of_booth("p01", "b1"), *await store.cards.of_booth("p01", "b2")],
                   key=lambda c: c.id)
    assert cards == [Card(**{k: v for k, v in r.items() if k != "consent"}) for r in kept]  # type: ignore[arg-type]
    stats = await store.visits.stats("p01", "b1")
    assert (stats.visits, stats.visitors, stats.dwell_s, stats.likes) == (3, 2, 100.0, 3)
    assert [v.entered for v in stats.recent_visits] == [T0 + 100, T0 + 40, T0 + 30]
    assert [line.text for line in await store.chat.recent("p01")] == ["hello park", "welcome to our booth"]
    assert await store.positions.get("vic") == SavedPosition("vic", "p01", 1.5, -2.25, 90.0, T0 + 131)
    assert await store.accounts.token_user(b"A" * 32, T0) == "alice"
    assert await store.accounts.token_user(b"B" * 32, T0) == "bob"
    assert await store.accounts.token_user(b"B" * 32, T0 + 61) is None


def test_a_file_of_the_first_store_upgrades_with_everything_intact(url: str,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    async def go() -> None:
        await install(url)
        async with opened(url) as store:
            await _check_legacy(store)
        async with opened(url) as store:  # opening again migrates nothing
            await _check_legacy(store)
        assert "owner_company" not in await _inspect(url, _columns("booths"))
        assert "owner_user" not in await _inspect(url, _columns("booths"))
        assert "parks" not in await _inspect(url, _columns("accounts"))
    run(go())
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("p02/b1" in w and "unowned" in w for w in warnings)
    assert any("p02/b2" in w and "unowned" in w for w in warnings)
    assert any("p02/b3" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_the_first_store_would_refuse_a_migrated_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cp.sqlite3'}"

    async def go() -> None:
        await install(url)
        async with opened(url):
            pass
    run(go())
    # server/store.py raises "newer than this server" for a version above 1
    versions = sqlite3.connect(tmp_path / "cp.sqlite3").execute("SELECT version FROM schema_version").fetchall()
    assert versions == [(1,), (2,)]


def test_a_database_newer_than_this_code_is_refused(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            async def future(conn: sa.ext.asyncio.AsyncConnection) -> None:
                await conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
            await store.db.commit(future)
        with pytest.raises(RuntimeError, match="newer than this server"):
            await Store.open(url)
    run(go())


def test_a_schema_version_the_first_store_never_wrote_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.sqlite3"
    shutil.copyfile(LEGACY, path)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version VALUES (5, 'later')")
    db.commit()
    db.close()
    with pytest.raises(RuntimeError, match="schema_version 5"):
        run(Store.open(f"sqlite+aiosqlite:///{path}"))


def test_downgrade_to_0001_gives_booths_back_to_names_and_upgrade_again_restores_ownership(url: str) -> None:
    def booth_owners(conn: sa.Connection) -> dict[tuple[str, str], tuple[str, str]]:
        rows = conn.execute(sa.text("SELECT park, booth, owner_company, owner_user FROM booths"))
        return {(p, b): (c, u) for p, b, c, u in rows}

    def parks(conn: sa.Connection) -> dict[str, str]:
        return dict(conn.execute(sa.text('SELECT "user", parks FROM accounts WHERE parks <> \'\'')).all())

    async def go() -> None:
        await install(url)
        async with opened(url) as store:
            before = {(b.park, b.booth): b.owner_name for b in await store.booths.all()}
        engine = create_async_engine(url)
        try:
            await migrate.downgrade(engine, "0001")
        finally:
            await engine.dispose()
        owners = await _inspect(url, booth_owners)
        assert owners["p01", "b1"] == ("Inkstone Animation", "alice")
        assert owners["p02", "b1"] == ("", "")  # it had no owner account: lost on the way up
        assert await _inspect(url, parks) == {"carol": "p01,p02", "dave": "p02"}
        async with opened(url) as store:
            assert {(b.park, b.booth): b.owner_name for b in await store.booths.all()} == before
            assert len(await store.orgs.memberships("carol")) == 2
    run(go())


def test_a_new_revision_is_numbered_after_the_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS", copy)
    head = int(migrate.head())
    path = migrate.new_revision("add booth tags")
    assert path.parent == copy / "versions" and path.name.startswith(f"{head + 1:04d}_add_booth_tags")
    text = path.read_text()
    assert f"revision = '{head + 1:04d}'" in text and f"down_revision = '{head:04d}'" in text


def test_a_failed_upgrade_of_a_legacy_file_leaves_it_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "cp.sqlite3"
    shutil.copyfile(LEGACY, path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE organizations (id INTEGER PRIMARY KEY)")  # 0002 cannot create its own
    db.commit()
    db.close()
    with pytest.raises(sa.exc.OperationalError, match="already exists"):
        run(Store.open(f"sqlite+aiosqlite:///{path}"))
    db = sqlite3.connect(path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "alembic_version" not in tables and "memberships" not in tables  # not even the stamp
    assert db.execute("SELECT owner_company FROM booths WHERE booth = 'b1' AND park = 'p01'").fetchone() == (
        "Inkstone Animation",)

