"""Signing in to the 3D clients from the web: the desktop code page and the browser
page's one-time ticket (CSRF-protected; never the cookie's own token)."""

from __future__ import annotations

import re

import pytest

from server.db.signin_codes import Redeemed
from server.web.sessions import SESSION_COOKIE
from tests.web.conftest import AppUnderTest

pytestmark = pytest.mark.anyio


async def test_the_desktop_code_page_makes_a_code_with_the_command_to_type(web: AppUnderTest) -> None:
    guest = await web.client.get("/console/signin-code")
    assert guest.status_code == 303 and guest.headers["location"].startswith("/signin?next=")
    await web.sign_in("vera")
    page = await web.client.get("/console/signin-code", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Make a sign-in code" in page.text and 'id="signin-code"' not in page.text
    assert (await web.client.post("/console/signin-code")).status_code == 403  # no CSRF
    made = await web.client.post("/console/signin-code", data={"csrf": await web.csrf()},
                                 headers={"Accept-Language": "en"})
    assert made.status_code == 200 and "Valid for 10 minutes" in made.text
    code = re.search(r'id="signin-code"[^>]*>([A-Z2-9]{4}-[A-Z2-9]{4})<', made.text)
    assert code is not None
    assert f"cloudpark client --server {web.config.game_url} --code {code.group(1)}" in made.text
    assert await web.store.signin_codes.redeem(code.group(1), now=web.clock.now() + 599) == Redeemed("vera")
    zh = await web.client.post("/console/signin-code", data={"csrf": await web.csrf()},
                               headers={"Accept-Language": "zh"})
    assert "有效期 10 分钟" in zh.text


async def test_the_browser_ticket_needs_the_session_and_csrf_and_works_once(web: AppUnderTest) -> None:
    assert (await web.client.post("/api/game-ticket", headers={"X-CSRF-Token": await web.csrf()})).status_code == 401
    await web.sign_in("emil")
    assert (await web.client.post("/api/game-ticket")).status_code == 403
    reply = await web.client.post("/api/game-ticket", headers={"X-CSRF-Token": await web.csrf()})
    assert reply.status_code == 200
    got = reply.json()
    assert re.fullmatch(r"[A-Z2-9]{32}", got["ticket"]) and got["server"] == web.config.game_url
    assert got["expires"] == web.clock.now() + 60
    assert got["ticket"] != web.client.cookies.get(SESSION_COOKIE)
    assert await web.store.signin_codes.redeem(got["ticket"], now=web.clock.now() + 1) == Redeemed("emil")
    assert await web.store.signin_codes.redeem(got["ticket"], now=web.clock.now() + 1) == "used"


async def test_both_are_in_the_openapi_document(web: AppUnderTest) -> None:
    paths = (await web.client.get("/api/openapi.json")).json()["paths"]
    assert "post" in paths["/api/game-ticket"] and "get" in paths["/api/inbox"] and "post" in paths["/api/inbox/read"]
