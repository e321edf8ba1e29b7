"""The listening socket: admission before and after the websocket upgrade.

Before the upgrade (``GatedConnection``): at most ``max_pending_per_ip`` sockets per
address and ``max_pending`` in all may sit in the opening handshake (or a plain HTTP
request); more are closed at once and logged (one line per 10 s with counts). The
soft descriptor limit is raised to the hard one at start, and the connection caps are
kept below it, so idle sockets can never lock newcomers and ``/healthz`` out.

After the upgrade (``Listener.handle``): ``Presence.refusal`` (total and per-address
limits, avatars held for resume included) or a ``bye`` 4006 and close.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import socket
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.frames import Opcode

from server.clock import Clock
from server.config import ServerConfig
from server.dispatch import Dispatcher
from server.metrics import Metrics
from server.net.connection import Connection, PendingWrites
from server.net.door import Way, way_of
from server.net.game_link import GameLink, hand_over, make_protocol
from server.net.http import Routes
from server.presence import Presence
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import FRAME_READ_LIMIT, SUBPROTOCOL, CloseCode
from world.protocol.session import SessionLimits

log = logging.getLogger("cloudpark.listener")
MAX_QUEUE = 32  # messages waiting for a connection's reader before reading pauses
PING_EVERY_S = 20.0  # keepalive: a ping after this long (picows: this long without a frame) ...
PING_TIMEOUT_S = 20.0  # ... and the connection is dropped if no pong comes within this
CLOSE_TIMEOUT_S = 5.0  # how long our close frame waits for the peer's
SERVER_HEADER = "CloudPark"
REFUSAL_LOG_EVERY_S = 10.0
FD_MARGIN = 64  # descriptors kept for the database, scene files, logs


def raise_descriptor_limit() -> int:
    """Raise the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 16)
    if want > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
            soft = want
        except (ValueError, OSError) as exc:
            log.warning("could not raise the descriptor limit from %d: %s", soft, exc)
    return soft


class Gate:
    """Counts sockets that have not (yet) upgraded, per address."""

    def __init__(self, per_ip: int, total: int, clock: Clock) -> None:
        self.per_ip_limit = per_ip
        self.total_limit = total
        self.clock = clock
        self.pending: Counter[str] = Counter()
        self.refused = 0
        self._refused_since_log = 0
        self._last_log = -REFUSAL_LOG_EVERY_S

    def admit(self, ip: str) -> bool:
        if self.pending[ip] >= self.per_ip_limit or sum(self.pending.values()) >= self.total_limit:
            self.refused += 1
            self._refused_since_log += 1
            now = self.clock.monotonic()
            if now - self._last_log >= REFUSAL_LOG_EVERY_S:
                log.warning("refused %d socket(s) before the upgrade (latest from %s: %d pending from it, "
                            "%d pending in all)", self._refused_since_log, ip, self.pending[ip],
                            sum(self.pending.values()))
                self._refused_since_log = 0
                self._last_log = now
            return False
        self.pending[ip] += 1
        return True

    def done(self, ip: str) -> None:
        self.pending[ip] -= 1
        if self.pending[ip] <= 0:
            del self.pending[ip]


def _ip_of(transport: Any) -> str:
    peer = transport.get_extra_info("peername")
    return str(peer[0]) if peer else "?"


def gated(gate: Gate, game_protocol: Callable[[], Any] | None = None,
          head_timeout: float = 10.0) -> type[ServerConnection]:
    """websockets' connection with the gate in front; with ``game_protocol`` (picows'),
    also the door: the request head is read first, and a game upgrade is handed to a
    new ``game_protocol()`` instead (``server.net.door``)."""

    class GatedConnection(ServerConnection):
        gate_ip = ""
        gate_pending = False
        # Set by the game connection while it reads (``Connection.take_input``).
        input_taker: Callable[[bytes], bool] | None = None
        door_head: bytearray | None = None  # the request head while the door reads it
        door_timer: asyncio.TimerHandle | None = None
        door_transport: asyncio.Transport | None = None

        def process_event(self, event: Any) -> None:
            """Frames parsed by websockets' own protocol: a complete binary frame is offered
            to the hot path when the reader waits and nothing is queued before it (so
            the order of messages holds); everything else takes websockets' way."""
            taker = self.input_taker
            if (taker is not None and event.opcode is Opcode.BINARY and event.fin
                    and self.recv_messages.get_in_progress and not len(self.recv_messages.frames)
                    and taker(event.data)):
                return
            super().process_event(event)

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            ip = _ip_of(transport)
            if game_protocol is not None:  # the door reads the head before websockets sees it
                self.door_transport = cast(asyncio.Transport, transport)
                if not gate.admit(ip):
                    self.door_transport.abort()
                    return
                self.gate_ip, self.gate_pending = ip, True
                self.door_head = bytearray()
                self.door_timer = asyncio.get_running_loop().call_later(head_timeout, self.door_transport.abort)
                return
            super().connection_made(transport)
            if not gate.admit(ip):
                transport.abort()
                return
            self.gate_ip, self.gate_pending = ip, True

        def data_received(self, data: bytes) -> None:
            head = self.door_head
            if head is None:
                super().data_received(data)
                return
            head += data
            way = way_of(head)
            if way is Way.WAIT:
                return
            transport = self.door_transport
            assert transport is not None and self.door_timer is not None and game_protocol is not None
            self.door_timer.cancel()
            self.door_head = self.door_transport = None
            if way is Way.GAME:
                self.upgraded()  # the whole head is read: picows answers it at once
                hand_over(transport, game_protocol(), bytes(head))
                return
            super().connection_made(transport)
            super().data_received(bytes(head))

        def upgraded(self) -> None:
            if self.gate_pending:
                self.gate_pending = False
                gate.done(self.gate_ip)

        def connection_lost(self, exc: Exception | None) -> None:
            self.upgraded()
            if self.door_transport is not None:  # gone (or refused) before websockets saw it
                if self.door_timer is not None:
                    self.door_timer.cancel()
                self.door_head = self.door_transport = None
                return
            super().connection_lost(exc)

    return GatedConnection


class Listener:
    def __init__(self, cfg: ServerConfig, presence: Presence, dispatcher: Dispatcher, metrics: Metrics,
                 clock: Clock, limits: SessionLimits, routes: Routes, pending: PendingWrites,
                 is_stopping: Callable[[], bool]) -> None:
        self.cfg = cfg
        self.presence = presence
        self.dispatcher = dispatcher
        self.metrics = metrics
        self.clock = clock
        self.limits = limits
        self.routes = routes
        self.pending = pending
        self.is_stopping = is_stopping
        self.connections: set[Connection] = set()
        self.gate = Gate(cfg.max_pending_per_ip, cfg.max_pending, clock)
        self.server: Server | None = None
        self.max_connections = cfg.max_connections
        self.links: set[GameLink] = set()  # open game websockets on picows
        self.link_tasks: set[asyncio.Task[None]] = set()  # their handlers

    async def start(self) -> None:
        cfg = self.cfg
        soft = raise_descriptor_limit()
        room = soft - FD_MARGIN - cfg.max_pending
        if room < cfg.max_connections:
            log.warning("descriptor limit %d: at most %d game connections (max_connections %d lowered)",
                        soft, max(room, 1), cfg.max_connections)
            self.max_connections = max(room, 1)
        max_size = max(FRAME_READ_LIMIT, cfg.max_frame)
        game = self._game_protocol if cfg.game_socket == "picows" else None
        self.server = await serve(
            self.handle, cfg.host, cfg.port, create_connection=gated(self.gate, game, cfg.handshake_timeout),
            process_request=self.routes, compression=None, max_size=max_size,
            max_queue=MAX_QUEUE, open_timeout=cfg.handshake_timeout, ping_interval=PING_EVERY_S,
            ping_timeout=PING_TIMEOUT_S, close_timeout=CLOSE_TIMEOUT_S, subprotocols=[SUBPROTOCOL],
            select_subprotocol=_any_subprotocol, server_header=SERVER_HEADER,
        )

    def _game_protocol(self) -> Any:
        """picows' protocol for a game upgrade the door hands over (``cfg.game_socket``)."""
        max_size = max(FRAME_READ_LIMIT, self.cfg.max_frame)

        def new_link() -> GameLink:
            return GameLink(self.handle, self.link_tasks, self.links, max_message=max_size,
                            max_queue=MAX_QUEUE, close_timeout=CLOSE_TIMEOUT_S)

        return make_protocol(new_link, subprotocol=SUBPROTOCOL, server_header=SERVER_HEADER,
                             handshake_timeout=self.cfg.handshake_timeout, max_frame=max_size,
                             ping_every=PING_EVERY_S, ping_timeout=PING_TIMEOUT_S)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self.server is not None:
            self.server.close(close_connections=True)
            links = [link.close(1001, "") for link in list(self.links)]
            if links:
                await asyncio.gather(*links)
            if self.link_tasks:
                await asyncio.wait(list(self.link_tasks))
            await self.server.wait_closed()

    async def handle(self, ws: ServerConnection | GameLink) -> None:
        if hasattr(ws, "upgraded"):
            ws.upgraded()
        ip = _ip_of(ws.transport)
        if self.is_stopping():
            await ws.close(CloseCode.GOING_AWAY, "the server is shutting down")
            return
        refusal = self.presence.refusal(ip, self.max_connections)
        if refusal is not None:
            self.metrics.dropped["server_full"] += 1
            log.info("refused a game connection from %s: %s", ip, refusal)
            await ws.send(encode(M.Bye(code=CloseCode.SERVER_FULL, reason=refusal)))
            await ws.close(CloseCode.SERVER_FULL, refusal)
            return
        if self.cfg.send_buffer:  # less kernel buffering: a client that stops reading is noticed sooner
            sock = ws.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.cfg.send_buffer)
        conn = Connection(ws, ip, self.limits, self.clock.monotonic(), self.dispatcher, self.metrics,
                          self.pending, self.cfg.max_buffer)
        visitor = self.presence.connected(conn)
        conn.visitor = visitor
        self.connections.add(conn)
        try:
            await conn.serve(self.clock.monotonic)
            if conn.close_task is not None:  # returning first would close with 1000 instead
                await conn.close_task
        finally:
            self.connections.discard(conn)
            rcvd = ws.protocol.close_rcvd
            said_goodbye = not conn.closing and rcvd is not None and rcvd.code in (1000, 1001)
            self.presence.disconnected(visitor, said_goodbye=said_goodbye, stopping=self.is_stopping(),
                                       now=self.clock.now(), mono=self.clock.monotonic())

    def sweep(self, mono: float) -> None:
        for conn in list(self.connections):
            conn.sweep(mono)

    def bye_all(self, code: int, reason: str) -> None:
        for conn in list(self.connections):
            conn.bye(code, reason)


def _any_subprotocol(connection: ServerConnection, offered: Any) -> Any:
    """Accept our subprotocol when offered; a client offering none still connects."""
    return SUBPROTOCOL if SUBPROTOCOL in offered else None
