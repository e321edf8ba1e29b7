"""The inbox in the consoles: newest first with keyset pages, unread marked and counted
in the console navigation, marked read one by one or all (CSRF), the same through the
JSON API; each person sees only their own; ``server.notices`` writes and hints."""

from __future__ import annotations

import asyncio
import re

import pytest

from server.bus import InProcessBus
from server.db.inbox import Notice
from server.notices import render, send
from tests.web.conftest import AppUnderTest
from world.i18n import parse_texts

pytestmark = pytest.mark.anyio
USED = Notice("account", "notice.code_used.title", "notice.code_used.body", link="/signout")


async def _tell(web: AppUnderTest, users: list[str], n: int = 1) -> None:
    for i in range(n):
        await send(web.store, InProcessBus(), users, USED, now=1000.0 + i)


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="inbox-item[^"]*" data-id="(\d+)"', html)]


async def test_the_inbox_lists_newest_first_marks_unread_and_pages_by_key(web: AppUnderTest) -> None:
    await _tell(web, ["emil"], 25)
    await _tell(web, ["vera"])
    await web.sign_in("emil")
    page = await web.client.get("/console/inbox", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    first = _ids(page.text)
    assert len(first) == 20 and first == sorted(first, reverse=True)
    assert "Desktop client signed in with a code" in page.text and "25 unread" in page.text
    assert page.text.count('class="inbox-item unread"') == 20 and 'href="/signout"' in page.text
    older = re.search(r'href="/console/inbox\?before=(\d+)"', page.text)
    assert older is not None and int(older.group(1)) == first[-1]
    rest = _ids((await web.client.get(f"/console/inbox?before={first[-1]}")).text)
    assert len(rest) == 5 and max(rest) < min(first)
    zh = await web.client.get("/console/inbox", headers={"Accept-Language": "zh"})
    assert "桌面客户端已用登录码登录" in zh.text and "25 条未读" in zh.text


async def test_marking_read_one_and_all_with_csrf_and_the_badge_follows(web: AppUnderTest) -> None:
    await _tell(web, ["emil"], 3)
    await web.sign_in("emil")
    console = await web.client.get("/console/signin-code", headers={"Accept-Language": "en"})
    assert re.search(r'href="/console/inbox"[^>]*>Inbox <span class="num badge"[^>]*>3</span>', console.text)
    newest = _ids((await web.client.get("/console/inbox")).text)[0]
    refused = await web.client.post("/console/inbox/read", data={"id": str(newest)})
    assert refused.status_code == 403
    csrf = await web.csrf()
    done = await web.client.post("/console/inbox/read", data={"id": str(newest), "csrf": csrf, "back": "https://evil.example/"})
    assert done.status_code == 303 and done.headers["location"] == "/console/inbox"
    assert await web.store.inbox.unread_count("emil") == 2
    page = await web.client.get("/console/inbox?unread=true")
    assert newest not in _ids(page.text) and len(_ids(page.text)) == 2
    await web.client.post("/console/inbox/read", data={"all": "true", "csrf": csrf})
    assert await web.store.inbox.unread_count("emil") == 0
    console = await web.client.get("/console/signin-code")
    assert 'class="num badge"' not in console.text


async def test_the_api_reads_and_marks_only_your_own(web: AppUnderTest) -> None:
    assert (await web.client.get("/api/inbox")).status_code == 401
    await _tell(web, ["emil"], 3)
    await _tell(web, ["vera"])
    vera_id = (await web.store.inbox.page("vera"))[0].id
    await web.sign_in("emil")
    got = (await web.client.get("/api/inbox?limit=2", headers={"Accept-Language": "en"})).json()
    assert [i["unread"] for i in got["items"]] == [True, True] and got["unread"] == 3
    assert got["items"][0]["title"] == "Desktop client signed in with a code"
    assert got["items"][0]["title_key"] == "notice.code_used.title" and got["items"][0]["link"] == "/signout"
    last = (await web.client.get(f"/api/inbox?before={got['next_before']}")).json()
    assert len(last["items"]) == 1 and last["next_before"] is None
    headers = {"X-CSRF-Token": await web.csrf()}
    assert (await web.client.post("/api/inbox/read", json={"ids": [vera_id]})).status_code == 403  # no CSRF
    theirs = await web.client.post("/api/inbox/read", json={"ids": [vera_id]}, headers=headers)
    assert theirs.json() == {"marked": 0, "unread": 3}
    assert await web.store.inbox.unread_count("vera") == 1
    one = await web.client.post("/api/inbox/read", json={"ids": [got["items"][0]["id"]]}, headers=headers)
    assert one.json() == {"marked": 1, "unread": 2}
    empty = await web.client.post("/api/inbox/read", json={}, headers=headers)
    assert empty.status_code == 422 and "ids" in empty.json()["message"]
    bad = await web.client.post("/api/inbox/read", json={"ids": [0], "extra": 1}, headers=headers)
    assert bad.status_code == 422 and "ids.0" in bad.json()["message"] and "extra" in bad.json()["message"]
    every = await web.client.post("/api/inbox/read", json={"all": True}, headers=headers)
    assert every.json() == {"marked": 2, "unread": 0}
    assert (await web.client.get("/api/inbox?limit=0")).status_code == 422


async def test_send_writes_every_inbox_and_hints_the_world_in_chunks(web: AppUnderTest) -> None:
    bus = InProcessBus()
    heard: list[dict] = []
    bus.subscribe("inbox.new", lambda subject, hint: heard.append(hint))
    users = ["emil", "vera", "emil"]
    assert await send(web.store, bus, users, USED, now=5.0) == 2
    await asyncio.sleep(0)  # the in-process bus delivers on the next turn of the loop
    assert heard == [{"users": ["emil", "vera"], "since": 5.0}]


def test_render_fills_parameters_and_keeps_a_missing_one_visible() -> None:
    texts = parse_texts({"zh": '{"t": "预订 {space}", "b": "{space} {when}"}',
                         "en": '{"t": "Booked {space}", "b": "{space} at {when}"}'})
    notice = Notice("booking", "t", "b", {"space": "Hall A"})
    assert render(texts, "en", notice) == ("Booked Hall A", "Hall A at {when}")
    assert render(texts, "zh", notice) == ("预订 Hall A", "Hall A {when}")
