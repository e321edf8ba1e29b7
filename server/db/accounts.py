"""Accounts (the stored login record of a person) and their login tokens.

Creating an account also creates what it stands for, in the same transaction: an
enterprise account owns a new enterprise organization named by its company (never
an existing one of the same name), and the parks listed for park staff make them
``staff`` of each park's organization.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.dialect import insert
from server.db.organizations import insert_organization, park_organization, put_member, same_name
from server.db.tables import accounts, memberships, organizations, tokens

CHUNK = 1000  # rows per multi-row INSERT in create_many


@dataclass(frozen=True, slots=True)
class NewAccount:
    user: str
    name: str
    role: str  # a platform role (world.protocol.constants.Role)
    kdf: str  # e.g. "scrypt:16384:8:1"
    salt: bytes = field(repr=False)
    hash: bytes = field(repr=False)
    created: float
    company: str = ""  # as typed; an enterprise account's new organization is named by it
    color: int = 0x3D7EAA
    parks: tuple[str, ...] = ()  # park ids this account is staff of


@dataclass(frozen=True, slots=True)
class Account:
    user: str
    name: str
    role: str
    company: str  # as typed at registration: shown, never used to decide anything
    color: int
    kdf: str
    salt: bytes = field(repr=False)
    hash: bytes = field(repr=False)
    created: float
    lang: str = ""  # the interface language chosen (world.i18n.LANGS); "" = follow the browser/client locale


def _account(row: Row[Any]) -> Account:
    return Account(row.user, row.name, row.role, row.company, int(row.color), row.kdf, bytes(row.salt),
                   bytes(row.hash), float(row.created), str(row.lang or ""))


class CompanyTaken(ValueError):
    """An enterprise of that name (compared by ``name_key``) is already registered."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"an organization named {name!r} is already registered")


class AccountRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, new: NewAccount) -> bool:
        """False (and nothing written) when the user name is taken."""
        async def run(conn: AsyncConnection) -> bool:
            stmt = insert(conn, accounts).values(
                user=new.user, name=new.name, role=new.role, company=new.company, color=new.color,
                kdf=new.kdf, salt=new.salt, hash=new.hash, created=new.created)
            done = await conn.execute(stmt.on_conflict_do_nothing(index_elements=["user"])
                                      .returning(accounts.c.user))
            if done.first() is None:
                return False
            if new.role == "enterprise":
                company = new.company.strip() or new.name
                taken = await conn.execute(select(organizations.c.id).where(same_name(company)).limit(1))
                if taken.first() is not None:  # checked in the same write: two racing registrations
                    raise CompanyTaken(company)  # cannot both found it (this write rolls back whole)
                org = await insert_organization(conn, "enterprise", company, "", new.created, False)
                await put_member(conn, org, new.user, "owner", new.created)
            for park_id in sorted(set(new.parks)):
                await put_member(conn, await park_organization(conn, park_id, new.created), new.user,
                                 "staff", new.created)
            return True
        return await self.db.commit(run)

    async def create_many(self, news: Sequence[NewAccount], *, roles: Sequence[tuple[int, str, str]] = (),
                          demo: bool = False) -> int:
        """Many accounts in one transaction (imports, demo data), with memberships
        ``roles`` as (org_id, user, role). Unlike ``create`` no organization is made for
        them; user names taken already are skipped (their memberships still written,
        existing ones left as they are). How many accounts were new."""
        async def run(conn: AsyncConnection) -> int:
            added = 0
            for i in range(0, len(news), CHUNK):
                chunk = news[i:i + CHUNK]
                taken = set((await conn.execute(select(accounts.c.user).where(
                    accounts.c.user.in_([n.user for n in chunk])))).scalars())
                rows = [{"user": n.user, "name": n.name, "role": n.role, "company": n.company, "color": n.color,
                         "kdf": n.kdf, "salt": n.salt, "hash": n.hash, "created": n.created, "demo": int(demo)}
                        for n in chunk if n.user not in taken]
                if rows:
                    await conn.execute(accounts.insert(), rows)
                added += len(rows)
            stmt = insert(conn, memberships).on_conflict_do_nothing(index_elements=["org_id", "user"])
            for i in range(0, len(roles), CHUNK):
                await conn.execute(stmt, [{"org_id": o, "user": u, "role": r, "created": news[0].created}
                                          for o, u, r in roles[i:i + CHUNK]])
            return added
        if not news and not roles:
            return 0
        return await self.db.commit(run)

    async def get(self, user: str) -> Account | None:
        row = await self.db.row(select(accounts).where(accounts.c.user == user))
        return None if row is None else _account(row)

    async def set_lang(self, user: str, lang: str) -> bool:
        """Store the language ``user`` chose ("" forgets the choice); False when there is no
        such account. The caller checks ``lang`` against ``world.i18n.LANGS``."""
        async def run(conn: AsyncConnection) -> bool:
            done = await conn.execute(update(accounts).where(accounts.c.user == user).values(lang=lang))
            return bool(done.rowcount)
        return await self.db.commit(run)

    async def with_role(self, role: str, limit: int = 200) -> list[Account]:
        """Accounts of one platform role, by user name (the first ``limit``)."""
        rows = await self.db.rows(select(accounts).where(accounts.c.role == role).order_by(accounts.c.user).limit(limit))
        return [_account(r) for r in rows]

    async def set_role(self, user: str, role: str) -> bool:
        """Change the platform role (False: no such account). The caller checks ``role``."""
        async def run(conn: AsyncConnection) -> bool:
            return bool((await conn.execute(update(accounts).where(accounts.c.user == user)
                                            .values(role=role))).rowcount)
        return await self.db.commit(run)

    async def rename(self, user: str, name: str) -> bool:
        """Set the display name (False: no such account)."""
        async def run(conn: AsyncConnection) -> bool:
            return bool((await conn.execute(update(accounts).where(accounts.c.user == user)
                                            .values(name=name))).rowcount)
        return await self.db.commit(run)

    async def set_password(self, user: str, kdf: str, salt: bytes, digest: bytes, *, keep: bytes | None) -> int:
        """A new password; every login token of ``user`` but ``keep`` (the session that
        changed it) is revoked in the same write. How many tokens went."""
        async def run(conn: AsyncConnection) -> int:
            await conn.execute(update(accounts).where(accounts.c.user == user).values(kdf=kdf, salt=salt, hash=digest))
            gone = delete(tokens).where(tokens.c.user == user)
            if keep is not None:
                gone = gone.where(tokens.c.hash != keep)
            return int((await conn.execute(gone)).rowcount)
        return await self.db.commit(run)

    # --- login tokens (stored as their SHA-256 only) ------------------------------

    async def add_token(self, token_hash: bytes, user: str, now: float, expires: float) -> None:
        """Store a token; tokens past their time are deleted on the way."""
        async def run(conn: AsyncConnection) -> None:
            await conn.execute(delete(tokens).where(tokens.c.expires < now))
            await conn.execute(tokens.insert().values(hash=token_hash, user=user, created=now, expires=expires))
        await self.db.commit(run)

    async def token_user(self, token_hash: bytes, now: float) -> str | None:
        row = await self.db.row(select(tokens.c.user).where(tokens.c.hash == token_hash, tokens.c.expires > now))
        return None if row is None else str(row.user)

    async def revoke_token(self, token_hash: bytes) -> bool:
        async def run(conn: AsyncConnection) -> bool:
            return (await conn.execute(delete(tokens).where(tokens.c.hash == token_hash))).rowcount == 1
        return await self.db.commit(run)

    async def revoke_all(self, user: str) -> int:
        """Log ``user`` out everywhere; how many tokens went."""
        async def run(conn: AsyncConnection) -> int:
            return int((await conn.execute(delete(tokens).where(tokens.c.user == user))).rowcount)
        return await self.db.commit(run)
