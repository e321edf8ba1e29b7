"""The facade: one object with the database and every repository."""

from __future__ import annotations

from pathlib import Path

from server.db import Store, default_url
from server.db.accounts import AccountRepo
from server.db.booths import BoothRepo
from server.db.cards import CardRepo
from server.db.chat import ChatRepo
from server.db.jobs import JobRepo
from server.db.likes import LikeRepo
from server.db.organizations import OrganizationRepo
from server.db.positions import PositionRepo
from server.db.visits import VisitRepo
from tests.server.db.conftest import run


def test_default_url_is_a_sqlite_file_in_the_data_folder() -> None:
    assert default_url(Path("/srv/cloudpark")) == "sqlite+aiosqlite:////srv/cloudpark/cloudpark.sqlite3"


def test_open_gives_every_repository_and_close_flushes(tmp_path: Path) -> None:
    url = default_url(tmp_path / "data")

    async def go() -> None:
        store = await Store.open(url)
        repos = (store.accounts, store.orgs, store.booths, store.likes, store.cards, store.visits, store.chat,
                 store.positions, store.jobs)
        assert [type(r) for r in repos] == [AccountRepo, OrganizationRepo, BoothRepo, LikeRepo, CardRepo,
                                            VisitRepo, ChatRepo, PositionRepo, JobRepo]
        assert all(r.db is store.db for r in repos)
        store.positions.post("vic", "p01", 1.0, 2.0, 3.0, 4.0)
        await store.flush()
        store.chat.post("p01", "park", "", "vic", "Vic", "bye", 5.0)
        await store.close()
        await store.close()
        again = await Store.open(url)
        try:
            assert (await again.positions.get("vic")) is not None
            assert [line.text for line in await again.chat.recent("p01")] == ["bye"]
        finally:
            await again.close()
    run(go())
    assert (tmp_path / "data" / "cloudpark.sqlite3").is_file()
