"""Identity: password hashing, login tokens and 30-second resume tokens.

Passwords go through scrypt (memory-hard, standard library) with a per-user random
salt, in a worker thread so the loop never stalls; comparison is constant-time;
passwords are never stored or logged. Login tokens are random 32-byte url-safe
strings stored only as their SHA-256, and expire. Resume tokens live in memory: a
client that drops keeps its avatar for ``ttl`` seconds and may reattach with one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from server.store import AccountRow, Store
from world.protocol.constants import MIN_PASSWORD_CHARS, Role

SCRYPT_R = 8
SCRYPT_P = 1
HASH_BYTES = 32
ROLES = {r.value for r in Role if r is not Role.GUEST}


class AccountError(ValueError):
    """A register/login request that cannot succeed. ``code`` is a protocol ErrorCode value."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def _kdf(password: str, salt: bytes, n: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P,
                          maxmem=256 * n * SCRYPT_R, dklen=HASH_BYTES)


def hash_password(password: str, n: int) -> tuple[str, bytes, bytes]:
    """(kdf description, salt, hash) for a new password."""
    salt = secrets.token_bytes(16)
    return f"scrypt:{n}:{SCRYPT_R}:{SCRYPT_P}", salt, _kdf(password, salt, n)


def verify_password(password: str, kdf: str, salt: bytes, expected: bytes) -> bool:
    try:
        name, n, r, p = kdf.split(":")
        if name != "scrypt" or int(r) != SCRYPT_R or int(p) != SCRYPT_P:
            return False
        got = _kdf(password, salt, int(n))
    except ValueError:
        return False
    return hmac.compare_digest(got, expected)


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def check_password_rule(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("invalid", f"password must have at least {MIN_PASSWORD_CHARS} characters")


@dataclass(frozen=True, slots=True)
class Account:
    user: str
    name: str
    role: str
    company: str
    color: int
    parks: tuple[str, ...] = ()

    @staticmethod
    def of(row: AccountRow) -> Account:
        return Account(row.user, row.name, row.role, row.company, row.color,
                       tuple(p for p in row.parks.split(",") if p))


class Accounts:
    """Accounts and login tokens over the store."""

    def __init__(self, store: Store, *, scrypt_n: int = 2**14, token_ttl: float = 7 * 24 * 3600.0) -> None:
        self.store = store
        self.scrypt_n = scrypt_n
        self.token_ttl = token_ttl
        # a fixed dummy so an unknown user costs the same KDF time as a wrong password
        self._dummy_salt = secrets.token_bytes(16)

    async def create(self, user: str, password: str, name: str, role: str, company: str = "",
                     color: int = 0x3D7EAA, parks: tuple[str, ...] = (), *, now: float) -> Account:
        if role not in ROLES:
            raise AccountError("invalid", f"unknown role {role!r} (known: {', '.join(sorted(ROLES))})")
        if not user or not all(c.isalnum() or c in "._-@" for c in user):
            raise AccountError("invalid", "user names use letters, digits and . _ - @ only")
        check_password_rule(password)
        kdf, salt, digest = await asyncio.to_thread(hash_password, password, self.scrypt_n)
        row = AccountRow(user, name, role, company, color, kdf, salt, digest, ",".join(parks))
        if not await self.store.create_account(row, now):
            raise AccountError("conflict", f"user name {user!r} is already taken")
        return Account.of(row)

    async def login(self, user: str, password: str) -> Account:
        row = await self.store.account(user)
        if row is None:
            await asyncio.to_thread(_kdf, password, self._dummy_salt, self.scrypt_n)
            raise AccountError("auth_failed", "wrong user name or password")
        if not await asyncio.to_thread(verify_password, password, row.kdf, row.salt, row.hash):
            raise AccountError("auth_failed", "wrong user name or password")
        return Account.of(row)

    async def issue_token(self, user: str, *, now: float) -> tuple[str, float]:
        token = secrets.token_urlsafe(32)
        expires = now + self.token_ttl
        await self.store.add_token(token_hash(token), user, now, expires)
        return token, expires

    async def from_token(self, token: str, *, now: float) -> Account:
        user = await self.store.token_user(token_hash(token), now)
        row = None if user is None else await self.store.account(user)
        if row is None:
            raise AccountError("auth_failed", "token unknown or expired: log in again")
        return Account.of(row)


@dataclass(slots=True)
class Held:
    """An avatar kept in its room after its connection dropped."""

    park: str
    eid: int
    expires: float
    who: Any = None  # the identity the connection had (restored on resume)


class Resumes:
    """Resume tokens (in memory): token -> the avatar held for a dropped client."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._held: dict[str, Held] = {}

    def new_token(self) -> str:
        return secrets.token_urlsafe(24)

    def hold(self, token: str, park: str, eid: int, now: float, who: Any = None) -> None:
        self._held[token] = Held(park, eid, now + self.ttl, who)

    def take(self, token: str, now: float) -> Held | None:
        held = self._held.pop(token, None)
        if held is None or held.expires < now:
            return None
        return held

    def expired(self, now: float) -> list[Held]:
        """Remove and return every hold past its time (their avatars must leave)."""
        gone = [t for t, h in self._held.items() if h.expires < now]
        return [self._held.pop(t) for t in gone]
