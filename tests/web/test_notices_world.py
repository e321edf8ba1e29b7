"""Notices in the 3D parks, end to end: a real world server and the web app in front of
it (its own bus link). A person signed in on the web gets a one-time ticket from the
web API and enters the park as themselves (``code_login``); a notice written on the
web side for them reaches their session in the park as a ``notice``, rendered in their
language with the unread count; another person's session and a guest get nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from server import notices
from server.bus_link import LinkBus
from server.clock import SystemClock
from server.db.inbox import Notice
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.harness import Visitor, running_app
from world.protocol import messages as M
from world.protocol.constants import PROTOCOL_VERSION

USED = Notice("account", "notice.code_used.title", "notice.code_used.body", link="/signout")


async def _enter_with(port: int, code: str) -> tuple[Visitor, M.Session]:
    v = await Visitor.connect(port)
    await v.send(M.Hello(v=PROTOCOL_VERSION, client="tests"))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    session = await v.request(M.CodeLogin(code=code))
    assert isinstance(session, M.Session), session
    return v, session


def test_a_notice_sent_on_the_web_reaches_that_person_in_the_park_and_nobody_else(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as world:
            now = world.clock.now()
            await world.accounts.create("mei", "long enough", "Mei", "visitor", now=now)
            await world.accounts.create("bo", "long enough", "Bo", "visitor", now=now)
            bus = LinkBus(world.config.bus_socket)
            assert await bus.connect_once()
            web = create_app(world.config, world.store, bus, SystemClock(), texts=load_texts(strict=True))
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://park.test") as c:
                csrf = (await c.get("/api/session")).json()["csrf"]
                signed = await c.post("/api/session", json={"user": "mei", "password": "long enough"},
                                      headers={"X-CSRF-Token": csrf})
                assert signed.status_code == 200
                ticket = await c.post("/api/game-ticket", headers={"X-CSRF-Token": signed.json()["csrf"]})
                assert ticket.status_code == 200
            mei, session = await _enter_with(world.port, ticket.json()["ticket"])
            assert session.user.id == "mei" and session.user.role == "visitor"  # herself, not a guest
            assert isinstance(await mei.join(), M.Joined)
            bo_code = (await world.store.signin_codes.desktop_code("bo", now=now)).code
            bo, _ = await _enter_with(world.port, bo_code)
            assert isinstance(await bo.join(), M.Joined)
            lobby, _ = await _enter_with(world.port, (await world.store.signin_codes.browser_ticket("mei", now=now)).code)
            gus = await Visitor.connect(world.port)
            await gus.hello_guest("Gus")
            await gus.join()
            marks = {v: len(v.inbox) for v in (mei, bo, lobby, gus)}

            told = await notices.send(world.store, web.state.web.bus, ["mei"], USED, now=world.clock.now())
            assert told == 1
            got = await mei.wait_for(lambda m: isinstance(m, M.Notice), start=marks[mei], timeout=5)
            assert got.title_key == "notice.code_used.title" and got.kind == "account" and got.link == "/signout"
            assert got.title == "桌面客户端已用登录码登录"  # no language chosen: Chinese, the zone's language
            assert got.unread == 1
            await asyncio.sleep(0.5)  # the others had time to hear anything
            assert [m for m in mei.inbox[marks[mei]:] if isinstance(m, M.Notice)] == [got]  # once
            for other in (bo, lobby, gus):  # another person; mei outside a park; a guest
                assert not any(isinstance(m, M.Notice) for m in other.inbox[marks[other]:])
            assert world.notice_push.sent == 1
            await web.state.web.online.close()
            await bus.close()
            for v in (mei, bo, lobby, gus):
                await v.close()
    asyncio.run(go())
