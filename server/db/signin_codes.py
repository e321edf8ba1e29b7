"""One-time sign-in codes: how a person signed in on the web enters the 3D clients.

Two kinds share the ``signin_codes`` table (SHA-256 of the code only, never the code):
- the **desktop code**: 8 characters of an unambiguous alphabet shown grouped as
  ``K7QP-M2XD`` in the console, valid 10 minutes, typed into the desktop client
  (which cannot read browser cookies);
- the **browser ticket**: 32 characters (160 bits), valid 60 seconds, fetched by the
  browser 3D page with the session cookie (``POST /api/game-ticket``) and sent in the
  websocket sign-in; the cookie's own login token never leaves its HttpOnly cookie.

Redeeming is one conditional ``UPDATE ... WHERE used_at IS NULL AND expires > now``:
of two clients redeeming the same code at once exactly one gets the row back (on
PostgreSQL the second waits for the first's row lock, then sees it used; on SQLite
the single writer and the file lock serialize them). Codes are compared without
case, spaces or dashes, so ``k7qp m2xd`` is ``K7QP-M2XD``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.db.database import Database
from server.db.tables import signin_codes

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read and typed
CODE_CHARS = 8  # 40 bits, for 10 minutes, with attempts rate-limited per address
CODE_TTL_S = 600.0
TICKET_CHARS = 32  # 160 bits, for 60 seconds
TICKET_TTL_S = 60.0
KEEP_USED_S = 86400.0  # used and expired rows of a person are pruned a day later

Refusal = Literal["unknown", "used", "expired"]


def normalize(code: str) -> str:
    """What is compared: upper case, without spaces and dashes."""
    return "".join(c for c in code.upper() if c not in " -\t")


def digest(code: str) -> bytes:
    return hashlib.sha256(normalize(code).encode("utf-8")).digest()


def grouped(code: str) -> str:
    """``K7QPM2XD`` -> ``K7QP-M2XD`` (how a desktop code is shown)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _random(chars: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(chars))


@dataclass(frozen=True, slots=True)
class Redeemed:
    user: str  # the account the code signs in


@dataclass(frozen=True, slots=True)
class Issued:
    code: str  # as shown: grouped for a desktop code
    expires: float


class SigninCodeRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _issue(self, user: str, code: str, now: float, ttl: float) -> Issued:
        if ttl <= 0:
            raise ValueError("a sign-in code needs a positive lifetime (ttl)")
        h = digest(code)

        async def run(conn: AsyncConnection) -> None:
            await conn.execute(delete(signin_codes).where(signin_codes.c.user == user,
                                                          signin_codes.c.expires < now - KEEP_USED_S))
            await conn.execute(signin_codes.insert().values(hash=h, user=user, created=now, expires=now + ttl))
        await self.db.commit(run)
        return Issued(code, now + ttl)

    async def desktop_code(self, user: str, *, now: float, ttl: float = CODE_TTL_S) -> Issued:
        """A new desktop code for ``user`` (returned here only; the table keeps its hash)."""
        return await self._issue(user, grouped(_random(CODE_CHARS)), now, ttl)

    async def browser_ticket(self, user: str, *, now: float, ttl: float = TICKET_TTL_S) -> Issued:
        """A new one-time ticket for the browser 3D client."""
        return await self._issue(user, _random(TICKET_CHARS), now, ttl)

    async def redeem(self, code: str, *, now: float) -> Redeemed | Refusal:
        """Use the code once: whose it is, or why not (``"unknown"``,
        ``"used"``, ``"expired"``)."""
        h = digest(code)

        async def run(conn: AsyncConnection) -> Redeemed | Refusal:
            won = (await conn.execute(
                update(signin_codes).where(signin_codes.c.hash == h, signin_codes.c.used_at.is_(None),
                                           signin_codes.c.expires > now)
                .values(used_at=now).returning(signin_codes.c.user))).first()
            if won is not None:
                return Redeemed(str(won.user))
            found = (await conn.execute(select(signin_codes.c.used_at).where(signin_codes.c.hash == h))).first()
            if found is None:
                return "unknown"
            return "used" if found.used_at is not None else "expired"
        return await self.db.commit(run)

    async def open_count(self, user: str, *, now: float) -> int:
        """Codes and tickets of ``user`` still usable at ``now``."""
        rows = await self.db.rows(select(signin_codes.c.hash).where(
            signin_codes.c.user == user, signin_codes.c.used_at.is_(None), signin_codes.c.expires > now))
        return len(rows)
