"""The admin's appointments reach a person standing in a 3D park at once, end to end: a
real world server and the web app in front of it (its own bus link). The admin grants a
visitor the event organizer role and makes her an officer of a department on the web;
her live session gets a fresh ``session`` with the new permission map each time (the
``account.changed`` hint) and the inbox's notice, without signing in again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from server.bus_link import LinkBus
from server.clock import SystemClock
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.harness import running_app
from tests.web.test_notices_world import _enter_with
from world.protocol import messages as M


def test_an_appointment_on_the_web_changes_the_rights_of_a_live_3d_session(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path) as world:
            now = world.clock.now()
            await world.accounts.create("mei", "long enough", "Mei", "visitor", now=now)
            await world.accounts.create("root", "long enough", "Root", "admin", now=now)
            bureau = await world.store.orgs.create("department", "区文旅局（测试）", now=now)
            bus = LinkBus(world.config.bus_socket)
            assert await bus.connect_once()
            mei, session = await _enter_with(world.port, (await world.store.signin_codes.desktop_code("mei", now=now)).code)
            assert not session.perms["showcase.schedule"] and not session.perms["console.government"]
            assert isinstance(await mei.join(), M.Joined)
            web = create_app(world.config, world.store, bus, SystemClock(), texts=load_texts(strict=True))
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://park.test") as c:
                csrf = (await c.get("/api/session")).json()["csrf"]
                signed = await c.post("/api/session", json={"user": "root", "password": "long enough"},
                                      headers={"X-CSRF-Token": csrf})
                csrf = signed.json()["csrf"]
                mark = len(mei.inbox)
                granted = await c.post("/console/admin/organizers", data={"csrf": csrf, "user": "mei"})
                assert granted.status_code == 303
                fresh = await mei.wait_for(lambda m: isinstance(m, M.Session), start=mark, timeout=5)
                assert fresh.user.role == "organizer" and fresh.perms["showcase.schedule"]
                told = await mei.wait_for(lambda m: isinstance(m, M.Notice), start=mark, timeout=5)
                assert told.title_key == "notice.organizer.title"
                mark = len(mei.inbox)
                appointed = await c.post(f"/console/admin/orgs/{bureau}/members",
                                         data={"csrf": csrf, "user": "mei", "role": "officer"})
                assert appointed.status_code == 303
                fresh = await mei.wait_for(lambda m: isinstance(m, M.Session), start=mark, timeout=5)
                assert fresh.perms["console.government"] and fresh.perms["org.confirm"]
            await web.state.web.online.close()
            await bus.close()
            await mei.close()
    asyncio.run(go())
