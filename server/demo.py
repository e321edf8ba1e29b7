"""``cloudpark demo seed``: demo enterprises owning booths with content in several parks.

Every demo name carries "(demo)" so nobody mistakes it for a real enterprise. The
booths go into the first booth slots of the first parks whose scenes exist (the
slot ids come from the scenes' layouts). Seeding twice changes nothing new.
"""

from __future__ import annotations

import msgspec

from server.accounts import AccountError, Accounts
from server.config import ServerConfig
from server.store import Store
from world.glb import layout_from_glb
from world.protocol.messages import BoothContent, Link, Product

DEMO_ENTERPRISES = (
    ("demo-inkstone", "Inkstone Animation (demo)", "Hand-drawn animation studio", 0xC0392B),
    ("demo-lattice", "Lattice Design Lab (demo)", "Industrial and exhibition design", 0x2471A3),
    ("demo-bellows", "Bellows Music Works (demo)", "Live music and sound for film", 0x1E8449),
)
DEMO_PASSWORD = "demo-password"  # printed on purpose: demo data only
BOOTHS_PER_ENTERPRISE = 2


def demo_content(company: str, tagline: str, park_id: str) -> BoothContent:
    return BoothContent(
        name=company, tagline=tagline,
        description=f"Demo booth of {company} in {park_id}. This is sample data for trying Cloud Park.",
        links=(Link(label="Website (demo)", url="https://example.com/"),),
        products=(Product(name="Sample showreel (demo)", description="A placeholder product", price="free"),),
    )


async def seed(cfg: ServerConfig, now: float = 0.0) -> list[tuple[str, str, str, list[str]]]:
    import time

    now = now or time.time()
    slots: list[tuple[str, str]] = []
    for scene in sorted(cfg.scenes_dir.glob("*.glb")):
        try:
            layout = layout_from_glb(scene.read_bytes())
        except ValueError:
            continue
        slots.extend((layout.park_id, b.id) for b in layout.booths[:BOOTHS_PER_ENTERPRISE])
    store = await Store(cfg.db_path).open()
    accounts = Accounts(store, scrypt_n=cfg.scrypt_n)
    logins = []
    try:
        for i, (user, company, tagline, color) in enumerate(DEMO_ENTERPRISES):
            try:
                await accounts.create(user, DEMO_PASSWORD, company, "enterprise", company, color, now=now)
            except AccountError as exc:
                if exc.code != "conflict":
                    raise
            mine = slots[i::len(DEMO_ENTERPRISES)][:BOOTHS_PER_ENTERPRISE * 2]
            for park_id, booth_id in mine:
                content = msgspec.json.encode(demo_content(company, tagline, park_id)).decode()
                await store.save_booth(park_id, booth_id, company, user, content, now, demo=True)
            logins.append((user, DEMO_PASSWORD, company, [f"{p}/{b}" for p, b in mine]))
    finally:
        await store.close()
    return logins
