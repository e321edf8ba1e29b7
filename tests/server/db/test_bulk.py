"""``server.db.bulk.insert_rows``: many rows in one write on both engines, every value as
given (NULLs, floats, Chinese text), all or none when one row breaks a constraint, and
the same rows whichever page size the engine's statement takes."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.db import bulk
from server.db.tables import inbox
from tests.server.db.conftest import opened, run
from tests.server.db.test_accounts import new

COLUMNS = ("recipient", "kind", "title_key", "body_key", "params", "link", "created")


def _rows(users: list[str], n: int) -> list[tuple[object, ...]]:
    return [(users[i % len(users)], "policy", "t", "b", '{"名":"园区"}', f"/p/{i}", 1_790_000_000.5 + i)
            for i in range(n)]


def test_rows_arrive_as_given_across_pages(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "SQLITE_PAGE", 7)
    monkeypatch.setattr(bulk, "SMALL", 5)

    async def go() -> None:
        async with opened(url) as store:
            users = ["u0", "u1", "u2"]
            for user in users:
                await store.accounts.create(new(user))
            rows = _rows(users, 50)

            async def write(conn: object) -> int:
                return await bulk.insert_rows(conn, inbox, COLUMNS, rows)  # type: ignore[arg-type]
            assert await store.db.commit(write) == 50
            got = await store.db.rows(select(*[inbox.c[c] for c in COLUMNS]).order_by(inbox.c.id))
            assert [tuple(r) for r in got] == rows
            assert await store.db.commit(lambda conn: bulk.insert_rows(conn, inbox, COLUMNS, [])) == 0
            assert await store.db.commit(lambda conn: bulk.insert_rows(conn, inbox, COLUMNS, rows[:2])) == 2  # small
            assert len(await store.db.rows(select(inbox.c.id))) == 52
    run(go())


@pytest.mark.parametrize("n", [3, 30])
def test_one_bad_row_writes_nothing(url: str, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "SMALL", 10)

    async def go() -> None:
        async with opened(url) as store:
            await store.accounts.create(new("u0"))
            rows = _rows(["u0"], n) + _rows(["ghost"], 1)  # not an account: the foreign key refuses it
            with pytest.raises(IntegrityError):
                await store.db.commit(lambda conn: bulk.insert_rows(conn, inbox, COLUMNS, rows))
            assert await store.db.rows(select(inbox.c.id)) == []
    run(go())


def test_a_column_the_table_lacks_is_named() -> None:
    async def go() -> None:
        with pytest.raises(KeyError, match="inbox has no column 'colour'"):
            await bulk.insert_rows(None, inbox, ("recipient", "colour"), [("u0", "red")])  # type: ignore[arg-type]
    run(go())


def test_a_row_of_the_wrong_width_is_named_and_nothing_written(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.accounts.create(new("u0"))
            rows = _rows(["u0"], 3) + [("u0", "policy")]
            with pytest.raises(ValueError, match="inbox: row 3 has 2 values for 7 columns"):
                await store.db.commit(lambda conn: bulk.insert_rows(conn, inbox, COLUMNS, rows))
            assert await store.db.rows(select(inbox.c.id)) == []
    run(go())
