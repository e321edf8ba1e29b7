"""Organizations (enterprises, parks, institutions, departments) and who belongs to them.

Ownership is by organization id. Names are for people: two organizations may share
one, and ``named`` returns all of them (case and spacing ignored), so nothing ever
picks an owner by name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.tables import memberships, organizations
from world.membership_rules import Refusal
from world.people import MEMBER_ROLES, ORG_KINDS, Membership


@dataclass(frozen=True, slots=True)
class Organization:
    id: int
    kind: str  # one of world.people.ORG_KINDS
    name: str
    park_id: str  # for kind "park": the park it runs; "" otherwise
    created: float
    demo: bool


@dataclass(frozen=True, slots=True)
class Member:
    """One person's place in an organization, seen from the organization."""

    org_id: int
    user: str
    role: str  # one of world.people.MEMBER_ROLES
    created: float


def same_name(name: str) -> ColumnElement[bool]:
    """Organizations whose name is ``name`` read the way people read it: ``name_key``
    compared with all spaces removed, so "Lab (demo)" and "Lab（demo）" (full-width
    brackets, NFKC "(demo)") are one name. Not indexed: used when a name is claimed."""
    return func.replace(organizations.c.name_key, " ", "") == name_key(name).replace(" ", "")


def name_key(name: str) -> str:
    """What ``named`` compares: NFKC-normalised (full-width brackets and letters are the
    ordinary ones), casefolded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def check_kind(kind: str) -> None:
    if kind not in ORG_KINDS:
        raise ValueError(f"unknown organization kind {kind!r} (known: {', '.join(ORG_KINDS)})")


def check_role(role: str) -> None:
    if role not in MEMBER_ROLES:
        raise ValueError(f"unknown member role {role!r} (known: {', '.join(MEMBER_ROLES)})")


async def insert_organization(conn: AsyncConnection, kind: str, name: str, park_id: str, now: float,
                              demo: bool) -> int:
    stmt = organizations.insert().values(kind=kind, name=name, name_key=name_key(name), park_id=park_id,
                                         created=now, demo=int(demo)).returning(organizations.c.id)
    return int((await conn.execute(stmt)).scalar_one())


async def put_member(conn: AsyncConnection, org_id: int, user: str, role: str, now: float) -> None:
    """Add ``user`` to the organization with ``role``, or change the role they have."""
    stmt = insert(conn, memberships).values(org_id=org_id, user=user, role=role, created=now)
    await conn.execute(stmt.on_conflict_do_update(index_elements=["org_id", "user"],
                                                  set_={"role": stmt.excluded.role}))


async def park_organization(conn: AsyncConnection, park_id: str, now: float) -> int:
    """The id of the organization that runs ``park_id``, created (named by the id) if none does."""
    found = (await conn.execute(select(organizations.c.id).where(
        organizations.c.kind == "park", organizations.c.park_id == park_id))).scalar()
    if found is not None:
        return int(found)
    return await insert_organization(conn, "park", park_id, park_id, now, False)


def _organization(row: Row[Any]) -> Organization:
    return Organization(int(row.id), row.kind, row.name, row.park_id, float(row.created), bool(row.demo))


_COLUMNS = (organizations.c.id, organizations.c.kind, organizations.c.name, organizations.c.park_id,
            organizations.c.created, organizations.c.demo)


class OrganizationRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, kind: str, name: str, *, park_id: str = "", now: float, demo: bool = False) -> int:
        """A new organization's id. Raises ValueError for an unknown kind or an empty
        name, IntegrityError when a park organization for ``park_id`` exists already."""
        check_kind(kind)
        name = name.strip()
        if not name:
            raise ValueError("an organization needs a name")
        if (kind == "park") != bool(park_id):
            raise ValueError("park organizations, and only they, name the park they run (park_id)")

        async def run(conn: AsyncConnection) -> int:
            return await insert_organization(conn, kind, name, park_id, now, demo)
        return await self.db.commit(run)

    async def get(self, org_id: int) -> Organization | None:
        row = await self.db.row(select(*_COLUMNS).where(organizations.c.id == org_id))
        return None if row is None else _organization(row)

    async def park(self, park_id: str) -> Organization | None:
        """The organization that runs ``park_id``."""
        row = await self.db.row(select(*_COLUMNS).where(
            organizations.c.kind == "park", organizations.c.park_id == park_id))
        return None if row is None else _organization(row)

    async def all(self, kind: str | None = None, limit: int = 1000, after: int = 0) -> list[Organization]:
        """Organizations by id (of one ``kind`` if given), ``limit`` at a time after id ``after``."""
        stmt = select(*_COLUMNS).where(organizations.c.id > after)
        if kind is not None:
            stmt = stmt.where(organizations.c.kind == kind)
        rows = await self.db.rows(stmt.order_by(organizations.c.id).limit(limit))
        return [_organization(r) for r in rows]

    async def named(self, name: str) -> list[Organization]:
        """Every organization with this name (case and spacing ignored), oldest first."""
        rows = await self.db.rows(select(*_COLUMNS).where(same_name(name))
                                  .order_by(organizations.c.id))
        return [_organization(r) for r in rows]

    async def add_member(self, org_id: int, user: str, role: str, now: float) -> None:
        """Give ``user`` ``role`` in the organization (idempotent; a second call with
        another role changes the role)."""
        check_role(role)

        async def run(conn: AsyncConnection) -> None:
            await put_member(conn, org_id, user, role, now)
        await self.db.commit(run)

    async def remove_member(self, org_id: int, user: str) -> bool:
        async def run(conn: AsyncConnection) -> bool:
            result = await conn.execute(delete(memberships).where(
                memberships.c.org_id == org_id, memberships.c.user == user))
            return result.rowcount == 1
        return await self.db.commit(run)

    async def memberships(self, user: str) -> list[Membership]:
        rows = await self.db.rows(
            select(memberships.c.org_id, organizations.c.kind, memberships.c.role, organizations.c.name,
                   organizations.c.park_id)
            .join(organizations, organizations.c.id == memberships.c.org_id)
            .where(memberships.c.user == user).order_by(memberships.c.org_id))
        return [Membership(org_id=int(r.org_id), kind=r.kind, role=r.role, org_name=r.name, park_id=r.park_id)
                for r in rows]

    async def members(self, org_id: int) -> list[Member]:
        rows = await self.db.rows(
            select(memberships.c.org_id, memberships.c.user, memberships.c.role, memberships.c.created)
            .where(memberships.c.org_id == org_id).order_by(memberships.c.user))
        return [Member(int(r.org_id), r.user, r.role, float(r.created)) for r in rows]

    async def change_member(self, org_id: int, user: str, role: str | None,
                            allowed: Callable[[str, int], str | None]) -> str | None:
        """Give ``user`` ``role`` in the organization, or remove them (``role`` None), in one
        transaction that first locks the organization's owner rows: ``allowed(current role,
        owners now)`` (a ``world.membership_rules`` check) sees the counts the write will
        change, so two owners demoting each other at once cannot leave none. The problem
        in words, "user: not a member" when there is no such membership, or None when done."""
        if role is not None:
            check_role(role)

        async def run(conn: AsyncConnection) -> str | None:
            owners = (await conn.execute(select(memberships.c.user).where(
                memberships.c.org_id == org_id, memberships.c.role == "owner").with_for_update())).scalars().all()
            current = (await conn.execute(select(memberships.c.role).where(
                memberships.c.org_id == org_id, memberships.c.user == user))).scalar()
            if current is None:
                return Refusal("user", "not a member of this organization", "not_member")
            problem = allowed(str(current), len(owners))
            if problem is not None:
                return problem
            if role is None:
                await conn.execute(delete(memberships).where(memberships.c.org_id == org_id,
                                                             memberships.c.user == user))
            else:
                await conn.execute(update(memberships).where(memberships.c.org_id == org_id,
                                                             memberships.c.user == user).values(role=role))
            return None
        return await self.db.commit(run)
