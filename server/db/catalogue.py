"""The live park catalogue: one row per park holding its entry as TOML text.

The database is the truth; ``assets/parks/*.toml`` seed it once (``seed``, when the
table is empty) and ``cloudpark parks export`` writes it back. Every document is
checked with ``world.catalogue.parse_park`` before it is stored, and a live one also
with the whole live catalogue around it (``parse_catalogue``), inside the same
transaction, so the table never holds an entry that would break the catalogue.

States: ``live`` (hosted), ``proposed`` (someone asked to add the park; an admin
decides), ``rejected`` (with the admin's note; proposing the id again replaces it).
``revision`` counts saves: ``save`` writes only over the revision the editor read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.organizations import park_organization, put_member
from server.db.tables import park_catalogue
from world.catalogue import Catalogue, CatalogueError, Park, parse_catalogue, parse_park

MAX_DOCUMENT = 64 * 1024  # characters; the largest shipped entry is under 2 KiB


class CatalogueConflict(Exception):
    """The entry is not in the state (or at the revision) the caller expected."""


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    park_id: str
    document: str  # the TOML text
    state: str  # live | proposed | rejected
    revision: int
    proposed_by: str
    decided_by: str
    note: str
    updated: float

    @property
    def file(self) -> str:
        """The file name the entry has in a catalogue folder."""
        return f"{self.park_id}.toml"

    def park(self) -> Park:
        return parse_park(self.file, self.document)


def _entry(row: Any) -> CatalogueEntry:
    return CatalogueEntry(row.park_id, row.document, row.state, int(row.revision), row.proposed_by,
                          row.decided_by, row.note, float(row.updated))


def check_document(document: str, park_id: str | None = None) -> Park:
    """The park the document describes; ``CatalogueError`` naming every problem. Without
    ``park_id`` the id the document gives names its file."""
    if len(document) > MAX_DOCUMENT:
        raise CatalogueError([(f"{park_id or 'entry'}.toml", "(file)",
                               f"longer than {MAX_DOCUMENT} characters")])
    if park_id is None:
        try:
            named = tomllib.loads(document).get("id")
        except tomllib.TOMLDecodeError:
            named = None
        park_id = named if isinstance(named, str) and named else "entry"
    return parse_park(f"{park_id}.toml", document)


async def _live_files(conn: AsyncConnection) -> dict[str, str]:
    rows = (await conn.execute(select(park_catalogue.c.park_id, park_catalogue.c.document)
                               .where(park_catalogue.c.state == "live"))).all()
    return {f"{r.park_id}.toml": r.document for r in rows}


async def _check_live_with(conn: AsyncConnection, park_id: str, document: str) -> None:
    files = await _live_files(conn)
    files[f"{park_id}.toml"] = document
    parse_catalogue(files)


class CatalogueRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def seed(self, files: Mapping[str, str], *, now: float) -> int:
        """Store ``files`` (file name -> TOML text) as the live catalogue if the table is
        empty; how many entries were stored (0: it held entries already). The files are
        checked together first (``CatalogueError``: nothing is stored). Two processes
        seeding at once store each entry once."""
        catalogue = parse_catalogue(dict(files))
        by_id = {parse_park(name, text).id: text for name, text in files.items()}
        assert set(by_id) == set(catalogue.ids())

        async def run(conn: AsyncConnection) -> int:
            held = int((await conn.execute(select(func.count()).select_from(park_catalogue))).scalar_one())
            if held:
                return 0
            stmt = insert(conn, park_catalogue).on_conflict_do_nothing(index_elements=["park_id"])
            stored = await conn.execute(stmt.returning(park_catalogue.c.park_id), [
                {"park_id": pid, "document": text, "state": "live", "revision": 1, "updated": now}
                for pid, text in sorted(by_id.items())])
            return len(stored.all())  # only the rows this call inserted come back
        return await self.db.commit(run)

    async def live(self) -> list[CatalogueEntry]:
        rows = await self.db.rows(select(park_catalogue).where(park_catalogue.c.state == "live")
                                  .order_by(park_catalogue.c.park_id))
        return [_entry(r) for r in rows]

    async def catalogue(self) -> Catalogue:
        """The live entries parsed together (all or nothing, as the files were)."""
        return parse_catalogue({e.file: e.document for e in await self.live()})

    async def get(self, park_id: str) -> CatalogueEntry | None:
        row = await self.db.row(select(park_catalogue).where(park_catalogue.c.park_id == park_id))
        return None if row is None else _entry(row)

    async def of_state(self, state: str, limit: int = 200) -> list[CatalogueEntry]:
        """Entries in ``state``, the most recently changed first."""
        rows = await self.db.rows(select(park_catalogue).where(park_catalogue.c.state == state)
                                  .order_by(park_catalogue.c.updated.desc(), park_catalogue.c.park_id)
                                  .limit(limit))
        return [_entry(r) for r in rows]

    async def of_proposer(self, user: str, limit: int = 50) -> list[CatalogueEntry]:
        """What ``user`` proposed (waiting, approved or rejected), the most recent first."""
        rows = await self.db.rows(select(park_catalogue).where(park_catalogue.c.proposed_by == user)
                                  .order_by(park_catalogue.c.updated.desc()).limit(limit))
        return [_entry(r) for r in rows]

    async def save(self, park_id: str, document: str, *, revision: int, now: float) -> CatalogueEntry:
        """Replace a live entry's document, if it is still at ``revision``; the new entry.
        ``CatalogueError`` for a document (or a catalogue with it) that does not parse,
        ``CatalogueConflict`` when someone saved in between or the park is not live."""
        park = check_document(document, park_id)

        async def run(conn: AsyncConnection) -> CatalogueEntry:
            await _check_live_with(conn, park.id, document)
            result = await conn.execute(update(park_catalogue).where(
                park_catalogue.c.park_id == park_id, park_catalogue.c.state == "live",
                park_catalogue.c.revision == revision).values(
                document=document, revision=revision + 1, updated=now))
            if result.rowcount != 1:
                row = (await conn.execute(select(park_catalogue).where(
                    park_catalogue.c.park_id == park_id))).first()
                if row is None or row.state != "live":
                    raise CatalogueConflict(f"park {park_id} is not in the live catalogue")
                raise CatalogueConflict(f"park {park_id} was saved by someone else meanwhile "
                                        f"(revision {row.revision}, you edited {revision})")
            row = (await conn.execute(select(park_catalogue).where(park_catalogue.c.park_id == park_id))).one()
            return _entry(row)
        return await self.db.commit(run)

    async def propose(self, document: str, *, by: str, now: float) -> CatalogueEntry:
        """A new park asked for by ``by``: stored as ``proposed``. The id must not be live
        or proposed already (a rejected proposal of that id is replaced)."""
        park = check_document(document)

        async def run(conn: AsyncConnection) -> CatalogueEntry:
            row = (await conn.execute(select(park_catalogue.c.state).where(
                park_catalogue.c.park_id == park.id))).first()
            if row is not None and row.state != "rejected":
                raise CatalogueError([(f"{park.id}.toml", "id", f"{park.id!r} is taken: "
                                       + ("a park of the catalogue has it" if row.state == "live"
                                          else "another proposal is waiting for a decision"))],
                                     [("id_taken" if row.state == "live" else "id_proposed", {"value": park.id})])
            await _check_live_with(conn, park.id, document)
            if row is not None:
                await conn.execute(delete(park_catalogue).where(park_catalogue.c.park_id == park.id))
            await conn.execute(park_catalogue.insert().values(
                park_id=park.id, document=document, state="proposed", revision=1, proposed_by=by, updated=now))
            return _entry((await conn.execute(select(park_catalogue).where(
                park_catalogue.c.park_id == park.id))).one())
        return await self.db.commit(run)

    async def approve(self, park_id: str, *, by: str, now: float) -> CatalogueEntry:
        """A proposal goes live: in one transaction the entry (checked with the live
        catalogue once more), the park's organization, and its proposer as staff."""
        async def run(conn: AsyncConnection) -> CatalogueEntry:
            row = (await conn.execute(select(park_catalogue).where(park_catalogue.c.park_id == park_id))).first()
            if row is None or row.state != "proposed":
                raise CatalogueConflict(f"no proposal of park {park_id} is waiting for a decision")
            await _check_live_with(conn, park_id, row.document)
            await conn.execute(update(park_catalogue).where(park_catalogue.c.park_id == park_id).values(
                state="live", decided_by=by, note="", revision=row.revision + 1, updated=now))
            org = await park_organization(conn, park_id, now)
            if row.proposed_by:
                await put_member(conn, org, row.proposed_by, "staff", now)
            return _entry((await conn.execute(select(park_catalogue).where(
                park_catalogue.c.park_id == park_id))).one())
        return await self.db.commit(run)

    async def reject(self, park_id: str, *, by: str, note: str, now: float) -> CatalogueEntry:
        """A proposal refused, with the admin's ``note`` (why)."""
        async def run(conn: AsyncConnection) -> CatalogueEntry:
            result = await conn.execute(update(park_catalogue).where(
                park_catalogue.c.park_id == park_id, park_catalogue.c.state == "proposed").values(
                state="rejected", decided_by=by, note=note, updated=now))
            if result.rowcount != 1:
                raise CatalogueConflict(f"no proposal of park {park_id} is waiting for a decision")
            return _entry((await conn.execute(select(park_catalogue).where(
                park_catalogue.c.park_id == park_id))).one())
        return await self.db.commit(run)
