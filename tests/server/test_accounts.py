"""Accounts: scrypt-hashed passwords, hashed expiring and revocable tokens, the person behind an account."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest

from server.accounts import AccountError, Accounts, hash_password, verify_password
from server.db import Store


def _url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def test_password_hash_is_salted_and_verifies() -> None:
    kdf1, salt1, h1 = hash_password("correct horse", 2**10)
    kdf2, salt2, h2 = hash_password("correct horse", 2**10)
    assert kdf1.startswith("scrypt:1024:")
    assert salt1 != salt2 and h1 != h2  # per-user salt
    assert verify_password("correct horse", kdf1, salt1, h1)
    assert not verify_password("correct horsf", kdf1, salt1, h1)
    assert not verify_password("correct horse", "md5:1:1:1", salt1, h1)


def test_register_login_token_round_trip_never_stores_the_password(tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "s3cret-passphrase"

    async def go() -> None:
        store = await Store.open(_url(tmp_path / "cp.sqlite3"))
        accounts = Accounts(store, scrypt_n=2**10, token_ttl=100.0)
        acc = await accounts.create("acme", secret, "ACME Ltd", "enterprise", company="ACME", now=0.0)
        assert acc.role == "enterprise"
        assert (await accounts.login("acme", secret)).user == "acme"
        with pytest.raises(AccountError) as wrong:
            await accounts.login("acme", secret + "x")
        assert wrong.value.code == "auth_failed"
        with pytest.raises(AccountError) as unknown:
            await accounts.login("nobody", secret)
        assert str(unknown.value) == str(wrong.value)  # no hint which part was wrong
        token, expires = await accounts.issue_token("acme", now=10.0)
        assert expires == 110.0 and len(token) >= 40
        assert (await accounts.from_token(token, now=50.0)).user == "acme"
        with pytest.raises(AccountError):
            await accounts.from_token(token, now=111.0)
        await store.close()

    asyncio.run(go())
    raw = (tmp_path / "cp.sqlite3").read_bytes() + (tmp_path / "cp.sqlite3-wal").read_bytes() \
        if (tmp_path / "cp.sqlite3-wal").exists() else (tmp_path / "cp.sqlite3").read_bytes()
    assert secret.encode() not in raw
    assert secret not in caplog.text
    db = sqlite3.connect(tmp_path / "cp.sqlite3")
    assert len(db.execute("SELECT hash FROM tokens").fetchone()[0]) == 32  # only the digest is kept


@pytest.mark.parametrize(("user", "password", "role", "code"), [
    ("ada", "short", "visitor", "invalid"),
    ("ada", "long enough", "emperor", "invalid"),
    ("a/../b", "long enough", "visitor", "invalid"),
])
def test_bad_registrations_are_refused_with_a_reason(tmp_path: Path, user: str, password: str, role: str,
                                                     code: str) -> None:
    async def go() -> None:
        store = await Store.open(_url(tmp_path / "cp.sqlite3"))
        try:
            with pytest.raises(AccountError) as err:
                await Accounts(store, scrypt_n=2**10).create(user, password, "Ada", role, now=0.0)
            assert err.value.code == code
        finally:
            await store.close()
    asyncio.run(go())


def test_taken_user_name_is_a_conflict(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store.open(_url(tmp_path / "cp.sqlite3"))
        accounts = Accounts(store, scrypt_n=2**10)
        await accounts.create("ada", "long enough", "Ada", "visitor", now=0.0)
        with pytest.raises(AccountError) as err:
            await accounts.create("ada", "other password", "Ada 2", "visitor", now=0.0)
        assert err.value.code == "conflict"
        await store.close()
    asyncio.run(go())


def test_sign_out_revokes_one_token_or_all(tmp_path: Path) -> None:
    from server.accounts import token_hash

    async def go() -> None:
        store = await Store.open(_url(tmp_path / "cp.sqlite3"))
        accounts = Accounts(store, scrypt_n=2**10, token_ttl=100.0)
        await accounts.create("ada", "long enough", "Ada", "visitor", now=0.0)
        t1, _ = await accounts.issue_token("ada", now=1.0)
        t2, _ = await accounts.issue_token("ada", now=1.0)
        t3, _ = await accounts.issue_token("ada", now=1.0)
        assert await accounts.sign_out("ada", token_hash(t1), everywhere=False) == 1
        with pytest.raises(AccountError):
            await accounts.from_token(t1, now=2.0)
        assert (await accounts.from_token(t2, now=2.0)).user == "ada"
        assert await accounts.sign_out("ada", b"", everywhere=True) == 2
        for t in (t2, t3):
            with pytest.raises(AccountError):
                await accounts.from_token(t, now=2.0)
        await store.close()
    asyncio.run(go())


def test_an_enterprise_name_cannot_be_taken_twice(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store.open(_url(tmp_path / "cp.sqlite3"))
        accounts = Accounts(store, scrypt_n=2**10)
        await accounts.create("acme", "long enough", "Acme", "enterprise", company="Acme Design", now=0.0)
        person = await accounts.person(await store.accounts.get("acme"))
        (org,) = person.enterprises()
        assert person.role_in(org) == "owner" and person.company == "Acme Design"
        with pytest.raises(AccountError) as err:
            await accounts.create("mallory", "long enough", "M", "enterprise", company="  acme   DESIGN ", now=0.0)
        assert err.value.code == "conflict"
        assert await store.accounts.get("mallory") is None  # nothing half-written
        await store.close()
    asyncio.run(go())


def test_racing_registrations_of_one_company_found_it_once_and_look_alikes_are_the_same_name(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store.open(_url(tmp_path / "cp.sqlite3"))
        accounts = Accounts(store, scrypt_n=2**10)
        results = await asyncio.gather(
            *(accounts.create(f"u{i}", "long enough", "U", "enterprise", company="Twin Co", now=0.0) for i in range(4)),
            return_exceptions=True)
        assert sum(not isinstance(r, Exception) for r in results) == 1
        assert all(isinstance(r, AccountError) and r.code == "conflict" for r in results if isinstance(r, Exception))
        assert len(await store.orgs.named("twin co")) == 1
        await accounts.create("lat", "long enough", "L", "enterprise", company="Lattice Design Lab (demo)", now=0.0)
        with pytest.raises(AccountError) as err:  # full-width brackets and letters
            await accounts.create("imp", "long enough", "I", "enterprise", company="Ｌattice Design Lab（demo）",
                                  now=0.0)
        assert err.value.code == "conflict"
        await store.close()
    asyncio.run(go())
