"""The store: WAL SQLite behind one writer; acknowledged writes are committed writes."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from server.store import AccountRow, Store


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def _account(user: str) -> AccountRow:
    return AccountRow(user, user.title(), "visitor", "", 0x112233, "scrypt:16:8:1", b"s" * 16, b"h" * 32)


def test_schema_is_created_in_wal_mode_and_versioned(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "db" / "cp.sqlite3").open()
        await store.close()
        again = await Store(tmp_path / "db" / "cp.sqlite3").open()  # a second open migrates nothing
        await again.close()
    run(go())
    db = sqlite3.connect(tmp_path / "db" / "cp.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"accounts", "tokens", "booths", "visits", "likes", "cards", "chat", "positions"} <= tables


def test_committed_write_is_visible_to_another_process_connection(tmp_path: Path) -> None:
    path = tmp_path / "cp.sqlite3"

    async def go() -> None:
        store = await Store(path).open()
        assert await store.create_account(_account("ada"), now=1.0)
        # acknowledged means committed: a separate connection sees it right now
        other = sqlite3.connect(path)
        assert other.execute("SELECT name FROM accounts WHERE user = 'ada'").fetchone() == ("Ada",)
        other.close()
        await store.close()
    run(go())


def test_duplicate_account_and_like_are_reported_not_raised(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "cp.sqlite3").open()
        assert await store.create_account(_account("ada"), 1.0)
        assert not await store.create_account(_account("ada"), 2.0)
        assert await store.add_like("p", "b1", "ada", 1.0)
        assert not await store.add_like("p", "b1", "ada", 2.0)
        assert await store.add_like("p", "b2", "ada", 2.0)
        assert await store.like_counts() == {("p", "b1"): 1, ("p", "b2"): 1}
        await store.close()
    run(go())


def test_card_without_consent_is_refused_by_the_schema(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "cp.sqlite3").open()
        with pytest.raises(sqlite3.IntegrityError):
            await store.add_card("p", "b1", "ada", {"name": "Ada"}, consent=False, now=1.0)
        card_id = await store.add_card("p", "b1", "ada", {"name": "Ada", "email": "a@x"}, consent=True, now=1.0)
        assert card_id > 0
        stats = await store.booth_stats("p", "b1")
        assert [c["email"] for c in stats["cards"]] == ["a@x"]
        await store.close()
    run(go())


def test_a_failing_write_does_not_sink_the_others_in_its_batch(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "cp.sqlite3").open()
        results = await asyncio.gather(
            store.add_like("p", "b", "u1", 1.0),
            store.add_card("p", "b", "u1", {"name": "x"}, consent=False, now=1.0),
            store.add_like("p", "b", "u2", 1.0),
            return_exceptions=True,
        )
        assert results[0] is True and results[2] is True
        assert isinstance(results[1], sqlite3.IntegrityError)
        assert await store.like_counts() == {("p", "b"): 2}
        await store.close()
    run(go())


def test_posted_writes_are_flushed_on_close(tmp_path: Path) -> None:
    path = tmp_path / "cp.sqlite3"

    async def go() -> None:
        store = await Store(path).open()
        for i in range(500):
            store.post_chat("p", "park", "", f"u{i}", "n", f"hello {i}", float(i))
        store.post_visit("p", "b1", "u1", "n", 10.0, 12.5)
        store.post_position("u1", "p", 1.0, 2.0, 0.5, 3.0)
        store.post_position("u1", "p", 4.0, 5.0, 0.5, 4.0)
        await store.close()
        again = await Store(path).open()
        assert await again.position("u1") == ("p", 4.0, 5.0, 0.5)
        stats = await again.booth_stats("p", "b1")
        assert stats["visits"] == 1 and stats["dwell_s"] == pytest.approx(2.5)
        await again.close()
    run(go())
    db = sqlite3.connect(path)
    assert db.execute("SELECT COUNT(*) FROM chat").fetchone() == (500,)


def test_chat_retention_prunes_old_and_excess_lines(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "cp.sqlite3").open()
        for i in range(100):
            store.post_chat("p", "park", "", "u", "n", f"line {i}", float(i))
        store.post_chat("q", "park", "", "u", "n", "other park", 1.0)
        store.post_prune_chat("p", older_than=10.0, keep_rows=50)
        await store.flush()
        rows = await store.fetch("SELECT text FROM chat ORDER BY id")
        assert [r[0] for r in rows] == [f"line {i}" for i in range(50, 100)] + ["other park"]
        store.post_prune_chat("p", older_than=95.0, keep_rows=50)
        await store.flush()
        rows = await store.fetch("SELECT text FROM chat WHERE park = 'p' ORDER BY id")
        assert [r[0] for r in rows] == [f"line {i}" for i in range(95, 100)]
        await store.close()
    run(go())


def test_booth_content_upserts(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "cp.sqlite3").open()
        await store.save_booth("p", "b1", "ACME", "acme", '{"name": "A"}', 1.0)
        await store.save_booth("p", "b1", "ACME", "acme", '{"name": "B"}', 2.0, demo=True)
        rows = await store.booths()
        assert [(r["booth"], r["owner_company"], r["content"], r["demo"]) for r in rows] == [
            ("b1", "ACME", '{"name": "B"}', 1)]
        await store.close()
    run(go())


def test_tokens_expire(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "cp.sqlite3").open()
        await store.create_account(_account("ada"), 0.0)
        await store.add_token(b"t" * 32, "ada", 0.0, 100.0)
        assert await store.token_user(b"t" * 32, 50.0) == "ada"
        assert await store.token_user(b"t" * 32, 101.0) is None
        assert await store.token_user(b"x" * 32, 50.0) is None
        await store.close()
    run(go())
