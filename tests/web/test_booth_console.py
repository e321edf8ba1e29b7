"""An enterprise edits its booth in the enterprise console (the web app, its own bus
link) and a visitor standing in that booth in the 3D park sees it change; another
enterprise's booth is refused; bad content is refused naming the field."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from server.bus_link import LinkBus
from server.clock import SystemClock
from server.web.app import create_app
from server.web.texts import load_texts
from tests.server.harness import PARK, Visitor, running_app
from world.protocol import messages as M


def test_a_booth_edited_in_the_console_changes_in_the_world_at_once(tmp_path: Path) -> None:
    async def go() -> None:
        async with running_app(tmp_path, booth_sync_s=600.0) as world:  # no catch-up: only the bus tells it
            await world.accounts.create("acme", "long enough", "Li", "enterprise", company="Acme (test)", now=1.0)
            await world.accounts.create("zeta", "long enough", "Zhou", "enterprise", company="Zeta (test)", now=1.0)
            await world.assign_booth(PARK, "b1", "acme")
            await world.assign_booth(PARK, "b2", "zeta")
            ann = await Visitor.connect(world.port)
            await ann.hello_guest("Ann")
            await ann.join(spawn="b1")
            await ann.walk_until(0.0, 1.0, lambda: world.parks[PARK].room.booth_of(ann.eid) == "b1")
            await ann.wait_for(lambda m: isinstance(m, M.Booth))

            bus = LinkBus(world.config.bus_socket)
            assert await bus.connect_once()
            web = create_app(world.config, world.store, bus, SystemClock(), texts=load_texts(strict=True))
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://park.test") as c:
                csrf = (await c.get("/api/session")).json()["csrf"]
                signed = await c.post("/api/session", json={"user": "acme", "password": "long enough"},
                                      headers={"X-CSRF-Token": csrf})
                assert signed.status_code == 200
                csrf = (await c.get("/api/session")).json()["csrf"]
                console = await c.get("/console/enterprise", headers={"Accept-Language": "en"})
                assert f'href="/console/enterprise/booths/{PARK}/b1"' in console.text
                form = await c.get(f"/console/enterprise/booths/{PARK}/b1")
                assert form.status_code == 200 and 'name="tagline"' in form.text

                mark = len(ann.inbox)
                saved = await c.post(f"/console/enterprise/booths/{PARK}/b1", headers={"Accept-Language": "en"},
                                     data={"csrf": csrf, "name": "Acme stand", "tagline": "new season",
                                           "description": "Hand-made lamps"})
                assert saved.status_code == 200 and "visitors standing in the booth see it now" in saved.text
                pushed = await ann.wait_for(lambda m: isinstance(m, M.Booth) and m.booth.content.tagline
                                            == "new season", start=mark, timeout=5)
                assert pushed.booth.content.name == "Acme stand"

                other = await c.post(f"/console/enterprise/booths/{PARK}/b2", data={"csrf": csrf, "name": "mine"})
                assert other.status_code == 403
                bad = await c.post(f"/console/enterprise/booths/{PARK}/b1",
                                   data={"csrf": csrf, "name": "Acme stand", "logo": "http://["})
                assert bad.status_code == 422 and "logo" in bad.text
                no_csrf = await c.post(f"/console/enterprise/booths/{PARK}/b1", data={"name": "x"})
                assert no_csrf.status_code == 403
            assert world.parks[PARK].booths["b1"].content.tagline == "new season"
            assert world.parks[PARK].booths["b2"].content.name == ""
            await web.state.web.online.close()
            await bus.close()
            await ann.close()
    asyncio.run(go())
