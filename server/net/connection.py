"""One websocket connection: frames in, frames out, around the sans-I/O session.

Reading: each frame goes into ``world.protocol.session.ServerSession``, which
decodes, validates and checks state and rates; movement input goes straight to the
room (the hot path), every other message to ``server.dispatch``. Writing: every frame
is written straight into the transport (``push``), never awaited, so replies,
pushes and snapshots keep their order; fan-out to many listeners (chat) waits in the
outbox for the listener's next write (``push_later``). A client whose unsent bytes
pass ``max_buffer`` is closed 4004 at once: memory stays bounded.

A connection closed by a rule (flood, too many errors, too slow) keeps reading and
discarding what the peer still sends, so the peer's close frame is seen and the close
completes at once instead of after the close timeout.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import msgspec
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from server.dispatch import Dispatcher
from server.metrics import Metrics
from server.net import frame_writes
from server.net.game_link import GameLink
from server.presence import Visitor
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import CloseCode, ErrorCode
from world.protocol.session import ServerSession, SessionLimits

log = logging.getLogger("cloudpark.connection")
_closing: set[asyncio.Task[None]] = set()
POLICY_CLOSE_TIMEOUT = 1.0  # seconds a rule-breaking peer gets to answer our close frame


_OPEN = State.OPEN
_SHORT_HEADERS = [bytes((0x82, n)) for n in range(126)]


def binary_frame_header(n: int) -> bytes:
    """The header of a final, unmasked binary websocket frame (RFC 6455 5.2) of ``n`` bytes."""
    if n < 126:
        return _SHORT_HEADERS[n]
    if n < 0x10000:
        return b"\x82\x7e" + n.to_bytes(2, "big")
    return b"\x82\x7f" + n.to_bytes(8, "big")


def _reason_name(code: int) -> str:
    try:
        return CloseCode(code).name.lower()
    except ValueError:
        return str(code)


class PendingWrites:
    """Connections with fan-out waiting in their outbox; the ticker flushes them at the
    end of each tick (what a snapshot write did not already carry)."""

    def __init__(self) -> None:
        self.connections: set[Connection] = set()

    def flush_all(self) -> None:
        if self.connections:
            for conn in self.connections:
                conn.flush_outbox()
            self.connections.clear()


class Connection:
    """The server side of one game websocket (implements ``server.presence.Peer``)."""

    def __init__(self, ws: ServerConnection | GameLink, ip: str, limits: SessionLimits, now: float,
                 dispatcher: Dispatcher, metrics: Metrics, pending: PendingWrites, max_buffer: int) -> None:
        self.ws = ws
        self.ip = ip
        self.session = ServerSession(limits, now)
        self.dispatcher = dispatcher
        self.metrics = metrics
        self.pending = pending
        self.max_buffer = max_buffer
        self.visitor: Visitor | None = None  # set by the listener right after admission
        self.closing = False
        self.close_task: asyncio.Task[None] | None = None
        self.outbox: list[bytes] = []
        self.outbox_bytes = 0
        self._now: Any = None  # the monotonic clock, from ``serve``
        self.transport: Any = ws.transport  # set once the socket is accepted, the same until it ends
        self.protocol = ws.protocol  # websockets' state machine (``state``: open or not)

    # --- writing (never awaits) ------------------------------------------------------

    def _open_transport(self) -> Any:
        if self.protocol.state is not _OPEN:
            return None
        transport = self.transport
        if transport is None or transport.is_closing():
            return None
        return transport

    def push(self, data: bytes) -> bool:
        """Write one encoded message as a frame (after whatever waits in the outbox)."""
        transport = self._open_transport()
        if transport is None:
            return False
        # One unfragmented, unmasked binary frame written straight into the transport
        # (compression is off): what websockets' send would write, at a fraction of
        # its cost. Order with websockets' own writes (pings, close) is kept: both
        # write synchronously to the transport.
        out = binary_frame_header(len(data)) + data
        transport.write(self._take_outbox() + out if self.outbox else out)
        self._sent(len(data))
        return True

    def push_later(self, data: bytes) -> bool:
        """``push`` for fan-out: the frame rides this client's next write."""
        if self._open_transport() is None:
            return False
        self.outbox.append(binary_frame_header(len(data)) + data)
        self.outbox_bytes += len(data)
        self.pending.connections.add(self)
        self._sent(len(data))
        return True

    def push_snapshot(self, data: bytes) -> bool:
        """``push`` for the ticker: counted in bulk by the ticker, and never above the
        high-water mark (the ticker holds snapshots back from a client behind)."""
        transport = self._open_transport()
        if transport is None:
            return False
        out = binary_frame_header(len(data)) + data
        transport.write(self._take_outbox() + out if self.outbox else out)
        return True

    # ``push_frame(frame) -> bool``: ``push_snapshot`` for a frame already framed
    # (``Room.build_frames``: the websocket header and the body, a slice of the build's
    # one buffer); compiled, with ``buffered``, as the ticker calls both per client a tick.
    push_frame = frame_writes.push_frame
    buffered = frame_writes.buffered

    def _sent(self, size: int) -> None:
        m = self.metrics
        m.bytes_out += size
        m.messages_out += 1
        if not self.closing:
            waiting = self.buffered()
            if waiting > self.max_buffer:
                self.bye(CloseCode.TOO_SLOW, f"too slow: {waiting} bytes waiting to be sent")

    def _take_outbox(self) -> bytes:
        data = b"".join(self.outbox)
        self.outbox.clear()
        self.outbox_bytes = 0
        return data

    def flush_outbox(self) -> None:
        if not self.outbox:
            return
        data = self._take_outbox()
        transport = self._open_transport()
        if transport is not None:
            transport.write(data)

    def send(self, msg: msgspec.Struct) -> None:
        """A reply: through the session (which drops it once closed), then written."""
        self.session.send(msg)
        self.flush()

    def auth_failed(self, detail: str, rid: int) -> None:
        self.session.auth_failed(detail, rid)
        self.flush()

    def flush(self) -> None:
        own = self.session.own_errors  # errors the session's own rules sent: counted here, once
        if own:
            errors = self.metrics.errors
            for code, n in own.items():
                errors[code] += n
            own.clear()
        for data in self.session.data_to_send():
            self.push(data)
        if self.session.close_code and not self.closing:
            self.close(int(self.session.close_code), self.session.close_reason or "")

    # --- closing ---------------------------------------------------------------------

    def close(self, code: int, reason: str) -> None:
        """Start the close handshake without waiting (safe from the ticker)."""
        if self.closing:
            return
        self.flush_outbox()
        self.closing = True
        self.metrics.dropped[_reason_name(code)] += 1
        if code >= 4000 or code == CloseCode.MESSAGE_TOO_BIG:
            self.ws.close_timeout = POLICY_CLOSE_TIMEOUT
        task = asyncio.get_running_loop().create_task(self.ws.close(code, reason[:120]))
        self.close_task = task
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    def bye(self, code: int, reason: str) -> None:
        """``bye`` (code and reason as a message), then the close."""
        if self.closing:
            return
        self.closing = True  # before the push: a bye never triggers another
        self.push(encode(M.Bye(code=int(code), reason=reason)))
        self.closing = False
        self.close(code, reason)

    def sweep(self, mono: float) -> None:
        """The handshake and idle deadlines (the session's own rule), from the ticker."""
        if self.closing:
            return
        session = self.session
        session.check_timeouts(mono)
        if session.has_data_to_send() or session.close_code or session.own_errors:
            self.flush()

    # --- reading ---------------------------------------------------------------------

    def take_input(self, frame: bytes) -> bool:
        """The hot path for movement input, called from the websocket's ``data_received``
        while ``serve`` waits for a frame: an ``in`` frame goes to the room at once,
        without websockets' message queue and the wake-up of the reading task. False:
        not taken (another message, a bad frame, closing); ``serve`` reads it as before,
        so the order of messages is kept."""
        if self.closing:
            return False
        session = self.session
        taken, msg = session.receive_input(frame, self._now())
        if not taken:
            return False
        metrics = self.metrics
        metrics.bytes_in += len(frame)
        metrics.messages_in += 1
        if msg is not None:
            visitor = self.visitor
            park, eid = visitor.park, visitor.eid  # type: ignore[union-attr]
            if park is not None and eid is not None:
                park.room.queue_input(eid, msg)
        if session.has_data_to_send() or session.close_code or session.own_errors:
            self.flush()
        return True

    async def serve(self, now: Any) -> None:
        """Read frames until the connection ends. ``now`` is the monotonic clock."""
        self._now = now
        ws = self.ws
        if hasattr(ws, "input_taker"):
            ws.input_taker = self.take_input
        try:
            await self._read(now)
        finally:
            if hasattr(ws, "input_taker"):
                ws.input_taker = None

    async def _read(self, now: Any) -> None:
        recv = self.ws.recv
        metrics = self.metrics
        session = self.session
        dispatcher = self.dispatcher
        visitor = self.visitor
        assert visitor is not None
        while True:
            try:
                frame = await recv()
            except ConnectionClosed:
                return
            if self.closing:  # drain: the peer's close frame is behind what it still sends
                continue
            metrics.bytes_in += len(frame)
            metrics.messages_in += 1
            messages = session.receive(frame, now())  # a text frame (str) is answered `malformed`
            for msg in messages:
                if type(msg) is M.Input:  # the hot path: no table lookup, no await
                    park, eid = visitor.park, visitor.eid
                    if park is not None and eid is not None:
                        park.room.queue_input(eid, msg)
                else:
                    await dispatcher.handle(visitor, self, msg)
                    if self.closing:
                        break
            if session.has_data_to_send() or session.close_code or session.own_errors:
                self.flush()

    def error(self, code: ErrorCode, text: str, rid: int = 0) -> None:
        self.dispatcher.error(self, code, text, rid)
