"""A park office's writes on its own park: tenants admitted and removed, a tenant
spreadsheet imported, staff added and removed.

A tenant is an organization whose profile names the park (``org_profiles.park_id``;
``organizations.park_id`` belongs to the park organizations alone). Admitting one
confirms its ``park_id`` fact in the park's name (the park is where tenancy is
recorded); removing it drops that confirmation with the park. An enterprise is a
tenant of one park at a time: another park's tenant is never taken over.

``import_tenants`` plans and writes a whole sheet in one write: the credit codes are
looked up, ``world.tenants.plan_import`` decides, and either every new enterprise is
created and every registered one admitted, or (any problem) nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.organizations import Member, park_organization, put_member
from server.db.profiles import CHUNK, insert_profiles
from server.db.tables import accounts, memberships, org_profiles, organizations
from world.profiles import Verification
from world.tenants import ImportPlan, Registered, TenantRow, plan_import

Admitted = Literal["admitted", "here", "elsewhere", "no_profile"]
StaffAdded = Literal["added", "already", "no_account"]
StaffRemoved = Literal["removed", "not_staff", "last"]


@dataclass(frozen=True, slots=True)
class Admission:
    outcome: Admitted
    park_id: str = ""  # for "elsewhere": the park it is a tenant of


@dataclass(frozen=True, slots=True)
class Imported:
    plan: ImportPlan
    created: tuple[int, ...]  # the new organizations' ids (empty when the plan has problems)

    @property
    def written(self) -> bool:
        return not self.plan.problems


def _verified_with(text: str, fact: str, v: Verification | None) -> str:
    found = json.loads(text or "{}")
    if v is None:
        found.pop(fact, None)
    else:
        found[fact] = {"by": v.by, "org_id": v.org_id, "at": v.at}
    return json.dumps(dict(sorted(found.items())), ensure_ascii=False, separators=(",", ":"))


async def registered(conn: AsyncConnection, codes: Sequence[str]) -> dict[str, Registered]:
    found: dict[str, Registered] = {}
    for i in range(0, len(codes), CHUNK):
        rows = await conn.execute(select(org_profiles.c.credit_code, org_profiles.c.org_id, org_profiles.c.park_id)
                                  .where(org_profiles.c.credit_code.in_(list(codes[i:i + CHUNK]))))
        found.update({r.credit_code: Registered(int(r.org_id), r.park_id) for r in rows})
    return found


async def _admit(conn: AsyncConnection, org_id: int, park_id: str, v: Verification) -> Admission:
    row = (await conn.execute(select(org_profiles.c.park_id, org_profiles.c.verified)
                              .where(org_profiles.c.org_id == org_id))).first()
    if row is None:
        return Admission("no_profile")
    if row.park_id == park_id:
        return Admission("here")
    if row.park_id:
        return Admission("elsewhere", row.park_id)
    done = await conn.execute(update(org_profiles).where(org_profiles.c.org_id == org_id,
                                                         org_profiles.c.park_id == "")
                              .values(park_id=park_id, verified=_verified_with(row.verified, "park_id", v),
                                      updated=v.at))
    return Admission("admitted" if done.rowcount == 1 else "elsewhere")


class ImportChanged(Exception):
    """The database changed under the import (an admitted enterprise moved meanwhile):
    the whole import was rolled back."""


class ParkOfficeRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def office(self, park_id: str, now: float) -> int:
        """The id of the organization that runs the park (made, named by the id, if none
        does yet): who confirms its tenants' facts."""
        found = await self.db.row(select(organizations.c.id).where(
            organizations.c.kind == "park", organizations.c.park_id == park_id))
        if found is not None:
            return int(found.id)
        return await self.db.commit(lambda conn: park_organization(conn, park_id, now))

    # --- tenants --------------------------------------------------------------------

    async def admit(self, org_id: int, park_id: str, verification: Verification) -> Admission:
        """Make ``org_id`` a tenant of ``park_id`` (its ``park_id`` fact confirmed by
        ``verification``). Nothing changes unless the outcome is "admitted"."""
        return await self.db.commit(lambda conn: _admit(conn, org_id, park_id, verification))

    async def remove(self, org_id: int, park_id: str, now: float) -> bool:
        """``org_id`` is no longer a tenant of ``park_id`` (its profile stays); False
        when it was not one."""
        async def run(conn: AsyncConnection) -> bool:
            row = (await conn.execute(select(org_profiles.c.verified).where(
                org_profiles.c.org_id == org_id, org_profiles.c.park_id == park_id))).first()
            if row is None:
                return False
            await conn.execute(update(org_profiles).where(org_profiles.c.org_id == org_id).values(
                park_id="", verified=_verified_with(row.verified, "park_id", None), updated=now))
            return True
        return await self.db.commit(run)

    async def tenant_of(self, org_id: int) -> str | None:
        """The park ``org_id`` is a tenant of ("" none; None: it has no profile)."""
        row = await self.db.row(select(org_profiles.c.park_id).where(org_profiles.c.org_id == org_id))
        return None if row is None else str(row.park_id)

    async def registered(self, codes: Sequence[str]) -> dict[str, Registered]:
        """The enterprises registered under ``codes`` (for a report; ``import_tenants`` looks again)."""
        return await self.db.read(lambda conn: registered(conn, codes))

    async def import_tenants(self, park_id: str, rows: Sequence[TenantRow], verification: Verification, *,
                             now: float) -> Imported:
        """Plan ``rows`` against the database and, when the plan has no problems, write
        it whole in one transaction: the new enterprises (organizations without
        members, with their profiles) and the admissions. With problems nothing is
        written. ``IntegrityError``: a credit code was registered by another process
        meanwhile (nothing written); ``ImportChanged``: an admitted one moved."""
        async def run(conn: AsyncConnection) -> Imported:
            codes = [r.profile.credit_code or "" for r in rows]
            plan = plan_import(rows, await registered(conn, codes), park_id)
            if plan.problems:
                return Imported(plan, ())
            ids = await insert_profiles(conn, [r.profile for r in plan.create], now, False)
            confirmed = _verified_with("{}", "park_id", verification)
            stmt = (update(org_profiles).where(org_profiles.c.org_id == bindparam("oid"))
                    .values(verified=bindparam("v")))
            for i in range(0, len(ids), CHUNK):
                await conn.execute(stmt, [{"oid": o, "v": confirmed} for o in ids[i:i + CHUNK]])
            for _row, org_id in plan.admit:
                if (await _admit(conn, org_id, park_id, verification)).outcome != "admitted":
                    raise ImportChanged(f"organization {org_id} changed park while the sheet was imported")
            return Imported(plan, tuple(ids))
        return await self.db.commit(run)

    # --- staff ----------------------------------------------------------------------

    async def staff(self, park_id: str) -> list[Member]:
        rows = await self.db.rows(
            select(memberships.c.org_id, memberships.c.user, memberships.c.role, memberships.c.created)
            .join(organizations, organizations.c.id == memberships.c.org_id)
            .where(organizations.c.kind == "park", organizations.c.park_id == park_id,
                   memberships.c.role == "staff").order_by(memberships.c.user))
        return [Member(int(r.org_id), r.user, r.role, float(r.created)) for r in rows]

    async def add_staff(self, park_id: str, user: str, now: float) -> StaffAdded:
        """``user`` becomes staff of the park (its organization is made if none runs it yet)."""
        async def run(conn: AsyncConnection) -> StaffAdded:
            if (await conn.execute(select(accounts.c.user).where(accounts.c.user == user))).first() is None:
                return "no_account"
            org = await park_organization(conn, park_id, now)
            had = (await conn.execute(select(memberships.c.role).where(
                memberships.c.org_id == org, memberships.c.user == user))).first()
            if had is not None and had.role == "staff":
                return "already"
            await put_member(conn, org, user, "staff", now)
            return "added"
        return await self.db.commit(run)

    async def remove_staff(self, park_id: str, user: str, *, keep_last: bool) -> StaffRemoved:
        """``user`` is no longer staff of the park. With ``keep_last`` the park's last
        staff member stays ("last"), counted in the same transaction."""
        async def run(conn: AsyncConnection) -> StaffRemoved:
            org = (await conn.execute(select(organizations.c.id).where(
                organizations.c.kind == "park", organizations.c.park_id == park_id))).scalar()
            if org is None:
                return "not_staff"
            staff = memberships.c.org_id == org, memberships.c.role == "staff"
            count = int((await conn.execute(select(func.count()).select_from(memberships).where(*staff))).scalar_one())
            mine = (await conn.execute(select(memberships.c.user).where(*staff, memberships.c.user == user))).first()
            if mine is None:
                return "not_staff"
            if keep_last and count <= 1:
                return "last"
            await conn.execute(delete(memberships).where(*staff, memberships.c.user == user))
            return "removed"
        return await self.db.commit(run)

