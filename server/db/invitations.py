"""Invitation codes (an enterprise admin invites employees) and one-time password-reset links.

Both store only the SHA-256 of what they hand out. Using one is one conditional
``UPDATE ... WHERE used_at IS NULL AND expires > now``: of two people redeeming the
same code at once exactly one gets a row back (on PostgreSQL the second waits for the
first's row lock, then sees it used; on SQLite the writer and the file lock serialize
them), and the membership (or the new password) is written in that same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.accounts import NewAccount
from server.db.database import Database
from server.db.dialect import insert
from server.db.organizations import check_role, put_member
from server.db.tables import accounts, invitations, memberships, password_resets, tokens

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
CODE_LENGTH = 12  # 60 bits
RESET_TTL_S = 24 * 3600.0


def digest(secret: str) -> bytes:
    """What is stored for a code or link token."""
    return hashlib.sha256(secret.strip().upper().encode("utf-8")).digest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True, slots=True)
class Invitation:
    id: int
    org_id: int
    role: str
    created_by: str
    created: float
    expires: float
    used_by: str | None
    used_at: float | None


Refusal = Literal["unknown", "used", "expired", "already"]
RANK = {"member": 0, "admin": 1, "owner": 2}  # a code only ever raises its redeemer's role


class _Taken(Exception):
    """The new account's user name exists: roll the whole redemption back."""


@dataclass(frozen=True, slots=True)
class Redeemed:
    """A redeemed code: ``user`` now has ``role`` in ``org_id``."""

    org_id: int
    role: str


class InvitationRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, org_id: int, role: str, *, created_by: str, now: float, ttl: float) -> str:
        """A new code for ``role`` in ``org_id``, valid ``ttl`` seconds and once. The code
        is returned here only: the database keeps its hash."""
        check_role(role)
        if ttl <= 0:
            raise ValueError("an invitation needs a positive lifetime (ttl)")
        code = new_code()

        async def run(conn: AsyncConnection) -> None:
            await conn.execute(invitations.insert().values(
                code_hash=digest(code), org_id=org_id, role=role, created_by=created_by, created=now,
                expires=now + ttl))
        await self.db.commit(run)
        return code

    async def redeem(self, code: str, user: str, *, now: float) -> Redeemed | Refusal:
        """Use the code for ``user``: the membership is written in the same transaction.
        Otherwise why not: ``"unknown"``, ``"used"``, ``"expired"``, or ``"already"``
        (``user`` has that role or a higher one in the organization: the code stays
        unused; a code never demotes, so it cannot take an enterprise's last owner)."""
        h = digest(code)

        async def run(conn: AsyncConnection) -> Redeemed | Refusal:
            offered = (await conn.execute(select(invitations.c.org_id, invitations.c.role).where(
                invitations.c.code_hash == h, invitations.c.used_at.is_(None), invitations.c.expires > now))).first()
            if offered is not None:
                held = (await conn.execute(select(memberships.c.role).where(
                    memberships.c.org_id == offered.org_id, memberships.c.user == user))).scalar()
                if held is not None and RANK.get(str(held), 0) >= RANK.get(offered.role, 0):
                    return "already"
            won = (await conn.execute(
                update(invitations).where(invitations.c.code_hash == h, invitations.c.used_at.is_(None),
                                          invitations.c.expires > now)
                .values(used_by=user, used_at=now).returning(invitations.c.org_id, invitations.c.role))).first()
            if won is not None:
                await put_member(conn, int(won.org_id), user, won.role, now)
                return Redeemed(int(won.org_id), won.role)
            found = (await conn.execute(select(invitations.c.used_at).where(invitations.c.code_hash == h))).first()
            if found is None:
                return "unknown"
            return "used" if found.used_at is not None else "expired"
        return await self.db.commit(run)

    async def redeem_new(self, code: str, new: NewAccount, *, now: float) -> Redeemed | Refusal | Literal["taken"]:
        """A new account that joins with the code, in one transaction: the account, the
        code used and the membership are all written, or none (``"taken"``: the user name
        is someone else's; the code stays unused)."""
        h = digest(code)

        async def run(conn: AsyncConnection) -> Redeemed | Refusal | Literal["taken"]:
            won = (await conn.execute(
                update(invitations).where(invitations.c.code_hash == h, invitations.c.used_at.is_(None),
                                          invitations.c.expires > now)
                .values(used_by=new.user, used_at=now).returning(invitations.c.org_id, invitations.c.role))).first()
            if won is None:
                found = (await conn.execute(select(invitations.c.used_at).where(invitations.c.code_hash == h))).first()
                if found is None:
                    return "unknown"
                return "used" if found.used_at is not None else "expired"
            made = (await conn.execute(insert(conn, accounts).values(
                user=new.user, name=new.name, role=new.role, company="", color=new.color, kdf=new.kdf,
                salt=new.salt, hash=new.hash, created=new.created)
                .on_conflict_do_nothing(index_elements=["user"]).returning(accounts.c.user))).first()
            if made is None:
                raise _Taken
            await put_member(conn, int(won.org_id), new.user, won.role, now)
            return Redeemed(int(won.org_id), won.role)
        try:
            return await self.db.commit(run)
        except _Taken:
            return "taken"

    async def of_org(self, org_id: int) -> list[Invitation]:
        """The organization's invitations, newest first (codes are not kept: only their fate)."""
        rows = await self.db.rows(select(invitations).where(invitations.c.org_id == org_id)
                                  .order_by(invitations.c.id.desc()))
        return [Invitation(int(r.id), int(r.org_id), r.role, r.created_by, float(r.created), float(r.expires),
                           r.used_by, None if r.used_at is None else float(r.used_at)) for r in rows]

    async def revoke(self, invitation_id: int, org_id: int) -> bool:
        """Delete an unused invitation of ``org_id`` (False: none such)."""
        async def run(conn: AsyncConnection) -> bool:
            result = await conn.execute(delete(invitations).where(
                invitations.c.id == invitation_id, invitations.c.org_id == org_id, invitations.c.used_at.is_(None)))
            return result.rowcount == 1
        return await self.db.commit(run)


@dataclass(frozen=True, slots=True)
class NewPassword:
    kdf: str
    salt: bytes
    hash: bytes


class PasswordResetRepo:
    """One-time links an organization admin or the platform admin issues (there is no
    mail server): the admin hands the link over; using it sets a new password and signs
    the account out everywhere, in one transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def issue(self, user: str, *, issued_by: str, now: float, ttl: float = RESET_TTL_S) -> str:
        """The link's token (returned here only). Earlier unused links of ``user`` stop working."""
        token = secrets.token_urlsafe(24)

        async def run(conn: AsyncConnection) -> None:
            await conn.execute(delete(password_resets).where(password_resets.c.user == user,
                                                             password_resets.c.used_at.is_(None)))
            await conn.execute(password_resets.insert().values(
                hash=digest(token), user=user, issued_by=issued_by, created=now, expires=now + ttl))
        await self.db.commit(run)
        return token

    async def consume(self, token: str, new: NewPassword, *, now: float) -> str | None:
        """Set the new password of the link's account and revoke all its login tokens;
        the account's user name, or None when the link is unknown, used or expired."""
        h = digest(token)

        async def run(conn: AsyncConnection) -> str | None:
            won = (await conn.execute(
                update(password_resets).where(password_resets.c.hash == h, password_resets.c.used_at.is_(None),
                                              password_resets.c.expires > now)
                .values(used_at=now).returning(password_resets.c.user))).first()
            if won is None:
                return None
            user = str(won.user)
            await conn.execute(update(accounts).where(accounts.c.user == user).values(
                kdf=new.kdf, salt=new.salt, hash=new.hash))
            await conn.execute(delete(tokens).where(tokens.c.user == user))
            return user
        return await self.db.commit(run)
