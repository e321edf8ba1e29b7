"""The game websocket on picows: frames parsed in compiled code, one callback a frame.

``GameLink`` is a picows listener that carries the part of websockets' server
connection that ``Connection`` and ``Listener`` use (``transport``,
``protocol.state``, ``protocol.close_rcvd``, ``recv``, ``send``, ``close``,
``close_timeout``, ``input_taker``), so one connection class serves both sockets:
websockets for everything on the port that is not a game upgrade (``server.net.door``
decides), picows for the game websocket. What the link does itself, as websockets
did: fragmented messages are put together (at most ``max_message`` bytes: 1009);
text must be UTF-8 (1007); reserved bits and stray continuations are protocol
errors (1002); a peer's close frame is answered with its code and the socket shut;
a close of ours waits ``close_timeout`` for the peer's answer, then aborts. Reading
pauses while ``max_queue`` messages wait for the reader.

``make_protocol`` builds picows' protocol for a socket the door hands over; picows
does the handshake (validating the upgrade headers, answering 101 or 400), keepalive
pings and pong replies.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, cast

from picows import (
    WSAutoPingStrategy,
    WSCloseCode,
    WSFrame,
    WSListener,
    WSMsgType,
    WSTransport,
    WSUpgradeRequest,
    WSUpgradeResponse,
    WSUpgradeResponseWithListener,
)
from picows.picows import WSProtocol  # type: ignore[attr-defined]  # the protocol ws_create_server builds
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close
from websockets.protocol import State

log = logging.getLogger("cloudpark.link")
_BINARY = WSMsgType.BINARY
_TEXT = WSMsgType.TEXT
_CONTINUATION = WSMsgType.CONTINUATION
_CLOSE = WSMsgType.CLOSE
_OPEN = State.OPEN
_CLOSING = State.CLOSING
_CLOSED = State.CLOSED
NO_STATUS = 1005  # what a close frame without a code reads as (RFC 6455 7.1.5)


class GameLink(WSListener):
    """One game websocket (picows' listener), read and closed the way ``Connection`` expects."""

    def __init__(self, handler: Callable[[GameLink], Awaitable[None]], tasks: set[asyncio.Task[None]],
                 links: set[GameLink], *, max_message: int, max_queue: int, close_timeout: float) -> None:
        super().__init__()
        self.handler = handler
        self.tasks = tasks
        self.links = links
        self.max_message = max_message
        self.max_queue = max_queue
        self.close_timeout = close_timeout
        self.wst: WSTransport | None = None
        self.transport: Any = None  # the asyncio transport under the websocket: frames are written to it
        self.protocol = self  # ``state`` and ``close_rcvd`` live here, where websockets keeps them
        self.state = State.CONNECTING
        self.close_rcvd: Close | None = None
        self.close_sent: Close | None = None
        self.close_rcvd_then_sent: bool | None = None  # who closed first, once both frames went
        # Set by the game connection while it reads (``Connection.take_input``).
        self.input_taker: Callable[[bytes], bool] | None = None
        self._messages: deque[bytes | str] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self._parts: list[bytes] | None = None  # a fragmented message so far
        self._parts_text = False
        self._parts_size = 0
        self._gone: asyncio.Future[None] | None = None

    # --- picows' callbacks -----------------------------------------------------------

    def on_ws_connected(self, transport: WSTransport) -> None:
        self.wst = transport
        self.transport = transport.underlying_transport
        self.state = _OPEN
        loop = asyncio.get_running_loop()
        self._gone = loop.create_future()
        self.links.add(self)
        task = loop.create_task(self._run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        kind = frame.msg_type
        if kind == _BINARY and frame.fin and self._parts is None and not frame.rsv1:
            self._deliver(frame.get_payload_as_bytes())  # the hot path: one input a frame
        elif kind == _BINARY or kind == _TEXT:
            self._first_part(frame, kind == _TEXT)
        elif kind == _CONTINUATION:
            self._next_part(frame)
        elif kind == _CLOSE:
            self._peer_closed(frame)
        # ping: picows answers it; pong: picows' keepalive reads it

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        self.state = _CLOSED
        self.links.discard(self)
        self._wake()
        if self._gone is not None and not self._gone.done():
            self._gone.set_result(None)

    # --- messages in -----------------------------------------------------------------

    def _first_part(self, frame: WSFrame, text: bool) -> None:
        if frame.rsv1 or frame.rsv2 or frame.rsv3:
            self._fail(WSCloseCode.PROTOCOL_ERROR, "reserved bits must be 0")
        elif self._parts is not None:
            self._fail(WSCloseCode.PROTOCOL_ERROR, "expected a continuation frame")
        elif frame.fin:
            self._finish([frame.get_payload_as_bytes()], text)
        else:
            self._parts, self._parts_text, self._parts_size = [], text, 0
            self._add_part(frame)

    def _next_part(self, frame: WSFrame) -> None:
        if self._parts is None:
            self._fail(WSCloseCode.PROTOCOL_ERROR, "unexpected continuation frame")
            return
        self._add_part(frame)
        if frame.fin and self._parts is not None:
            parts, text = self._parts, self._parts_text
            self._parts = None
            self._finish(parts, text)

    def _add_part(self, frame: WSFrame) -> None:
        assert self._parts is not None
        self._parts_size += frame.payload_size
        if self._parts_size > self.max_message:
            self._parts = None
            self._fail(WSCloseCode.MESSAGE_TOO_BIG, f"message over {self.max_message} bytes")
            return
        self._parts.append(frame.get_payload_as_bytes())

    def _finish(self, parts: list[bytes], text: bool) -> None:
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        if not text:
            self._deliver(data)
            return
        try:
            self._deliver(data.decode("utf-8"))
        except UnicodeDecodeError:
            self._fail(WSCloseCode.INVALID_TEXT, "invalid UTF-8 in a text frame")

    def _deliver(self, message: bytes | str) -> None:
        """A message for the reader: an input frame goes straight to the hot path when the
        reader waits with nothing queued before it (so the order of messages holds)."""
        if self.state is not _OPEN and self.state is not _CLOSING:
            return
        taker = self.input_taker
        if (taker is not None and self._waiter is not None and not self._messages
                and type(message) is bytes and taker(message)):
            return
        self._messages.append(message)
        if len(self._messages) >= self.max_queue and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def recv(self) -> bytes | str:
        """The next message; ``ConnectionClosed`` once the peer's close frame is read or the
        socket is gone and nothing is left."""
        messages = self._messages
        while not messages:
            if self.state is _CLOSED or self.close_rcvd is not None:
                raise self._closed()
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        message = messages.popleft()
        if self._paused and len(messages) <= self.max_queue // 4:
            self._paused = False
            if self.state is not _CLOSED:
                self.transport.resume_reading()
        return message

    def _closed(self) -> ConnectionClosed:
        rcvd, sent = self.close_rcvd, self.close_sent
        first = None if rcvd is None or sent is None else bool(self.close_rcvd_then_sent)
        return ConnectionClosed(rcvd, sent, first)

    # --- messages out, closing -------------------------------------------------------

    async def send(self, data: bytes) -> None:
        """One binary message (the hot paths write prepared frames to ``transport``)."""
        if self.state is _OPEN and self.wst is not None:
            self.wst.send(_BINARY, data)

    def _send_close(self, code: int | WSCloseCode, reason: str) -> None:
        code = cast(int, code)  # picows' enum names the RFC's codes; ours (4000-4999) pass through
        self.close_sent = Close(code, reason)
        if self.close_rcvd is not None:
            self.close_rcvd_then_sent = True
        self.state = _CLOSING
        assert self.wst is not None
        self.wst.send_close(cast(WSCloseCode, code), reason.encode()[:123])

    def _fail(self, code: int | WSCloseCode, reason: str) -> None:
        """A protocol error of the peer's: close with ``code`` and shut the socket."""
        if self.state is _OPEN:
            self._send_close(code, reason)
        self._wake()
        if self.wst is not None:
            self.wst.disconnect()

    def _peer_closed(self, frame: WSFrame) -> None:
        code = cast(int, frame.get_close_code()) or NO_STATUS
        try:
            reason = frame.get_close_reason() or ""
        except UnicodeDecodeError:
            reason = ""
        self.close_rcvd = Close(code, reason)
        if self.close_sent is not None:
            self.close_rcvd_then_sent = False
        if self.state is _OPEN:  # the peer closed first: answer with its code
            self._send_close(code if code != NO_STATUS else 1000, reason)
        self._wake()
        assert self.wst is not None
        self.wst.disconnect()  # the server shuts the TCP connection once both close frames are out

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Send our close frame and wait (``close_timeout``) for the peer's; then the socket
        is shut either way."""
        if self.state is _OPEN:
            self._send_close(code, reason)
        gone = self._gone
        if gone is None or self.wst is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(gone), self.close_timeout)
        except TimeoutError:
            self.wst.disconnect(False)
            await asyncio.shield(gone)

    async def wait_closed(self) -> None:
        if self._gone is not None:
            await asyncio.shield(self._gone)

    async def _run(self) -> None:
        try:
            await self.handler(self)
        except Exception:
            log.error("game connection handler failed", exc_info=True)
        finally:
            if self.state is _OPEN:  # as websockets' own connection does when its handler returns
                await self.close(1000, "")
            else:
                await self.wait_closed()


def make_protocol(new_link: Callable[[], GameLink], *, subprotocol: str, server_header: str,
                  handshake_timeout: float, max_frame: int, ping_every: float, ping_timeout: float) -> Any:
    """picows' server protocol for one socket: the handshake, then ``new_link()`` listens."""

    def listener_for(request: WSUpgradeRequest) -> WSUpgradeResponseWithListener:
        headers = {"Server": server_header}
        offered = (p.strip() for h in request.headers.getall("Sec-WebSocket-Protocol", []) for p in h.split(","))
        if subprotocol in offered:
            headers["Sec-WebSocket-Protocol"] = subprotocol
        return WSUpgradeResponseWithListener(WSUpgradeResponse.create_101_response(headers), new_link())

    return WSProtocol(
        None, None, False, listener_for, log, True, handshake_timeout,
        True, ping_every, ping_timeout, WSAutoPingStrategy.PING_WHEN_IDLE,
        True, max_frame, None, 4096,
    )


def hand_over(transport: asyncio.Transport, protocol: Any, data: bytes) -> None:
    """Give an accepted socket, and the bytes already read from it, to ``protocol`` (a
    buffered protocol: picows')."""
    transport.set_protocol(protocol)
    protocol.connection_made(transport)
    view = memoryview(data)
    while view:
        buf = protocol.get_buffer(len(view))
        n = min(len(buf), len(view))
        buf[:n] = view[:n]
        protocol.buffer_updated(n)
        view = view[n:]
