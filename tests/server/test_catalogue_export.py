"""``cloudpark parks export`` writes the database's live catalogue back as files: an
unedited catalogue byte for byte as it was seeded, an edit as the console saved it;
on both engines (``--database``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.catalogue_sync import seed_files
from server.db import Store
from tools.cli import main
from world.catalogue import DEFAULT_CATALOGUE_DIR


async def _seed_and_edit(url: str) -> None:
    store = await Store.open(url)
    try:
        await store.catalogue.seed(seed_files(None), now=1.0)
        e9 = await store.catalogue.get("e9")
        assert e9 is not None
        await store.catalogue.save("e9", e9.document.replace('notes = "80+ firms"', 'notes = "90 firms"'),
                                   revision=e9.revision, now=2.0)
    finally:
        await store.close()


def test_export_round_trips_byte_for_byte_and_carries_edits(database_url: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "data").mkdir(exist_ok=True)
    out = tmp_path / "out"
    assert main(["parks", "export", "--out", str(out), "--database", database_url]) == 1  # nothing seeded yet
    assert "holds no park catalogue" in capsys.readouterr().err
    asyncio.run(_seed_and_edit(database_url))
    assert main(["parks", "export", "--out", str(out), "--database", database_url]) == 0
    shipped = {p.name: p.read_bytes() for p in DEFAULT_CATALOGUE_DIR.glob("*.toml")}
    exported = {p.name: p.read_bytes() for p in out.glob("*.toml")}
    assert set(exported) == set(shipped)
    changed = [name for name in shipped if shipped[name] != exported[name]]
    assert changed == ["e9.toml"]
    assert exported["e9.toml"] == shipped["e9.toml"].replace(b'notes = "80+ firms"', b'notes = "90 firms"')
    assert "26 files written" in capsys.readouterr().out
    # a second export changes nothing
    assert main(["parks", "export", "--out", str(out), "--database", database_url]) == 0
    assert "0 files written, 26 unchanged" in capsys.readouterr().out
