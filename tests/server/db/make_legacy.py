"""Make ``legacy-v1.sqlite3``: a database file as the first store wrote it.

Run once with the pre-``server.db`` store (``server/store.py`` at commit f6c5678,
schema version 1) and committed with its output, so the migration tests open a file
the old code really made. ``server/store.py`` is being replaced: to run this again,
check that commit out first. Usage: ``python -m tests.server.db.make_legacy [PATH]``.

What the file holds (the migration tests rely on each item):
- enterprise accounts ``alice`` and ``mallory`` with the SAME company name (never
  merged into one organization), ``bob`` (another company), ``erin`` (no company),
  ``demo-inkstone`` (owns only demo booths: its organization is marked demo);
- park staff ``carol`` (parks p01, p02) and ``dave`` (p02), a visitor, an admin;
- a live token (alice) and an expired one (bob);
- booths owned by alice, bob and alice again (demo, unreadable content), one with a
  company string but no account, one whose ``owner_user`` names no account, a free one,
  a demo booth;
- likes, cards (vic left two at the same booth: the migration keeps the newer),
  visits, chat lines and saved positions.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
from pathlib import Path

from server.store import AccountRow, Store

HERE = Path(__file__).parent
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z: fixed so the file is reproducible


def _account(user: str, name: str, role: str, company: str = "", parks: str = "") -> AccountRow:
    salt = hashlib.sha256(user.encode()).digest()[:16]
    digest = hashlib.scrypt(b"legacy-password", salt=salt, n=16, r=8, p=1, dklen=32)
    return AccountRow(user, name, role, company, 0x3D7EAA, "scrypt:16:8:1", salt, digest, parks)


def _content(name: str, tagline: str) -> str:
    return json.dumps({"name": name, "tagline": tagline,
                       "links": [{"label": "Site", "url": "https://example.com/"}]})


async def make(path: Path) -> None:
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    store = await Store(path).open()
    try:
        for row in (
            _account("alice", "Alice", "enterprise", "Inkstone Animation"),
            _account("mallory", "Mallory", "enterprise", "Inkstone Animation"),
            _account("bob", "Bob", "enterprise", "Lattice Design"),
            _account("erin", "Erin", "enterprise"),
            _account("carol", "Carol", "park_staff", parks="p01,p02"),
            _account("dave", "Dave", "park_staff", parks="p02"),
            _account("vic", "Vic", "visitor"),
            _account("root", "Root", "admin"),
            _account("demo-inkstone", "Inkstone Animation (demo)", "enterprise", "Inkstone Animation (demo)"),
        ):
            assert await store.create_account(row, T0)
        await store.add_token(b"A" * 32, "alice", T0, T0 + 86400 * 365 * 10)
        await store.add_token(b"B" * 32, "bob", T0, T0 + 60)
        await store.save_booth("p01", "b1", "Inkstone Animation", "alice",
                               _content("Inkstone Animation", "Hand-drawn"), T0 + 1)
        await store.save_booth("p01", "b2", "Lattice Design", "bob", _content("Lattice", "Design"), T0 + 2)
        await store.save_booth("p02", "b1", "Ghost Co", "", _content("Ghost Co", "No account"), T0 + 3)
        await store.save_booth("p02", "b2", "Inkstone Animation", "ghost", _content("Ghost", "Gone"), T0 + 4)
        await store.save_booth("p02", "b3", "Inkstone Animation", "alice", "{not json", T0 + 5, demo=True)
        await store.save_booth("p03", "b1", "", "", _content("", ""), T0 + 6)
        await store.save_booth("p03", "b2", "Inkstone Animation (demo)", "demo-inkstone",
                               _content("Inkstone Animation (demo)", "Demo booth"), T0 + 7, demo=True)
        for park, booth, user, dt in (("p01", "b1", "vic", 10), ("p01", "b1", "bob", 11),
                                      ("p01", "b2", "vic", 12), ("p01", "b1", "guest:7", 13)):
            assert await store.add_like(park, booth, user, T0 + dt)
        card = {"name": "Vic", "company": "Vic & Co", "email": "vic@example.com", "phone": "1",
                "message": "first"}
        await store.add_card("p01", "b1", "vic", card, True, T0 + 20)
        await store.add_card("p01", "b1", "vic", {**card, "message": "second"}, True, T0 + 21)
        await store.add_card("p01", "b1", "root", {**card, "name": "Root", "message": "hi"}, True, T0 + 22)
        await store.add_card("p01", "b2", "vic", {**card, "message": "to bob"}, True, T0 + 23)
        store.post_visit("p01", "b1", "vic", "Vic", T0 + 30, T0 + 90)
        store.post_visit("p01", "b1", "bob", "Bob", T0 + 40, T0 + 50)
        store.post_visit("p01", "b1", "vic", "Vic", T0 + 100, T0 + 130)
        store.post_chat("p01", "park", "", "vic", "Vic", "hello park", T0 + 31)
        store.post_chat("p01", "booth", "b1", "alice", "Alice", "welcome to our booth", T0 + 32)
        store.post_position("vic", "p01", 1.5, -2.25, 90.0, T0 + 131)
        store.post_position("alice", "p02", 10.0, 20.0, 0.0, T0 + 132)
        await store.flush()
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(make(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "legacy-v1.sqlite3"))
