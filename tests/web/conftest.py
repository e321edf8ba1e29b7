"""Fixtures for the web app: the ASGI app over a real SQLite store (for httpx), and a
real uvicorn server on a free port in a thread (for schemathesis and Playwright)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from server.bus import InProcessBus
from server.clock import ManualClock, SystemClock
from server.config import ServerConfig
from server.db import Store
from server.web.app import create_app
from server.web.texts import load_texts
from tests.web.people import seed_people

# a game port nothing listens on: visitors online are "unknown"
NO_GAME = "ws://127.0.0.1:9/ws"


def web_config(data: Path, game_url: str = NO_GAME) -> ServerConfig:
    return ServerConfig(data_dir=data, scrypt_n=2**10, game_url=game_url)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class AppUnderTest:
    client: httpx.AsyncClient
    store: Any
    clock: ManualClock
    config: ServerConfig

    async def csrf(self) -> str:
        return str((await self.client.get("/api/session")).json()["csrf"])

    async def sign_in(self, user: str, password: str = "correct horse 1") -> httpx.Response:
        reply = await self.client.post("/api/session", json={"user": user, "password": password},
                                       headers={"X-CSRF-Token": await self.csrf()})
        assert reply.status_code == 200, reply.text
        return reply


@pytest.fixture
async def web(tmp_path: Path) -> AsyncIterator[AppUnderTest]:
    cfg = web_config(tmp_path / "data")
    store = await Store.open(cfg.database_url)
    await seed_people(store, cfg.scrypt_n)
    clock = ManualClock()
    app = create_app(cfg, store, InProcessBus(), clock, texts=load_texts(strict=True))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://park.test") as client:
        yield AppUnderTest(client, store, clock, cfg)
    await app.state.web.online.close()
    await store.close()


class LiveServer:
    """``create_app`` under uvicorn on 127.0.0.1, a free port, in its own thread and loop."""

    def __init__(self, data: Path, game_url: str = NO_GAME) -> None:
        self.config = web_config(data, game_url)
        self.ready = threading.Event()
        self.url = ""
        self.app: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: uvicorn.Server | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        store = await Store.open(self.config.database_url)
        await seed_people(store, self.config.scrypt_n)
        app = create_app(self.config, store, InProcessBus(), SystemClock(), texts=load_texts(strict=True))
        self.app, self._loop = app, asyncio.get_running_loop()
        await self._serve(app, store)

    async def _serve(self, app: Any, store: Store) -> None:
        """``app`` under uvicorn on a free port until stopped, then ``store`` closed."""
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.ready.set()
        await task
        await store.close()

    def start(self) -> LiveServer:
        self._thread.start()
        if not self.ready.wait(20):
            raise RuntimeError("the web app did not start")
        return self

    def publish(self, subject: str, hint: dict[str, Any]) -> None:
        """A hint on the server's bus, as the world server would send it (from any thread)."""
        assert self._loop is not None, "the server is not started"
        self._loop.call_soon_threadsafe(self.app.state.web.bus.publish, subject, hint)

    def heard(self, pattern: str) -> list[tuple[str, dict[str, Any]]]:
        """A list that fills with the hints on the server's bus matching ``pattern`` from now on."""
        assert self._loop is not None, "the server is not started"
        got: list[tuple[str, dict[str, Any]]] = []

        async def receive(subject: str, hint: dict[str, Any]) -> None:
            got.append((subject, hint))
        subscribed = threading.Event()

        def subscribe() -> None:
            self.app.state.web.bus.subscribe(pattern, receive)
            subscribed.set()
        self._loop.call_soon_threadsafe(subscribe)
        subscribed.wait(5)
        return got

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(10)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("web") / "data").start()
    yield server
    server.stop()
