"""One websocket connection: the thin shell around ``world.protocol.session.ServerSession``.

Frames go into the session, which decodes, validates and checks state and rates;
the messages it lets through are dispatched here to the room (queue/API calls on
the loop thread), the store (awaited only when the client is told the result) or
the front and booth desks. Everything written to the client goes through ``push``,
a transport-level write that never awaits, so replies and snapshots keep their order.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import msgspec
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from server import booth_desk, front_desk
from server.identity import Who
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import CloseCode, ErrorCode

if TYPE_CHECKING:
    from server.app import App, HostedPark

log = logging.getLogger("cloudpark.connection")
_closing: set[asyncio.Task[None]] = set()


class Client:
    def __init__(self, app: App, ws: ServerConnection, ip: str) -> None:
        from world.protocol.session import ServerSession

        self.app = app
        self.ws = ws
        self.ip = ip
        self.session = ServerSession(front_desk.session_limits(app), time.monotonic())
        self.who: Who | None = None
        self.park: HostedPark | None = None
        self.eid: int | None = None
        self.resume_token = ""
        self.liked: set[tuple[str, str]] = set()  # (park, booth) this user liked: `booth.liked`
        self.behind_since: float | None = None
        self.closing = False
        self.close_task: asyncio.Task[None] | None = None
        self.opened_at = time.monotonic()
        self.last_rx = self.opened_at
        self.outbox: list[bytes] = []  # framed fan-out (chat lines) for the next write, in order
        self.outbox_bytes = 0

    # --- writing (never awaits) ----------------------------------------------------

    def push(self, data: bytes) -> bool:
        """Write one encoded frame into the transport; False if the connection is not open.

        Snapshots are held back from a client above the high-water mark (the ticker);
        what else is pushed (replies, booth pages, chat) is written, but a client whose
        write buffer passes ``max_buffer`` is dropped at once: memory stays bounded.
        Frames waiting in the outbox (``push_later``) go first, in the same write."""
        ws = self.ws
        if ws.protocol.state is not State.OPEN:
            return False
        transport = ws.transport
        if transport is None or transport.is_closing():
            return False
        # One unfragmented, unmasked binary frame written straight into the transport
        # (compression is off): what websockets' send would write, at a fraction of
        # its per-call cost on the snapshot hot path. Order with websockets' own
        # writes (pings, close) is kept: both write synchronously to the transport.
        out = binary_frame_header(len(data)) + data
        transport.write(self._take_outbox() + out if self.outbox else out)
        self._sent(len(data))
        return True

    def push_later(self, data: bytes) -> bool:
        """``push`` for fan-out (a chat line to everyone near): the frame waits in the
        outbox and goes out with this client's next write (its snapshot, a reply, or the
        ticker's ``flush_outbox`` at the end of the tick), so a crowd's chat costs no
        extra system call per listener. Order with everything else pushed is kept."""
        ws = self.ws
        transport = ws.transport
        if ws.protocol.state is not State.OPEN or transport is None or transport.is_closing():
            return False
        self.outbox.append(binary_frame_header(len(data)) + data)
        self.outbox_bytes += len(data)
        self.app.outboxes.add(self)
        self._sent(len(data))
        return True

    def _sent(self, size: int) -> None:
        """Count one frame out; a client whose unsent bytes pass max_buffer is closed 4004."""
        m = self.app.metrics
        m.bytes_out += size
        m.messages_out += 1
        if not self.closing:
            waiting = self.buffered()
            if waiting > self.app.config.max_buffer:
                self.bye(CloseCode.TOO_SLOW, f"too slow: {waiting} bytes waiting to be sent")

    def _take_outbox(self) -> bytes:
        data = b"".join(self.outbox)
        self.outbox.clear()
        self.outbox_bytes = 0
        return data

    def flush_outbox(self) -> None:
        """Write what waits in the outbox (dropped if the connection is no longer open)."""
        if not self.outbox:
            return
        data = self._take_outbox()
        ws = self.ws
        transport = ws.transport
        if ws.protocol.state is State.OPEN and transport is not None and not transport.is_closing():
            transport.write(data)

    def push_snapshot(self, data: bytes) -> bool:
        """``push`` for the ticker's snapshots: no per-frame counters (the ticker counts
        them in bulk) and no ``max_buffer`` check (the ticker holds snapshots back from a
        client above the high-water mark, so they never pile up). The outbox goes first."""
        ws = self.ws
        transport = ws.transport
        if ws.protocol.state is not State.OPEN or transport is None or transport.is_closing():
            return False
        out = binary_frame_header(len(data)) + data
        transport.write(self._take_outbox() + out if self.outbox else out)
        return True

    def send(self, msg: msgspec.Struct) -> None:
        self.session.send(msg)
        self.flush()

    def flush(self) -> None:
        for data in self.session.data_to_send():
            self.push(data)

    def error(self, code: ErrorCode, text: str, re: int = 0) -> None:
        self.app.metrics.errors[code.value] += 1
        self.send(M.Error(code=code.value, msg=text, re=re))

    def ok(self, re: int, data: Any = None) -> None:
        if re:
            self.send(M.Ok(re=re, data=data))

    def buffered(self) -> int:
        """Bytes waiting to be sent: the transport's write buffer and the outbox."""
        transport = self.ws.transport
        return (transport.get_write_buffer_size() if transport is not None else 0) + self.outbox_bytes

    def close(self, code: int, reason: str) -> None:
        """Close without waiting (safe from the ticker)."""
        if self.closing:
            return
        self.flush_outbox()
        self.closing = True
        self.app.metrics.dropped[_reason_name(code)] += 1
        task = asyncio.get_running_loop().create_task(self.ws.close(code, reason[:120]))
        self.close_task = task
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    def bye(self, code: int, reason: str) -> None:
        if self.closing:
            return
        self.closing = True  # before the push: a bye never triggers another
        self.push(encode(M.Bye(code=code, reason=reason)))
        self.closing = False
        self.close(code, reason)

    def drop_too_slow(self, seconds: float) -> None:
        self.bye(CloseCode.TOO_SLOW, f"could not keep up with snapshots for {seconds:.1f} s")

    # --- reading ---------------------------------------------------------------------

    async def serve(self) -> None:
        """Read frames until the connection ends. No per-frame timer: the handshake and
        idle deadlines are swept by the ticker (``sweep_deadline``) from ``last_rx``."""
        recv = self.ws.recv
        metrics = self.app.metrics
        session = self.session
        while not self.closing:
            try:
                frame = await recv()
            except ConnectionClosed:
                return
            if isinstance(frame, str):  # a text frame: the session refuses it as malformed
                frame = frame.encode()
            now = time.monotonic()
            self.last_rx = now
            metrics.bytes_in += len(frame)
            metrics.messages_in += 1
            for msg in session.receive(frame, now):
                if type(msg) is M.Input:  # the hot path: no handler lookup, no await
                    park, eid = self.park, self.eid
                    if park is not None and eid is not None:
                        park.room.queue_input(eid, msg)
                else:
                    await self.dispatch(msg)
            if session.has_data_to_send():
                self.flush()
            if session.close_code:
                self.close(int(session.close_code), session.close_reason or "")
                return

    def sweep_deadline(self, now: float) -> None:
        """Close a client that has not signed in within ``handshake_timeout`` (4002) or
        sent nothing for ``idle_timeout`` (idle); ``now`` is ``time.monotonic()``."""
        if self.closing:
            return
        cfg = self.app.config
        if self.who is None:
            if now - self.opened_at >= cfg.handshake_timeout:
                self.bye(CloseCode.AUTH_FAILED, f"no hello and sign-in within {cfg.handshake_timeout:g} s")
        elif now - self.last_rx >= cfg.idle_timeout:
            self.bye(CloseCode.IDLE, f"nothing received for {cfg.idle_timeout:g} s")

    async def dispatch(self, msg: Any) -> None:
        handler = HANDLERS.get(type(msg))
        if handler is None:
            self.error(ErrorCode.UNKNOWN_TYPE, f"the server does not handle {type(msg).__name__} here",
                       getattr(msg, "id", 0))
            return
        try:
            await handler(self, msg)
        except ConnectionClosed:
            raise
        except Exception:  # one failed request never takes the connection or the room down
            log.exception("request %s failed", type(msg).__name__)
            self.error(ErrorCode.UNAVAILABLE, "the server could not complete this request", getattr(msg, "id", 0))

    def gone(self) -> None:
        """The connection ended. A client that closed normally (1000/1001) has left; after a
        drop (no close frame, or a close the server started) the avatar is held for a resume."""
        if self.resume_token and self.app.live.get(self.resume_token) is self:
            del self.app.live[self.resume_token]
        park, eid = self.park, self.eid
        if park is None or eid is None:
            return
        rcvd = self.ws.protocol.close_rcvd
        said_goodbye = not self.closing and rcvd is not None and rcvd.code in (1000, 1001)
        if said_goodbye or self.app.stopping or not self.resume_token or eid not in park.room:
            leave_room(self.app, park, eid, time.time())
            return
        park.clients.pop(eid, None)
        park.room.detach(eid)
        park.held[eid] = self.who
        self.app.resumes.hold(self.resume_token, park.id, eid, time.monotonic(), self.who)


# --- movement, looks, chat, parks -------------------------------------------------------


async def on_input(client: Client, msg: M.Input) -> None:
    if client.park is not None and client.eid is not None:
        client.park.room.queue_input(client.eid, msg)


async def on_emote(client: Client, msg: M.Emote) -> None:
    if client.park is None or client.eid is None:
        return
    if not client.park.room.set_emote(client.eid, msg.e):
        client.error(ErrorCode.INVALID, f"unknown emote {msg.e!r}")


async def on_look(client: Client, msg: M.Look) -> None:
    assert client.who is not None
    if client.park is not None and client.eid is not None:
        client.park.room.set_look(client.eid, msg.name, msg.color)
    client.who = client.who.with_look(msg.name, msg.color)
    client.ok(msg.id)


async def on_ping(client: Client, msg: M.Ping) -> None:
    client.send(M.Pong(c=msg.c, s=time.time()))


async def on_parks(client: Client, msg: M.ListParks) -> None:
    parks = [M.ParkInfo(id=p["id"], name_zh=p["name_zh"], name_en=p["name_en"], online=p["online"],
                        scene=p["scene"], scene_hash=p["scene_hash"]) for p in client.app.park_list()]
    client.send(M.Parks(parks=parks, re=msg.id))


async def on_join(client: Client, msg: M.Join) -> None:
    app = client.app
    park = app.parks.get(msg.park)
    if park is None:
        client.error(ErrorCode.NOT_FOUND, f"no park {msg.park!r} is hosted here", msg.id)
        return
    assert client.who is not None
    at = None
    if msg.spawn is None and client.who.registered:  # a returning account starts where it left
        at = await app.saved_position(client.who.user_id, park.id)
        if client.closing:
            return
    if client.park is not None and client.eid is not None:  # switching parks
        leave_room(app, client.park, client.eid, time.time())
        client.park.clients.pop(client.eid, None)
        client.park = client.eid = None
    from world.room import UnknownSpawn

    try:
        eid = park.room.join(client.who.visitor(), msg.spawn, app.rng, at=at)
    except UnknownSpawn as exc:
        client.error(ErrorCode.NOT_FOUND, str(exc.args[0]), msg.id)
        return
    client.park, client.eid = park, eid
    park.clients[eid] = client
    client.session.joined()
    client.flush()
    client.send(front_desk.joined_message(park, eid, msg.id))


async def on_leave(client: Client, msg: M.Leave) -> None:
    if client.park is not None and client.eid is not None:
        leave_room(client.app, client.park, client.eid, time.time())
    client.park = client.eid = None
    client.session.left()
    client.ok(msg.id)


def save_position(app: App, who: Who | None, park: HostedPark, eid: int, now: float) -> None:
    """Remember where an account's avatar stands (guests are not remembered)."""
    av = park.room.avatars.get(eid)
    if av is not None and who is not None and who.registered:
        app.save_position(who.user_id, park.id, av.x, av.y, av.yaw, now)


def leave_room(app: App, park: HostedPark, eid: int, now: float) -> None:
    client = park.clients.pop(eid, None)
    who = client.who if client is not None else park.held.get(eid)
    park.held.pop(eid, None)
    save_position(app, who, park, eid, now)
    for event in park.room.leave(eid):
        booth_left(app, park, eid, event.booth_id, event.dwell_s, now, who)


def booth_entered(app: App, park: HostedPark, eid: int, booth_id: str) -> None:
    client = park.clients.get(eid)
    if client is not None:
        booth_desk.push_booth(client, park, booth_id)


def booth_left(app: App, park: HostedPark, eid: int, booth_id: str, dwell_s: float, now: float,
               who: Who | None = None) -> None:
    client = park.clients.get(eid)
    if client is not None:
        client.push(encode(M.BoothExit(booth=booth_id)))
        who = client.who
    who = who or park.held.get(eid)
    if who is not None:
        app.store.post_visit(park.id, booth_id, who.user_id, who.name, now - dwell_s, now)


HANDLERS: dict[type, Callable[[Client, Any], Awaitable[None]]] = {
    M.Hello: front_desk.on_hello,
    M.Guest: front_desk.on_guest,
    M.Register: front_desk.on_register,
    M.Login: front_desk.on_login,
    M.TokenLogin: front_desk.on_token,
    M.ListParks: on_parks,
    M.Join: on_join,
    M.Leave: on_leave,
    M.Input: on_input,
    M.Emote: on_emote,
    M.Look: on_look,
    M.Ping: on_ping,
    M.Chat: booth_desk.on_chat,
    M.Like: booth_desk.on_like,
    M.Card: booth_desk.on_card,
    M.BoothEdit: booth_desk.on_edit,
    M.BoothStats: booth_desk.on_stats,
    M.BoothStaff: booth_desk.on_staff,
    M.BoothAssign: booth_desk.on_assign,
}


def binary_frame_header(n: int) -> bytes:
    """The header of a final, unmasked binary websocket frame (RFC 6455 5.2) of ``n`` bytes."""
    if n < 126:
        return bytes((0x82, n))
    if n < 0x10000:
        return b"\x82\x7e" + n.to_bytes(2, "big")
    return b"\x82\x7f" + n.to_bytes(8, "big")


def _reason_name(code: int) -> str:
    try:
        return CloseCode(code).name.lower()
    except ValueError:
        return str(code)


async def handle(app: App, ws: ServerConnection) -> None:
    """The websockets handler: admission limits, then the client's read loop."""
    addr = ws.remote_address
    ip = str(addr[0]) if addr else "?"
    cfg = app.config
    if app.stopping:
        await ws.close(CloseCode.GOING_AWAY, "the server is shutting down")
        return
    refusal = None
    if len(app.clients) >= cfg.max_connections:
        refusal = f"server full ({cfg.max_connections} connections)"
    elif app.per_ip[ip] >= cfg.max_per_ip:
        refusal = f"too many connections from your address ({cfg.max_per_ip})"
    if refusal is not None:
        app.metrics.dropped["server_full"] += 1
        await ws.send(encode(M.Bye(code=CloseCode.SERVER_FULL, reason=refusal)))
        await ws.close(CloseCode.SERVER_FULL, refusal)
        return
    if cfg.send_buffer:  # less kernel buffering: a client that stops reading is noticed sooner
        sock = ws.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, cfg.send_buffer)
    client = Client(app, ws, ip)
    app.clients.add(client)
    app.per_ip[ip] += 1
    try:
        await client.serve()
        if client.close_task is not None:  # returning first would close with 1000 instead
            await client.close_task
    finally:
        app.clients.discard(client)
        app.per_ip[ip] -= 1
        if app.per_ip[ip] <= 0:
            del app.per_ip[ip]
        client.gone()
