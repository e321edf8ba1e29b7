"""The browser 3D client with the web sign-in: a person signed in on the web app opens a
park's 3D page there and enters as themselves (the page fetches a one-time ticket:
``POST /api/game-ticket``; ``code_login`` on the websocket), then a notice sent for
them on the web side shows in the park as a toast with the unread count; the console's
inbox and the desktop code page are photographed on the way (phone and desktop)."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from server import notices
from server.bus_link import LinkBus
from server.clock import SystemClock
from server.db import Store
from server.db.inbox import Notice
from server.web.app import create_app
from server.web.texts import load_texts
from tests.webxr.scene import build_glb, park_layout
from tests.webxr.world_server import WorldServer
from tools.webxr.export import publish_web

SHOTS = Path("build/screenshots/web")
USED = Notice("account", "notice.code_used.title", "notice.code_used.body", link="/signout")
pytestmark = pytest.mark.slow
PARK = "798-art-zone"  # a park of the catalogue (the web app serves 3D pages for those), with the test scene


@pytest.fixture
def world_server(tmp_path: Path):  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(park_layout(PARK)))
    publish_web(data)
    server = WorldServer(data, layouts={PARK: park_layout(PARK)}).start()
    yield server
    server.stop()


class WebBeside:
    """The web app (what ``cloudpark web`` runs) over the world server's data folder and
    database, linked to its bus hub, under uvicorn in a thread of its own."""

    def __init__(self, world: WorldServer) -> None:
        import dataclasses

        self.config = dataclasses.replace(world.config, game_url=world.ws_url)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.url = ""
        self._thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),), daemon=True)

    async def _main(self) -> None:
        self.store = await Store.open(self.config.database_url)
        self.bus = LinkBus(self.config.bus_socket)
        await self.bus.connect_once()
        app = create_app(self.config, self.store, self.bus, SystemClock(), texts=load_texts(strict=True))
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.02)
        self.url = f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"
        self.ready.set()
        await task
        await self.bus.close()
        await self.store.close()

    def start(self) -> WebBeside:
        self._thread.start()
        assert self.ready.wait(20), "the web app did not start"
        return self

    def run(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(10)

    def phone_in_park(self, browser, user: str, password: str, park: str):  # type: ignore[no-untyped-def]
        """A phone in Chinese signed in on the web as ``user``, sent into ``park``'s 3D
        page: (context, page, the page's uncaught errors so far and to come)."""
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                      has_touch=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{self.url}/signin?next=/console/")
        page.fill("input[name=user]", user)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit]")
        page.wait_for_url("**/console/**")
        page.goto(f"{self.url}/web/{park}/")
        return context, page, errors


def _sign_in(page, web: WebBeside, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{web.url}/signin?next=/console/inbox")
    page.fill("input[name=user]", user)
    page.fill("input[name=password]", "long enough pw")
    page.click("form button[type=submit]")
    page.wait_for_url("**/console/inbox")


def test_signed_in_on_the_web_you_enter_as_yourself_and_see_your_notices(browser, world_server) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    world_server.create_account("mei", "long enough pw", "Mei", "visitor")
    web = WebBeside(world_server).start()
    try:
        for size, viewport in (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1280, "height": 800})):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            _sign_in(page, web, "mei")
            page.goto(f"{web.url}/web/{PARK}/")
            page.wait_for_function("() => window.cloudpark && typeof window.cloudpark.state === 'function' && window.cloudpark.state().net === 'joined'", timeout=30000)
            user = page.evaluate("() => window.cloudpark.state().user")
            assert user["id"] == "mei" and user["role"] == "visitor", user  # not a guest
            assert page.locator("#account").is_hidden()  # no sign-in panel pushed at a signed-in person
            web.run(notices.send(web.store, web.bus, ["mei"], USED, now=time.time()))
            toast = page.locator("#notices .notice").first
            toast.wait_for(timeout=10000)
            assert "桌面客户端已用登录码登录" in toast.inner_text()
            page.screenshot(path=str(SHOTS / f"notice-3d-{size}.png"))
            assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
            page.goto(f"{web.url}/console/inbox")
            assert page.locator(".inbox-item.unread").count() >= 1
            assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
            page.screenshot(path=str(SHOTS / f"inbox-zh-{size}.png"), full_page=True)
            page.goto(f"{web.url}/console/signin-code")
            page.click("form[action='/console/signin-code'] button")
            code = page.locator("#signin-code").inner_text()
            assert len(code) == 9 and code[4] == "-"
            assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
            page.screenshot(path=str(SHOTS / f"signin-code-zh-{size}.png"), full_page=True)
            assert not errors, errors
            context.close()
    finally:
        web.stop()
