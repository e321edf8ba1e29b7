"""The network thread: one asyncio loop that owns the websocket, off the render thread.

The render thread calls ``send(msg)`` (never blocks) and drains ``inbox`` each frame
(never blocks). The loop connects, says hello (with the resume token once it has one),
signs in when there is no session to resume (with a one-time code from the web console
once, ``code_login``; then with the login token that gave; else as a guest), forwards every decoded message,
and reconnects with backoff when the connection drops. Status changes arrive in the
inbox as ``LinkStatus``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass

import msgspec
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from client.visit import CODE_RID
from world.protocol import messages as M
from world.protocol.codec import ProtocolError, decode_server, encode
from world.protocol.constants import SUBPROTOCOL

log = logging.getLogger(__name__)

BACKOFF = (0.25, 0.5, 1.0, 2.0, 4.0)


@dataclass(frozen=True, slots=True)
class LinkStatus:
    state: str  # connected | disconnected | closed
    detail: str = ""


class Link:
    def __init__(self, url: str, name: str, color: int | None = None, code: str | None = None) -> None:
        self.url = url
        self.name = name
        self.color = color
        self.code = code  # a one-time sign-in code from the web console (used once)
        self.token: str | None = None  # the login token a code gave: signs in again after a drop
        self.inbox: queue.SimpleQueue[msgspec.Struct | LinkStatus] = queue.SimpleQueue()
        self.resume: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._out: asyncio.Queue[bytes] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cloudpark-link", daemon=True)
        self._ready = threading.Event()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(5.0)

    def send(self, msg: msgspec.Struct) -> None:
        if self._loop is None or self._out is None:
            return
        data = encode(msg)
        self._loop.call_soon_threadsafe(self._out.put_nowait, data)

    def close(self) -> None:
        self._stop.set()
        loop, ws = self._loop, self._ws
        if loop is not None and ws is not None and not loop.is_closed():
            loop.call_soon_threadsafe(lambda: loop.create_task(ws.close()))
        self._thread.join(timeout=3.0)

    def sign_in_with_code(self, code: str) -> None:
        """Start a new session signed in with ``code``: the current one closes normally
        (its avatar leaves) and the link reconnects at once. A refused code leaves the
        person as they were: signed in again with the login token they had, else a guest."""
        self.code, self.resume = code.strip(), None
        loop, ws = self._loop, self._ws
        if loop is not None and ws is not None and not loop.is_closed():
            loop.call_soon_threadsafe(lambda: loop.create_task(ws.close()))

    def _sign_in(self) -> msgspec.Struct:
        if self.code:
            code, self.code = self.code, None
            return M.CodeLogin(code=code, id=CODE_RID)
        if self.token:
            return M.TokenLogin(token=self.token)
        return M.Guest(name=self.name, color=self.color)

    def drop(self) -> None:
        """Break the current connection (tests of reconnect use this)."""
        if self._loop is not None and self._ws is not None:
            ws = self._ws
            self._loop.call_soon_threadsafe(lambda: ws.transport.abort())

    # --- the loop ------------------------------------------------------------------

    _ws = None

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._out = asyncio.Queue()
        self._ready.set()
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                async with connect(self.url, subprotocols=[SUBPROTOCOL], compression=None,  # type: ignore[list-item]
                                   open_timeout=5, max_size=4 * 1024 * 1024) as ws:
                    self._ws = ws
                    attempt = 0
                    self.inbox.put(LinkStatus("connected"))
                    await self._session(ws)
            except (OSError, ConnectionClosed, TimeoutError) as exc:
                log.info("link: %s", exc)
            finally:
                self._ws = None
            if self._stop.is_set():
                break
            self.inbox.put(LinkStatus("disconnected", "reconnecting"))
            wait = BACKOFF[min(attempt, len(BACKOFF) - 1)]
            while wait > 0 and not self._stop.is_set():
                await asyncio.sleep(0.05)
                wait -= 0.05
            attempt += 1
        self.inbox.put(LinkStatus("closed"))

    async def _session(self, ws: object) -> None:
        assert self._out is not None
        while not self._out.empty():  # whatever was queued while offline is stale
            self._out.get_nowait()
        await ws.send(encode(M.Hello(v=1, client="cloudpark-panda3d", resume=self.resume)))  # type: ignore[attr-defined]
        sender = asyncio.create_task(self._pump(ws))
        try:
            async for data in ws:  # type: ignore[attr-defined]
                if self._stop.is_set():
                    break
                try:
                    msg = decode_server(data)
                except ProtocolError as exc:
                    log.warning("link: undecodable message: %s", exc)
                    continue
                if isinstance(msg, M.Welcome) and self.resume is None:
                    await ws.send(encode(self._sign_in()))  # type: ignore[attr-defined]
                elif isinstance(msg, M.Error) and msg.re == CODE_RID:  # refused (or rate-limited)
                    await ws.send(encode(self._sign_in()))  # type: ignore[attr-defined]  # as before: token or guest
                elif isinstance(msg, M.Error) and msg.code == "auth_failed" and self.resume is not None:
                    self.resume = None  # the resume token expired: sign in afresh (token or guest)
                    await ws.send(encode(self._sign_in()))  # type: ignore[attr-defined]
                elif isinstance(msg, M.Error) and msg.code == "auth_failed" and self.token is not None:
                    self.token = None  # the login token was revoked: a guest
                    await ws.send(encode(self._sign_in()))  # type: ignore[attr-defined]
                elif isinstance(msg, M.Session):
                    self.resume = msg.resume
                    if msg.token:
                        self.token = msg.token
                self.inbox.put(msg)
        finally:
            sender.cancel()

    async def _pump(self, ws: object) -> None:
        assert self._out is not None
        while True:
            data = await self._out.get()
            await ws.send(data)  # type: ignore[attr-defined]
