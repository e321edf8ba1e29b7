"""Identity: password hashing, login tokens, and the person an account is.

Passwords go through scrypt (memory-hard, standard library) with a per-user random
salt, in a worker thread so the loop never stalls; comparison is constant-time;
passwords are never stored or logged. Login tokens are random 32-byte url-safe
strings stored only as their SHA-256; they expire and can be revoked (sign out, or
sign out everywhere). Resume tokens are ``server.presence``'s.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from typing import Any

from server.db.accounts import CompanyTaken, NewAccount
from world.i18n import LANGS
from world.people import Person
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



def valid_user(user: str) -> bool:
    """User names are 1-64 ASCII letters, digits and . _ - @."""
    return bool(user) and len(user) <= 64 and all(c.isascii() and (c.isalnum() or c in "._-@") for c in user)

class Accounts:
    """Accounts, login tokens and the person an account is (with its memberships)."""

    def __init__(self, store: Any, *, scrypt_n: int = 2**14, token_ttl: float = 7 * 24 * 3600.0) -> None:
        self.store = store
        self.scrypt_n = scrypt_n
        self.token_ttl = token_ttl
        # a fixed dummy so an unknown user costs the same KDF time as a wrong password
        self._dummy_salt = secrets.token_bytes(16)

    async def create(self, user: str, password: str, name: str, role: str, color: int = 0x3D7EAA,
                     *, company: str = "", parks: tuple[str, ...] = (), now: float) -> Any:
        """A new account; raises ``AccountError``. An ``enterprise`` account founds a new
        enterprise organization named ``company`` that it owns (in the same transaction);
        nobody joins an existing company by typing its name, so a registered name is
        refused (its admin adds people). ``parks``: staff memberships of those parks."""
        if role not in ROLES:
            raise AccountError("invalid", f"role: unknown role {role!r} (known: {', '.join(sorted(ROLES))})")
        if not valid_user(user):
            raise AccountError("invalid", "user: user names are 1-64 ASCII letters, digits and . _ - @")
        check_password_rule(password)
        if role == "enterprise":
            await self.check_company_free(company)
        kdf, salt, digest = await asyncio.to_thread(hash_password, password, self.scrypt_n)
        new = NewAccount(user=user, name=name, role=role, kdf=kdf, salt=salt, hash=digest, created=now,
                         company=company.strip(), color=color, parks=parks)
        try:
            created = await self.store.accounts.create(new)
        except CompanyTaken as exc:
            raise AccountError("conflict", f"company: an organization named {exc.name!r} is already registered; "
                               "ask its administrator to add you to it") from None
        if not created:
            raise AccountError("conflict", f"user: user name {user!r} is already taken")
        account = await self.store.accounts.get(user)
        assert account is not None
        return account

    async def login(self, user: str, password: str) -> Any:
        # a name no account can have is not looked up (PostgreSQL refuses NUL in text)
        row = await self.store.accounts.get(user) if valid_user(user) else None
        if row is None:
            await asyncio.to_thread(_kdf, password, self._dummy_salt, self.scrypt_n)
            raise AccountError("auth_failed", "wrong user name or password")
        if not await asyncio.to_thread(verify_password, password, row.kdf, row.salt, row.hash):
            raise AccountError("auth_failed", "wrong user name or password")
        return row

    async def issue_token(self, user: str, *, now: float) -> tuple[str, float]:
        token = secrets.token_urlsafe(32)
        expires = now + self.token_ttl
        await self.store.accounts.add_token(token_hash(token), user, now, expires)
        return token, expires

    async def from_token(self, token: str, *, now: float) -> Any:
        user = await self.store.accounts.token_user(token_hash(token), now)
        row = None if user is None else await self.store.accounts.get(user)
        if row is None:
            raise AccountError("auth_failed", "token unknown, expired or signed out: log in again")
        return row

    async def sign_out(self, user: str, token: bytes, everywhere: bool) -> int:
        """Revoke this session's login token, or every token of ``user``."""
        if everywhere:
            return int(await self.store.accounts.revoke_all(user))
        return int(bool(token) and await self.store.accounts.revoke_token(token))

    async def person(self, account: Any) -> Person:
        """The person behind an account, with its memberships as they are now."""
        memberships = tuple(await self.store.orgs.memberships(account.user))
        return Person(account.user, account.name, account.role, account.color, registered=True,
                      memberships=memberships, lang=account.lang)

    async def set_lang(self, user: str, lang: str) -> None:
        """Store the interface language ``user`` chose (one of ``world.i18n.LANGS``), which
        the web and both 3D clients then follow; raises ``AccountError``."""
        if lang not in LANGS:
            raise AccountError("invalid", f"lang: must be one of {', '.join(LANGS)} (got {lang!r})")
        if not await self.store.accounts.set_lang(user, lang):
            raise AccountError("not_found", f"user: no account {user!r}")

    async def check_company_free(self, company: str) -> None:
        name = company.strip()
        if not name:
            raise AccountError("invalid", "company: an enterprise account needs its company name")
        if await self.store.orgs.named(name):
            raise AccountError("conflict", f"company: an organization named {name!r} is already registered; "
                               "ask its administrator to add you to it")
