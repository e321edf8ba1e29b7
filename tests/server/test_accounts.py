"""Accounts: scrypt-hashed passwords, hashed expiring tokens, 30-second resume holds."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from pathlib import Path

import pytest

from server.accounts import AccountError, Accounts, Resumes, hash_password, verify_password
from server.store import Store


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
        store = await Store(tmp_path / "cp.sqlite3").open()
        accounts = Accounts(store, scrypt_n=2**10, token_ttl=100.0)
        acc = await accounts.create("acme", secret, "ACME Ltd", "enterprise", "ACME", now=0.0)
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
        store = await Store(tmp_path / "cp.sqlite3").open()
        try:
            with pytest.raises(AccountError) as err:
                await Accounts(store, scrypt_n=2**10).create(user, password, "Ada", role, now=0.0)
            assert err.value.code == code
        finally:
            await store.close()
    asyncio.run(go())


def test_taken_user_name_is_a_conflict(tmp_path: Path) -> None:
    async def go() -> None:
        store = await Store(tmp_path / "cp.sqlite3").open()
        accounts = Accounts(store, scrypt_n=2**10)
        await accounts.create("ada", "long enough", "Ada", "visitor", now=0.0)
        with pytest.raises(AccountError) as err:
            await accounts.create("ada", "other password", "Ada 2", "visitor", now=0.0)
        assert err.value.code == "conflict"
        await store.close()
    asyncio.run(go())


def test_resume_hold_lasts_its_ttl_and_is_single_use() -> None:
    resumes = Resumes(ttl=30.0)
    token = resumes.new_token()
    resumes.hold(token, "798-art-zone", 7, now=100.0, who="ada")
    held = resumes.take(token, now=129.0)
    assert held is not None and held.eid == 7 and held.who == "ada"
    assert resumes.take(token, now=129.5) is None  # used up
    resumes.hold(token, "798-art-zone", 7, now=100.0, who="ada")
    assert resumes.take(token, now=131.0) is None  # too late
    resumes.hold("t2", "p", 3, now=0.0, who="bob")
    assert [h.eid for h in resumes.expired(now=31.0)] == [3]
    assert resumes.expired(now=32.0) == []
