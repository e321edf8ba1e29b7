"""The real world server (``server.main.App``, what ``cloudpark serve`` runs) for the browser
tests, on 127.0.0.1 port 0 in a thread with its own event loop.

``DATA_DIR`` is laid out as in production: ``scenes/<park>.glb``, ``web/`` (the export
written by ``publish_web``), ``cloudpark.sqlite3`` (seeded by ``cloudpark demo seed``'s
code, so booths have an owner and content). Tests read the server's state through
``call`` (run on the server's loop, so nothing races the ticker) and cut every
connection without a close frame with ``drop_all`` (what a lost network looks like).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from server.config import ServerConfig
from server.demo import seed
from server.main import App
from world.layout import ParkLayout

T = TypeVar("T")


def server_config(data_dir: Path, **changes: Any) -> ServerConfig:
    # A cheap scrypt: the demo seed creates three accounts.
    base = ServerConfig(port=0, data_dir=data_dir, scrypt_n=2**10, build_scenes=False)
    return dataclasses.replace(base, **changes)


class WorldServer:
    def __init__(self, data_dir: Path, layouts: dict[str, ParkLayout] | None = None, **changes: Any) -> None:
        self.config = server_config(data_dir, **changes)
        self.layouts = layouts
        self.app: App | None = None
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="world-server", daemon=True)

    def start(self, demo_seed: bool = True) -> WorldServer:
        self._thread.start()  # (Playwright's sync API holds a running loop on this thread)
        if demo_seed:
            self._run(seed(self.config), timeout=30)
        self.app = App(self.config, layouts=self.layouts)
        self._run(self.app.start(), timeout=30)
        return self

    def stop(self) -> None:
        if self.app is not None:
            self._run(self.app.stop(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    @property
    def port(self) -> int:
        assert self.app is not None
        return self.app.port

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def _run(self, coro: Any, timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def run(self, coro: Any, timeout: float = 10) -> Any:
        """Await ``coro`` (e.g. ``app.accounts.create(...)``) on the server's loop; its result."""
        return self._run(coro, timeout)

    def create_account(self, user: str, password: str, name: str, role: str, company: str = "",
                       parks: tuple[str, ...] = ()) -> None:
        """An account made through the server's own accounts API (as ``cloudpark accounts create``)."""
        assert self.app is not None
        self.run(self.app.accounts.create(user, password, name, role, company=company, parks=parks,
                                          now=time.time()))

    def login_token(self, user: str) -> dict[str, Any]:
        """A login token for ``user`` as the page keeps it in localStorage (``cloudpark.login``)."""
        assert self.app is not None
        token, expires = self.run(self.app.accounts.issue_token(user, now=time.time()))
        return {"token": token, "expires": expires, "user": user}

    def cards(self, park: str, booth: str) -> list[dict[str, Any]]:
        """The business cards the server's store holds for a booth (newest first)."""
        assert self.app is not None
        stats = self.run(self.app.store.visits.stats(park, booth))
        return [msgspec.to_builtins(card) for card in stats.cards]

    def call(self, fn: Callable[[App], T], timeout: float = 10) -> T:
        """``fn(app)`` on the server's loop thread; its result."""
        done: Future[T] = Future()

        def run() -> None:
            try:
                done.set_result(fn(self.app))  # type: ignore[arg-type]
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(run)
        return done.result(timeout)

    def avatars(self, park: str) -> list[tuple[int, str]]:
        """(eid, name) of every avatar in the park's room, held ones included."""
        return self.call(lambda app: sorted((a.eid, a.name) for a in app.parks[park].room.avatars.values()))

    def drop_all(self) -> int:
        """Cut every websocket without a close frame; returns how many were cut."""

        def cut(app: App) -> int:
            n = 0
            for client in list(app.listener.connections):
                transport = client.ws.transport
                if transport is not None:
                    transport.abort()
                    n += 1
            return n

        return self.call(cut)


class ServeProcess:
    """``cloudpark serve`` as a user runs it, on port 0 (the port is read from its banner)."""

    def __init__(self, data_dir: Path) -> None:
        exe = Path(sys.executable).with_name("cloudpark")
        env = {**os.environ, "CLOUDPARK_BUILD_SCENES": "0", "CLOUDPARK_SCRYPT_N": "1024"}
        self.proc = subprocess.Popen([str(exe), "serve", "--data-dir", str(data_dir), "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: list[str] = []
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            found = re.search(r"cloudpark serving \d+ parks: ws://127\.0\.0\.1:(\d+)/", line)
            if found:
                self.port = int(found.group(1))
                return
        raise RuntimeError("cloudpark serve did not start:\n" + "".join(self.lines))

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
        return self.proc.returncode
