"""The live catalogue as both processes and the scene builder see it.

The database holds the catalogue (``Store.catalogue``). When its table is empty, the
catalogue folder (``--catalogue DIR``, else ``assets/parks``) seeds it; after that the
folder is not read again: the database wins. The scene builder is a separate program
(server/ never imports tools/) that reads TOML files, so ``materialize`` writes the
live entries into ``DATA_DIR/catalogue/`` (each file replaced atomically, entries no
longer live removed) and the builder runs with ``--catalogue`` pointing there.
``export`` writes the same files anywhere (``cloudpark parks export``).

Every venue is a bookable space (``server.bookings.venues``): seeding the table, and
each load by the world server (its start and every ``park.changed``), adds a space for
each venue that has none.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.bookings.venues import add_missing_all
from server.config import ServerConfig
from server.db.catalogue import CatalogueEntry
from world.catalogue import DEFAULT_CATALOGUE_DIR, Catalogue, parse_catalogue

log = logging.getLogger("cloudpark.parks")

FOLDER = "catalogue"


def catalogue_folder(cfg: ServerConfig) -> Path:
    """Where the live entries are written for the scene builder."""
    return cfg.data_dir / FOLDER


def seed_files(folder: Path | None) -> dict[str, str]:
    folder = folder or DEFAULT_CATALOGUE_DIR
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.toml"))}


@dataclass(frozen=True, slots=True)
class LiveCatalogue:
    catalogue: Catalogue
    revisions: dict[str, int] = field(default_factory=dict)  # park id -> revision of its live entry
    changed: tuple[str, ...] = ()  # parks whose entry differs from the one written out last time


async def live_entries(store: Any, seed_dir: Path | None, *, now: float) -> list[CatalogueEntry]:
    """The live entries; the folder seeds an empty table first."""
    entries: list[CatalogueEntry] = await store.catalogue.live()
    if entries:
        return entries
    files = await asyncio.to_thread(seed_files, seed_dir)
    seeded = await store.catalogue.seed(files, now=now)
    if seeded:
        log.info("park catalogue: seeded the database with %d entries from %s", seeded,
                 seed_dir or DEFAULT_CATALOGUE_DIR)
    entries = await store.catalogue.live()
    if seeded:
        await add_missing_all(store, parsed(entries).catalogue, now=now)
    return entries


def parsed(entries: list[CatalogueEntry]) -> LiveCatalogue:
    catalogue = parse_catalogue({e.file: e.document for e in entries})
    return LiveCatalogue(catalogue, {e.park_id: e.revision for e in entries})


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files(entries: list[CatalogueEntry], folder: Path, *, prune: bool) -> list[str]:
    """Each entry's document as ``folder/<id>.toml`` (unchanged files are not touched);
    with ``prune``, other ``*.toml`` files there are removed. The ids of the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    keep = set()
    for entry in entries:
        path = folder / entry.file
        keep.add(path.name)
        if path.is_file() and path.read_text(encoding="utf-8") == entry.document:
            continue
        _write_atomic(path, entry.document)
        written.append(entry.park_id)
    if prune:
        for path in folder.glob("*.toml"):
            if path.name not in keep:
                path.unlink(missing_ok=True)
    return written


async def load_live(store: Any, cfg: ServerConfig, *, now: float) -> LiveCatalogue:
    """The live catalogue (seeding an empty table from ``cfg.catalogue_dir``), also
    written to ``catalogue_folder(cfg)`` for the scene builder. ``changed``: the parks
    whose entry changed since the folder was last written (none the first time)."""
    entries = await live_entries(store, cfg.catalogue_dir, now=now)
    live = parsed(entries)  # the table holds only entries that parse together; check anyway
    await add_missing_all(store, live.catalogue, now=now)
    folder = catalogue_folder(cfg)
    existed = folder.is_dir()
    written = await asyncio.to_thread(write_files, entries, folder, prune=True)
    return dataclasses.replace(live, changed=tuple(written) if existed else ())
