"""``cloudpark demo seed --zone``: a zone-sized demo data set, every record marked demo.

51 parks (the catalogued ones and placeholders named "Placeholder park NN (demo)"),
50,000 enterprises with profiles, 300 service institutions, 100,000 employee
accounts (the first of each enterprise its owner, the rest members), 1,000 spaces
(the catalogue's venues plus generated ones) and 20,000 policies of demo departments
(server/demo_policies.py; the open ones matched against the enterprises). Records are written in bulk, a few
thousand rows per transaction; nothing is written one row per commit.

All demo accounts share ONE scrypt hash of ``DEMO_PASSWORD``, computed once per run:
100,000 separate hashes would take over an hour, and these are demo logins anyway.

Idempotent: the data set is drawn from a fixed seed; every record has a natural key
(park id, credit code, user name, park and venue id), and a run writes only what is
missing, then says how much that was ("nothing new" on a second run).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from server.accounts import hash_password
from server.db import Store
from server.db.accounts import NewAccount
from server.db.profiles import year_of
from server.db.spaces import Space
from server.demo import DEMO_PASSWORD
from server.demo_policies import seed_policies
from server.demo_zone_data import ZoneSize, enterprise, institution, placeholder_park, venue
from world.catalogue import Catalogue
from world.profiles import Profile

SEED = 20261201
CHUNK = 2500  # rows per transaction
ZONE = ZoneSize()  # the zone as the issue sizes it
POLICY_TZ = ZoneInfo("Asia/Shanghai")  # the demo policies' application windows are Beijing days
Progress = Callable[[str], None]


@dataclass(slots=True)
class Seeded:
    """What one run added (zero everywhere: the zone was seeded already)."""

    parks: int = 0
    enterprises: int = 0
    institutions: int = 0
    accounts: int = 0
    spaces: int = 0
    policies: int = 0
    policy_matches: int = 0
    seconds: float = 0.0

    @property
    def nothing_new(self) -> bool:
        return not (self.parks or self.enterprises or self.institutions or self.accounts or self.spaces
                    or self.policies)


async def _parks(store: Store, catalogue: Catalogue, size: ZoneSize, now: float) -> tuple[tuple[str, ...], int]:
    wanted = [(p.id, p.name_en) for p in catalogue.parks][:size.parks]
    placeholders = max(0, size.parks - len(wanted))
    wanted += [(park_id, name_en) for park_id, _zh, name_en in map(placeholder_park, range(1, placeholders + 1))]
    added = 0
    for park_id, name in wanted:
        if await store.orgs.park(park_id) is None:
            await store.orgs.create("park", name, park_id=park_id, now=now, demo=True)
            added += 1
    return tuple(p for p, _ in wanted), added


async def _profiles(store: Store, make: Callable[[int], Profile], count: int, now: float, what: str,
                    progress: Progress) -> tuple[list[int], int]:
    """Create the first ``count`` profiles ``make(n)`` draws that are not there yet (by
    credit code); the ids of all of them, in order, and how many were new."""
    ids: list[int] = []
    added = 0
    for start in range(0, count, CHUNK):
        batch = [make(n) for n in range(start, min(count, start + CHUNK))]
        codes = [p.credit_code or "" for p in batch]  # demo profiles always have one
        known = await store.profiles.ids_by_credit_code(codes)
        missing = [p for p, c in zip(batch, codes, strict=True) if c not in known]
        new_ids = iter(await store.profiles.create_many(missing, now=now, demo=True) if missing else [])
        ids.extend(known.get(c) or next(new_ids) for c in codes)
        added += len(missing)
        progress(f"{what}: {min(count, start + CHUNK):,}/{count:,}")
    return ids, added


async def _employees(store: Store, enterprise_ids: list[int], count: int, now: float, progress: Progress) -> int:
    kdf, salt, digest = hash_password(DEMO_PASSWORD, 2**14)  # the one shared hash
    added = 0
    for start in range(0, count, CHUNK):
        news, roles = [], []
        for n in range(start, min(count, start + CHUNK)):
            user = f"demo-zone-{n:06d}"
            org = enterprise_ids[n % len(enterprise_ids)]
            owner = n < len(enterprise_ids)
            news.append(NewAccount(user=user, name=f"Employee {n:06d} (demo)",
                                   role="enterprise" if owner else "visitor", kdf=kdf,
                                   salt=salt, hash=digest, created=now, company=""))
            roles.append((org, user, "owner" if owner else "member"))
        added += await store.accounts.create_many(news, roles=roles, demo=True)
        progress(f"employees: {min(count, start + CHUNK):,}/{count:,}")
    return added


def _spaces(catalogue: Catalogue, park_ids: tuple[str, ...], count: int, rng: random.Random) -> list[Space]:
    out = [Space(p.id, v.id, v.name, v.kind, v.capacity, "") for p in catalogue.parks if p.id in park_ids
           for v in p.venues]
    n = 0
    while len(out) < count:
        for park_id in park_ids:
            if len(out) >= count:
                break
            venue_id, name, kind, capacity, building = venue(rng, park_id, n)
            out.append(Space(park_id, venue_id, name, kind, capacity, building, demo=True))
        n += 1
    return out


async def seed_zone(store: Store, catalogue: Catalogue, size: ZoneSize = ZONE, *, now: float,
                    progress: Progress = lambda _line: None) -> Seeded:
    """Seed (or complete) the demo zone in ``store``; what was added."""
    started = time.perf_counter()
    done = Seeded()
    this_year = year_of(now)
    park_ids, done.parks = await _parks(store, catalogue, size, now)
    progress(f"parks: {len(park_ids)} ({done.parks} new)")
    enterprise_ids, done.enterprises = await _profiles(
        store, lambda n: enterprise(random.Random(SEED * 1_000_003 + n), n, park_ids, this_year),
        size.enterprises, now, "enterprises", progress)
    _, done.institutions = await _profiles(
        store, lambda n: institution(random.Random(SEED * 7 + n), n, park_ids), size.institutions, now,
        "institutions", progress)
    done.accounts = await _employees(store, enterprise_ids, size.employees, now, progress)
    done.spaces = await store.spaces.add_many(_spaces(catalogue, park_ids, size.spaces, random.Random(SEED)))
    progress(f"spaces: {size.spaces:,} ({done.spaces} new)")
    done.policies, done.policy_matches, _ = await seed_policies(
        store, park_ids, today=datetime.fromtimestamp(now, POLICY_TZ).date(), now=now, count=size.policies,
        progress=progress)
    progress(f"policies: {size.policies:,} ({done.policies} new, {done.policy_matches:,} matches of open ones)")
    if not done.nothing_new:
        await store.db.analyze()  # fresh statistics, or the planner ignores the search indexes
        progress("planner statistics refreshed (ANALYZE)")
    done.seconds = time.perf_counter() - started
    return done
