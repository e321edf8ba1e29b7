"""The live park catalogue: seeded once from the files, edited over the revision read,
proposals approved (with the park's organization and its proposer as staff in the same
transaction) or rejected; nothing that would break the catalogue is ever stored."""

from __future__ import annotations

import asyncio

import pytest

from server.db.accounts import NewAccount
from server.db.catalogue import CatalogueConflict
from tests.server.db.conftest import opened, run
from world.catalogue import DEFAULT_CATALOGUE_DIR, CatalogueError

FILES = {p.name: p.read_text(encoding="utf-8") for p in sorted(DEFAULT_CATALOGUE_DIR.glob("*.toml"))}
E9 = FILES["e9.toml"]
NEW = """id = "new-park"
name_zh = "新园区"
name_en = "New Park"
style = "mill"
sources = [
    "the park office",
]

[area]
m2 = 20000
kind = "site"
"""


def test_seeded_once_from_the_files_with_their_text_kept(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            assert await store.catalogue.seed(FILES, now=1.0) == len(FILES)
            assert await store.catalogue.seed({"e9.toml": E9}, now=2.0) == 0  # not empty any more
            live = await store.catalogue.live()
            assert {e.file: e.document for e in live} == FILES
            assert all(e.state == "live" and e.revision == 1 for e in live)
            assert (await store.catalogue.catalogue()).get("e9").name_en == "E9 Innovation Works"
    run(go())


def test_two_processes_seeding_at_once_store_each_entry_once(url: str) -> None:
    async def go() -> None:
        async with opened(url) as one, opened(url) as two:
            counts = await asyncio.gather(one.catalogue.seed(FILES, now=1.0), two.catalogue.seed(FILES, now=1.0))
            assert sum(counts) == len(FILES) and len(await one.catalogue.live()) == len(FILES)
    run(go())


def test_broken_files_seed_nothing(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            with pytest.raises(CatalogueError) as err:
                await store.catalogue.seed({**FILES, "e9.toml": E9.replace('style = "factory"', 'style = "igloo"')},
                                           now=1.0)
            assert ("e9.toml", "style") in [(p[0].rsplit("/", 1)[-1], p[1]) for p in err.value.problems]
            assert await store.catalogue.live() == []
    run(go())


def test_a_save_needs_the_revision_it_read_and_a_valid_document(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.catalogue.seed(FILES, now=1.0)
            edited = E9.replace('name_en = "E9 Innovation Works"', 'name_en = "E9 Works"')
            saved = await store.catalogue.save("e9", edited, revision=1, now=5.0)
            assert saved.revision == 2 and saved.document == edited and saved.updated == 5.0
            with pytest.raises(CatalogueConflict, match="revision 2"):
                await store.catalogue.save("e9", E9, revision=1, now=6.0)  # a stale editor
            with pytest.raises(CatalogueError) as err:
                await store.catalogue.save("e9", edited.replace("m2 = 40000.0", "m2 = -5"), revision=2, now=6.0)
            assert [p[1] for p in err.value.problems] == ["area.m2"]
            with pytest.raises(CatalogueError) as err:  # the id must stay the park's
                await store.catalogue.save("e9", edited.replace('id = "e9"', 'id = "e10"'), revision=2, now=6.0)
            assert err.value.problems[0][1] == "id"
            with pytest.raises(CatalogueConflict, match="not in the live catalogue"):
                await store.catalogue.save("nowhere", NEW.replace("new-park", "nowhere"), revision=1, now=6.0)
            assert (await store.catalogue.get("e9")) == saved  # nothing of the refused saves
    run(go())


def test_a_proposal_is_approved_with_its_organization_and_staff(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.catalogue.seed(FILES, now=1.0)
            await store.accounts.create(_account("po"))
            entry = await store.catalogue.propose(NEW, by="po", now=2.0)
            assert (entry.state, entry.proposed_by) == ("proposed", "po")
            assert "new-park" not in (await store.catalogue.catalogue()).ids()  # not live yet
            assert [e.park_id for e in await store.catalogue.of_state("proposed")] == ["new-park"]
            with pytest.raises(CatalogueError, match="waiting for a decision"):
                await store.catalogue.propose(NEW, by="po", now=3.0)
            with pytest.raises(CatalogueError, match="a park of the catalogue has it"):
                await store.catalogue.propose(E9, by="po", now=3.0)
            live = await store.catalogue.approve("new-park", by="ada", now=4.0)
            assert (live.state, live.decided_by) == ("live", "ada")
            assert "new-park" in (await store.catalogue.catalogue()).ids()
            org = await store.orgs.park("new-park")
            assert org is not None
            assert [(m.user, m.role) for m in await store.orgs.members(org.id)] == [("po", "staff")]
            with pytest.raises(CatalogueConflict):
                await store.catalogue.approve("new-park", by="ada", now=5.0)
    run(go())


def test_a_rejected_proposal_keeps_the_note_and_may_be_proposed_again(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            await store.catalogue.seed(FILES, now=1.0)
            await store.catalogue.propose(NEW, by="po", now=2.0)
            no = await store.catalogue.reject("new-park", by="ada", note="no public source", now=3.0)
            assert (no.state, no.note, no.decided_by) == ("rejected", "no public source", "ada")
            assert await store.orgs.park("new-park") is None
            with pytest.raises(CatalogueConflict):
                await store.catalogue.approve("new-park", by="ada", now=4.0)
            again = await store.catalogue.propose(NEW.replace("the park office", "Beijing Daily"), by="po", now=5.0)
            assert again.state == "proposed" and again.note == "" and "Beijing Daily" in again.document
    run(go())


def test_a_broken_proposal_is_refused_naming_each_field(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            with pytest.raises(CatalogueError) as err:
                await store.catalogue.propose(NEW.replace('style = "mill"', 'style = "igloo"')
                                              .replace("m2 = 20000", "m2 = 1"), by="po", now=1.0)
            assert sorted(p[1] for p in err.value.problems) == ["area.m2", "style"]
            with pytest.raises(CatalogueError, match="not valid TOML"):
                await store.catalogue.propose("id = ", by="po", now=1.0)
            assert await store.catalogue.of_state("proposed") == []
    run(go())


def _account(user: str) -> NewAccount:
    return NewAccount(user=user, name=user, role="visitor", kdf="scrypt:1024:8:1", salt=b"s", hash=b"h",
                      created=1.0)
