"""Attacks from the independent review of the zone platform's web app (issue 10):
each test is an attack that once succeeded, now refused."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.bus import InProcessBus
from server.clock import ManualClock
from server.db import Store
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.conftest import database_url, pg_template  # noqa: F401 - the fixtures: a fresh database on each engine
from tests.web.conftest import AppUnderTest, web_config
from tests.web.people import PASSWORD, seed_people

pytestmark = pytest.mark.anyio


async def _acme(web: AppUnderTest) -> int:
    return int((await web.store.orgs.named("Acme Design (test)"))[0].id)


async def _post(web: AppUnderTest, path: str, data: dict[str, Any]) -> Any:
    return await web.client.post(path, data={"csrf": await web.csrf(), **data}, headers={"Accept-Language": "en"})


async def _invite(web: AppUnderTest, org: int, role: str) -> str:
    made = await _post(web, f"/console/enterprise/{org}/invitations", {"role": role, "days": "3"})
    assert made.status_code == 200, made.text[-300:]
    found = re.search(r"/join\?code=([A-Z0-9]+)", made.text)
    assert found
    return found.group(1)


async def test_an_owner_cannot_take_over_park_staff_through_a_reset_link(web: AppUnderTest) -> None:
    """Pam (staff of 798) is also an employee of Acme. Acme's owner must not be able to
    issue a reset link for her: it would hand Olga Pam's park office."""
    acme = await _acme(web)
    await web.store.orgs.add_member(acme, "pam", "member", 1.0)
    await web.sign_in("olga")
    made = await _post(web, f"/console/enterprise/{acme}/members/pam/reset", {})
    link = re.search(r"/reset\?token=([A-Za-z0-9_-]+)", made.text)
    if link is not None:  # the attack: use the link, sign in as pam, open the park console
        web.client.cookies.clear()
        used = await _post(web, "/reset", {"token": link.group(1), "password": "olga owns you 1",
                                           "again": "olga owns you 1"})
        assert used.status_code == 200
        await web.sign_in("pam", "olga owns you 1")
        park = await web.client.get("/console/park/798-art-zone/staff")
        assert park.status_code != 200, "took over a park office through an enterprise reset link"
    assert made.status_code == 422 and link is None


async def test_redeeming_a_code_never_demotes_or_leaves_an_enterprise_without_owner(web: AppUnderTest) -> None:
    """Olga, Acme's only owner, opens a member invitation of her own enterprise (a link
    forwarded to her, a click on a page that posts /join): she stays owner."""
    acme = await _acme(web)
    await web.sign_in("olga")
    code = await _invite(web, acme, "member")
    joined = await _post(web, "/join", {"code": code})
    roles = {m.user: m.role for m in await web.store.orgs.members(acme)}
    assert roles["olga"] == "owner", f"the last owner redeemed a member code and is now {roles['olga']}"
    assert joined.status_code in (409, 422), joined.status_code
    # emil (a member) redeeming an admin code is a promotion, which the code was made for
    admin_code = await _invite(web, acme, "admin")
    web.client.cookies.clear()
    await web.sign_in("emil", PASSWORD)
    assert (await _post(web, "/join", {"code": admin_code})).status_code == 303
    assert {m.user: m.role for m in await web.store.orgs.members(acme)}["emil"] == "admin"


async def test_password_guessing_on_the_web_sign_in_is_limited_per_address(web: AppUnderTest) -> None:
    """Wrong passwords from one address, on the form and on the JSON API: after a burst
    the next attempt is refused (429) even with the right password; others are not held up."""
    refused = 0
    for i in range(40):
        path = "/signin" if i % 2 else "/api/session"
        if path == "/signin":
            reply = await _post(web, "/signin", {"user": "olga", "password": f"guess {i}"})
        else:
            reply = await web.client.post("/api/session", json={"user": "olga", "password": f"guess {i}"},
                                          headers={"X-CSRF-Token": await web.csrf()})
        refused += reply.status_code == 429
    assert refused > 0, "40 wrong passwords in a row were all tried"
    right = await web.client.post("/api/session", json={"user": "olga", "password": PASSWORD},
                                  headers={"X-CSRF-Token": await web.csrf()})
    assert right.status_code == 429 and "try again" in right.text
    web.clock.advance(3600)
    # the bucket refills with the zone's clock; the right password then works
    assert (await web.client.post("/api/session", json={"user": "olga", "password": PASSWORD},
                                  headers={"X-CSRF-Token": await web.csrf()})).status_code == 200


@pytest.mark.parametrize("token", ["０", "\u202e\x00\x07", "é" * 64])
async def test_a_csrf_field_that_is_not_ascii_is_refused_not_a_server_error(web: AppUnderTest, token: str) -> None:
    await web.sign_in("olga")
    reply = await web.client.post("/lang/zh", data={"csrf": token, "next": "/"})
    assert reply.status_code == 403
    api = await web.client.post("/api/inbox/read", json={"all": True}, headers={"X-CSRF-Token": "é".encode("latin-1")})
    assert api.status_code == 403


async def test_huge_page_cursors_and_control_characters_in_searches_are_not_server_errors(web: AppUnderTest) -> None:
    await web.sign_in("ada")
    for path in ("/console/inbox", "/api/inbox"):
        reply = await web.client.get(path, params={"before": "99999999999999999999"})
        assert reply.status_code == 422, (path, reply.status_code)
    for field in ("q", "find"):
        for text in ("a\x00b", "\u202e\x00\x07"):
            reply = await web.client.get("/console/park/798-art-zone/enterprises", params={field: text})
            assert reply.status_code in (200, 422), (field, repr(text), reply.status_code)


@pytest.fixture
async def both(database_url: str, tmp_path: Path) -> AsyncIterator[AppUnderTest]:  # noqa: F811
    """The app over a fresh database on each engine (PostgreSQL refuses NUL in text)."""
    cfg = web_config(tmp_path / "data")
    store = await Store.open(database_url)
    await seed_people(store, cfg.scrypt_n)
    clock = ManualClock()
    app = create_app(cfg, store, InProcessBus(), clock, texts=load_texts(strict=True))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://park.test") as client:
        yield AppUnderTest(client, store, clock, cfg)
    await app.state.web.online.close()
    await store.close()


@pytest.mark.parametrize("text", ["a\x00b", "\u202e\x00\x07"])
async def test_nul_and_control_characters_in_fields_are_refused_not_server_errors(both: AppUnderTest, text: str) -> None:
    web = both
    acme = await _acme(web)
    await web.sign_in("olga")
    code = await _invite(web, acme, "member")
    web.client.cookies.clear()
    signin = await _post(web, "/signin", {"user": text, "password": "whatever 1"})
    assert signin.status_code in (401, 422), signin.status_code
    joined = await _post(web, "/join", {"code": code, "user": "nina", "name": text, "password": "long enough 1"})
    assert joined.status_code in (303, 422), joined.status_code
    if joined.status_code == 303:  # the name was cleaned: no control character reached the account
        account = await web.store.accounts.get("nina")
        assert account is not None and not any(ord(c) < 32 or c == "\u202e" for c in account.name)
    web.client.cookies.clear()
    await web.sign_in("pam")
    staff = await _post(web, "/console/park/798-art-zone/staff", {"user": text})
    assert staff.status_code in (404, 422), staff.status_code
    for path in ("/console/park/798-art-zone/audit", "/console/audit"):
        if path == "/console/audit":
            web.client.cookies.clear()
            await web.sign_in("gwen")
        audit = await web.client.get(path, params={"target": text})
        assert audit.status_code in (200, 422), (path, audit.status_code)
    renamed = await _post(web, "/console/employee/name", {"name": text})
    assert renamed.status_code in (303, 422), renamed.status_code
    account = await web.store.accounts.get("gwen")
    assert account is not None and not any(ord(c) < 32 or c == "\u202e" for c in account.name), repr(account.name)


async def test_marking_a_huge_inbox_id_read_is_refused_not_a_server_error(web: AppUnderTest) -> None:
    await web.sign_in("olga")
    reply = await web.client.post("/api/inbox/read", json={"ids": [99999999999999999999]},
                                  headers={"X-CSRF-Token": await web.csrf()})
    assert reply.status_code == 422, reply.status_code
    form = await _post(web, "/console/inbox/read", {"id": "99999999999999999999"})
    assert form.status_code == 422, form.status_code


async def test_revoking_a_huge_invitation_id_is_refused_not_a_server_error(web: AppUnderTest) -> None:
    acme = await _acme(web)
    await web.sign_in("olga")
    reply = await _post(web, f"/console/enterprise/{acme}/invitations/99999999999999999999/revoke", {})
    assert reply.status_code in (404, 422), reply.status_code
