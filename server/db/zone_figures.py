"""The zone's figures for the government console, each one aggregate query.

At zone scale (50,000 enterprises) every figure is read from an index or one pass
over a narrow table: profiles per park from the covering ``org_profiles_park``
(institutions, found through ``org_terms_lookup``, subtracted: a filter on the wide
profile rows' ``kind`` cost 200-600 ms), industry divisions and service kinds as
ranges of ``org_terms_lookup`` (kind, term, org_id), the demo count in one pass over
``organizations``, booths with an owner over ``booths``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.tables import booths, org_profiles, org_terms, organizations


@dataclass(frozen=True, slots=True)
class ZoneCounts:
    enterprises_by_park: dict[str, int]  # park id ("" = outside the zone's parks) -> enterprises
    enterprises_by_division: dict[str, int]  # GB/T 4754 division (2 digits, or a section letter) -> enterprises
    institutions_by_service: dict[str, int]  # world.profiles.SERVICE_KINDS -> institutions
    institutions: int
    organizations: int  # every organization (parks and departments too)
    demo_organizations: int  # of them, made by ``cloudpark demo seed``
    booths: int  # booth records
    booths_occupied: int  # booths an enterprise holds


def _division_range(division: str) -> tuple[str, str]:
    """Codes of a division sort from the division itself to just before division + "A"
    (digits sort before letters), so one index range holds them."""
    return division, division + "A"


async def zone_counts(conn: AsyncConnection) -> ZoneCounts:
    # profiles per park from the covering park index, minus the institutions (few: every
    # institution names a service kind, so org_terms finds them through its index)
    all_by_park = {str(r[0]): int(r[1]) for r in await conn.execute(
        select(org_profiles.c.park_id, func.count()).group_by(org_profiles.c.park_id))}
    institution_ids = select(org_terms.c.org_id).where(org_terms.c.kind == "service")
    institutions_by_park = {str(r[0]): int(r[1]) for r in await conn.execute(
        select(org_profiles.c.park_id, func.count()).where(org_profiles.c.org_id.in_(institution_ids))
        .group_by(org_profiles.c.park_id))}
    by_park = {p: n - institutions_by_park.get(p, 0) for p, n in all_by_park.items()}
    by_park = {p: n for p, n in by_park.items() if n}
    # the divisions present (a covering range of org_terms_lookup), then each division's
    # distinct enterprises (one with two codes of a division counts once in it)
    codes = (await conn.execute(select(org_terms.c.term).where(org_terms.c.kind == "industry")
                                .group_by(org_terms.c.term))).scalars().all()
    by_division: dict[str, int] = {}
    for division in sorted({str(c)[:2] for c in codes}):
        low, high = _division_range(division)
        by_division[division] = int((await conn.execute(select(func.count(org_terms.c.org_id.distinct())).where(
            org_terms.c.kind == "industry", org_terms.c.term >= low, org_terms.c.term < high))).scalar_one())
    by_service = {str(r[0]): int(r[1]) for r in await conn.execute(
        select(org_terms.c.term, func.count()).where(org_terms.c.kind == "service").group_by(org_terms.c.term))}
    orgs, demo = (await conn.execute(select(func.count(), func.coalesce(func.sum(organizations.c.demo), 0)))).one()
    total, occupied = (await conn.execute(select(func.count(), func.count(booths.c.owner_org)))).one()
    return ZoneCounts(by_park, by_division, by_service, sum(institutions_by_park.values()), int(orgs), int(demo),
                      int(total), int(occupied))


class ZoneFigureRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def counts(self) -> ZoneCounts:
        """Every figure from one snapshot."""
        return await self.db.read(zone_counts)
