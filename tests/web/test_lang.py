"""One language that follows the person: the account's choice wins over the browser's,
choosing while signed in stores it on the account (and tells the 3D clients through the
bus), signing in adopts it, and a choice made before signing in is kept for an account
that had none."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from server.bus import InProcessBus
from server.web.sessions import LANG_COOKIE
from tests.web.conftest import AppUnderTest

pytestmark = pytest.mark.anyio
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


async def _switch(web: AppUnderTest, code: str, next: str = "/") -> httpx.Response:
    """The header's language form: a POST with the page's CSRF field."""
    reply = await web.client.post(f"/lang/{code}", data={"csrf": await web.csrf(), "next": next})
    assert reply.status_code == 303, reply.text
    return reply


async def _signin_page_lang(client: httpx.AsyncClient) -> str:
    page = await client.get("/signin", headers=ZH)
    return "en" if 'lang="en"' in page.text else "zh"


async def test_choosing_while_signed_in_stores_it_on_the_account(web: AppUnderTest) -> None:
    await web.sign_in("vera")
    assert (await web.store.accounts.get("vera")).lang == ""
    assert (await _switch(web, "en", "/console/")).headers["location"] == "/console/"
    assert (await web.store.accounts.get("vera")).lang == "en"
    # the account beats a browser that says Chinese and a cookie that says Chinese
    web.client.cookies.set(LANG_COOKIE, "zh")
    assert (await web.client.get("/api/session", headers=ZH)).json()["lang"] == "en"
    assert await _signin_page_lang(web.client) == "en"
    # signing out: the browser keeps the last choice it saw; a guest's switch touches no account
    await web.client.delete("/api/session", headers={"X-CSRF-Token": await web.csrf()})
    await _switch(web, "zh")
    assert (await web.store.accounts.get("vera")).lang == "en"


async def test_signing_in_adopts_the_accounts_language(web: AppUnderTest) -> None:
    await web.store.accounts.set_lang("olga", "en")
    web.client.cookies.set(LANG_COOKIE, "zh")
    reply = await web.sign_in("olga")
    assert reply.json()["lang"] == "en"
    assert reply.cookies.get(LANG_COOKIE) == "en"  # this browser shows it from now on
    assert await _signin_page_lang(web.client) == "en"


async def test_the_form_sign_in_adopts_it_too(web: AppUnderTest) -> None:
    await web.store.accounts.set_lang("pam", "en")
    csrf = await web.csrf()
    reply = await web.client.post("/signin", data={"user": "pam", "password": "correct horse 1", "next": "/",
                                                   "csrf": csrf}, headers=ZH)
    assert reply.status_code == 303, reply.text
    assert reply.cookies.get(LANG_COOKIE) == "en"


async def test_a_choice_made_before_signing_in_is_kept_for_an_account_without_one(web: AppUnderTest) -> None:
    await _switch(web, "en")
    reply = await web.sign_in("gwen")
    assert reply.json()["lang"] == "en"
    assert (await web.store.accounts.get("gwen")).lang == "en"
    # an account that chose already keeps its own choice
    await web.store.accounts.set_lang("ada", "zh")
    web.client.cookies.clear()
    await _switch(web, "en")
    await web.sign_in("ada")
    assert (await web.store.accounts.get("ada")).lang == "zh"
    assert (await web.client.get("/api/session")).json()["lang"] == "zh"


async def test_a_change_on_the_web_is_published_for_the_3d_clients(web: AppUnderTest) -> None:
    got: list[tuple[str, dict]] = []
    bus = web.client._transport.app.state.web.bus  # type: ignore[attr-defined]
    assert isinstance(bus, InProcessBus)
    bus.subscribe("account.changed", lambda subject, hint: got.append((subject, hint)))
    await web.sign_in("emil")
    await _switch(web, "en")
    await _switch(web, "en")  # the same again: nothing new to tell
    for _ in range(50):
        if got:
            break
        await asyncio.sleep(0.01)
    assert got == [("account.changed", {"user": "emil"})]


async def test_the_parks_3d_page_is_told_the_viewers_language(web: AppUnderTest) -> None:
    page = web.config.web_dir / ".park.html"  # the export's page for any park
    page.parent.mkdir(parents=True)
    page.write_text('<script type="application/json" id="cloudpark-config">{"park": "798-art-zone", "server": "", '
                    '"lang": "", "texts": {"en": {"client.lang.switch": "中文"}}}</script>', encoding="utf-8")
    guest = await web.client.get("/web/798-art-zone/", headers={"Accept-Language": "en-US"})
    assert '"lang": "en"' in guest.text and '"lang": ""' not in guest.text
    await web.store.accounts.set_lang("vera", "zh")
    await web.sign_in("vera")
    signed_in = await web.client.get("/web/798-art-zone/", headers={"Accept-Language": "en-US"})
    assert '"lang": "zh"' in signed_in.text  # the account's choice, not the browser's
    # served by the web app, the page may ask it for a game ticket (this page was exported
    # before the field existed: it is added)
    assert '"web_session": "/api/session"' in signed_in.text


async def test_a_cross_site_request_cannot_change_an_accounts_language(web: AppUnderTest) -> None:
    await web.sign_in("vera")
    # a link or a form on another site: no CSRF field (or a wrong one), refused, nothing stored
    for data in ({"next": "/"}, {"next": "/", "csrf": "not-the-token"}):
        refused = await web.client.post("/lang/en", data=data, headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403 and LANG_COOKIE not in refused.cookies
    assert (await web.client.get("/lang/en?next=/console/")).status_code == 405  # no GET switch any more
    assert (await web.store.accounts.get("vera")).lang == ""
    # the header's form on every page carries the field, and with it the account's language changes
    page = await web.client.get("/console/", follow_redirects=True, headers=ZH)
    form = re.search(r'<form class="lang" method="post" action="(/lang/en)">'
                     r'<input type="hidden" name="csrf" value="([^"]+)"><input type="hidden" name="next" value="([^"]*)">',
                     page.text)
    assert form is not None, page.text[:2000]
    reply = await web.client.post(form.group(1), data={"csrf": form.group(2), "next": form.group(3)})
    assert reply.status_code == 303 and reply.headers["location"] == form.group(3)
    assert (await web.store.accounts.get("vera")).lang == "en"
    assert (await web.client.post("/lang/fr", data={"csrf": await web.csrf()})).status_code == 422
