"""The accounts every web test signs in with: one per role the consoles know."""

from __future__ import annotations

from typing import Any

from server.accounts import Accounts

PASSWORD = "correct horse 1"
# user -> (platform role, display name, company founded, parks staffed)
PEOPLE: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "vera": ("visitor", "Vera Visitor", "", ()),
    "olga": ("enterprise", "Olga Owner", "Acme Design (test)", ()),
    "emil": ("visitor", "Emil Employee", "", ()),
    "pam": ("park_staff", "Pam Staff", "", ("798-art-zone",)),
    "gwen": ("government", "Gwen Officer", "", ()),
    "ada": ("admin", "Ada Admin", "", ()),
}


async def seed_people(store: Any, scrypt_n: int) -> None:
    accounts = Accounts(store, scrypt_n=scrypt_n)
    for user, (role, name, company, parks) in PEOPLE.items():
        await accounts.create(user, PASSWORD, name, role, company=company, parks=parks, now=1.0)
    acme = (await store.orgs.named("Acme Design (test)"))[0]
    await store.orgs.add_member(acme.id, "emil", "member", 1.0)
