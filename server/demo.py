"""``cloudpark demo seed``: demo enterprises owning booths with content in several parks.

Every demo name carries "(demo)" so nobody mistakes it for a real enterprise. Each
demo enterprise is an organization (marked demo) owned by its demo account. The
booths go into the first booth slots of the first parks whose scenes exist (the slot
ids come from the scenes' layouts). Seeding twice changes nothing new.
"""

from __future__ import annotations

from server.accounts import AccountError, Accounts
from server.booths import assign
from server.bus_link import LinkBus
from server.config import ServerConfig
from server.db import Store
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


async def _demo_org(store: Store, accounts: Accounts, user: str, company: str, color: int, now: float) -> int:
    if await store.accounts.get(user) is None:
        try:
            await accounts.create(user, DEMO_PASSWORD, company, "enterprise", color, company=company, now=now)
        except AccountError as exc:
            raise RuntimeError(f"demo account {user}: {exc}") from exc
    for m in await store.orgs.memberships(user):
        if m.kind == "enterprise" and m.role == "owner":
            return m.org_id
    raise RuntimeError(f"demo account {user} owns no enterprise (was it changed by hand?)")


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
    store = await Store.open(cfg.database_url)
    accounts = Accounts(store, scrypt_n=cfg.scrypt_n)
    bus = LinkBus(cfg.bus_socket)  # a running server hears of each booth at once (or catches up)
    await bus.connect_once(timeout=0.5)
    logins = []
    try:
        for i, (user, company, tagline, color) in enumerate(DEMO_ENTERPRISES):
            org_id = await _demo_org(store, accounts, user, company, color, now)
            mine = slots[i::len(DEMO_ENTERPRISES)][:BOOTHS_PER_ENTERPRISE * 2]
            for park_id, booth_id in mine:
                await assign(store, bus, park_id, booth_id, org_id, now, demo=True,
                             content=demo_content(company, tagline, park_id))
            logins.append((user, DEMO_PASSWORD, company, [f"{p}/{b}" for p, b in mine]))
    finally:
        await bus.close()
        await store.close()
    return logins
