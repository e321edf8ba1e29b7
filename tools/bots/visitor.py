"""One bot visitor: a websocket connection that tours the park like a person would.

Lean on purpose, so a single generator core can drive a thousand visitors and more:
a raw ``asyncio.Protocol`` with the websocket framing done in ``wire`` (no
per-message futures or tasks, no compression). Snapshots are decoded only as far as
the bot needs (``a`` and ``p``); every other message goes through the real codec.

Flow: hello -> welcome; guest (or ``hello.resume`` after a drop) -> session; join ->
joined; then one ``in`` per tick, walking the itinerary, lingering at waypoints,
sometimes chatting or liking the booth it stands at.

In a showcase (``crowd.showcase``, ``cloudpark bench showcase``) each bot also sends a
reaction every second and notes the seconds whose ``reactions`` counts reached it; the
askers among them register an account (``register``, else ``login``) and now and then
ask a question or upvote one of the board's (``questions``). Each bot keeps the hall it
was seated in (``hall``).
"""

from __future__ import annotations

import asyncio
import math
import random
import struct
import time
from typing import Protocol, cast

import msgspec
from websockets.uri import WebSocketURI

from tools.bots import wire
from tools.bots.route import Itinerary, Waypoint, steer
from tools.bots.tally import Tally
from world.protocol import codec
from world.protocol import messages as M
from world.protocol.constants import PROTOCOL_VERSION, SUBPROTOCOL, CloseCode
from world.showcases.reactions import KINDS


class Crowd(Protocol):
    """What a visitor needs of the crowd that runs it (``tools.bots.crowd.Crowd``)."""

    uri: WebSocketURI
    park: str
    tally: Tally
    measuring: bool
    stopping: bool
    max_samples: int
    tick_rate: int
    batch: int
    questions: dict[int, None]  # the visible questions of the board, oldest first (shared by the crowd's bots)

    @property
    def showcase(self) -> Showcase | None: ...

    def entered(self, v: Visitor) -> None: ...
    def left(self, v: Visitor, was_in_park: bool) -> None: ...
    def note_close(self, reason: str) -> None: ...
    def reconnect(self, v: Visitor) -> None: ...

class Showcase(Protocol):
    """What a showcase crowd asks of its bots (``tools.bots.crowd.ShowcasePlan``)."""

    react_every_s: float  # one reaction this often (0: none)
    ask_share: float  # the share of bots that sign in and ask / upvote
    ask_every_s: float  # an asker's question about this often (on average)
    upvote_every_s: float  # an asker's upvote about this often (on average)
    accounts: str  # prefix of the askers' user names (unique per run)
    password: str


SEQ_RING = 1024  # inputs remembered for latency; older unacked inputs are forgotten
CHATS_PER_S = 1 / 60  # each bot chats about once a minute
STUCK_S = 6.0  # no progress toward a waypoint for this long: pick another

_HELLO, _GUEST, _JOIN, _LIKE, _CHAT, _REACT, _ASK, _UPVOTE, _LOGIN = 1, 2, 3, 4, 5, 6, 7, 8, 9  # request ids


class _SnapHead(msgspec.Struct):
    """The part of a server frame a bot reads on the hot path: type, ack, own position."""

    t: str
    a: int = -1
    p: tuple[float, float, float] | None = None


_head = msgspec.msgpack.Decoder(_SnapHead)


def close_reason(code: int | None) -> str:
    if code is None:
        return "connection_lost"
    try:
        return CloseCode(code).name.lower()
    except ValueError:
        return f"close_{code}"


class Visitor(asyncio.Protocol):
    """One visitor. The crowd calls ``tick(now)`` at the tick rate once it is in the park."""

    def __init__(self, crowd: Crowd, index: int, itinerary: Itinerary, rng: random.Random) -> None:
        self.crowd = crowd
        self.index = index
        self.name = f"bot-{index}"
        self.itinerary = itinerary
        self.rng = rng
        self.transport: asyncio.Transport | None = None
        self.reader = wire.Reader()
        self.key = ""
        self.open = False
        self.close_code: int | None = None
        self.resume: str | None = None
        self.in_park = False
        self.closing = False
        self.seq = 0
        self.acked = -1
        self.sent_at = [0.0] * SEQ_RING
        self.x = self.y = 0.0
        self.yaw = 0.0
        self.goal: Waypoint | None = None
        self.linger_until = 0.0
        self.best_dist = math.inf
        self.progress_at = 0.0
        self.booths: list[str] = []
        self.liked: set[str] = set()
        self.snaps = 0
        show = crowd.showcase
        self.asker = show is not None and show.ask_share > 0 and (index * 0.618034) % 1.0 < show.ask_share
        self.hall = 0  # the hall the server seated this bot in (``hall``; 1 = main)
        self.next_react = 0.0  # monotonic time of the next reaction (0: pick a phase first)
        self.reaction_seconds: set[int] = set()  # seconds whose ``reactions`` reached this bot (measuring)
        self.voted: set[int] = set()
        self.mine: set[int] = set()

    # --- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.reader = wire.Reader()
        self.open = False
        self.close_code = None
        self.key = wire.new_key()
        uri = self.crowd.uri
        self.transport.write(wire.upgrade_request(uri.host, uri.port, uri.resource_name, self.key, SUBPROTOCOL))

    def data_received(self, data: bytes) -> None:
        crowd = self.crowd
        if crowd.measuring:
            crowd.tally.bytes_down += len(data)
        reader = self.reader
        try:
            if not reader.head_done:
                head = reader.feed_head(data)
                if head is None:
                    return
                wire.check_upgrade(head, self.key)
                self.open = True
                self._send(M.Hello(v=PROTOCOL_VERSION, client="cloudpark-bots", resume=self.resume))
                data = b""
            messages = reader.feed(data)
        except wire.WireError as exc:
            crowd.note_close(f"wire_error: {exc}"[:80])
            self.closing = True
            if self.transport is not None:
                self.transport.abort()
            return
        for opcode, payload in messages:
            if opcode == wire.OP_BINARY:
                self._message(payload)
            elif opcode == wire.OP_PING:
                self._write(wire.frame(payload, wire.OP_PONG))
            elif opcode == wire.OP_CLOSE:
                self.close_code = wire.close_code(payload)
                if self.open:
                    self.open = False
                    self._write(wire.frame(payload[:2], wire.OP_CLOSE))
                if self.transport is not None:
                    self.transport.close()
                return

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.open = False
        was_in_park = self.in_park
        self.in_park = False
        self.crowd.left(self, was_in_park)
        code = self.close_code
        if self.closing and code in (None, CloseCode.NORMAL):
            return
        self.crowd.note_close(close_reason(code))
        if not self.crowd.stopping and code not in (CloseCode.NORMAL, CloseCode.REPLACED, CloseCode.KICKED):
            self.crowd.reconnect(self)

    # --- messages -----------------------------------------------------------------

    def _message(self, payload: bytes) -> None:
        try:
            head = _head.decode(payload)
        except msgspec.DecodeError:
            self.crowd.tally.errors["undecodable_frame"] += 1
            return
        if head.t == "snap":
            self._snap(head)
            return
        try:
            msg = codec.decode_server(payload)
        except codec.ProtocolError as exc:
            self.crowd.tally.errors[f"decode_{exc.code.value}"] += 1
            return
        if isinstance(msg, M.Reactions):
            self._reactions(msg)
        elif isinstance(msg, M.Questions):
            self._questions(msg)
        elif isinstance(msg, M.Hall):
            self.hall = msg.hall
        elif isinstance(msg, M.Ok):
            self._ok(msg)
        elif isinstance(msg, M.Welcome):
            if self.resume is None:
                self._sign_in()
        elif isinstance(msg, M.Session):
            self.resume = msg.resume
            if not (msg.resumed and msg.park == self.crowd.park):
                self._send(M.Join(park=self.crowd.park, id=_JOIN))
        elif isinstance(msg, M.Joined):
            self.booths = [b.id for b in msg.booths]
            self.x, self.y = msg.x / 100.0, msg.y / 100.0
            self._enter()
        elif isinstance(msg, M.Error):
            self._error(msg)

    def _sign_in(self) -> None:
        show = self.crowd.showcase
        if self.asker and show is not None:
            self._send(M.Register(user=f"{show.accounts}{self.index}", password=show.password, name=self.name,
                                  id=_GUEST))
        else:
            self._send(M.Guest(name=self.name, color=self.rng.randrange(0x1000000), id=_GUEST))

    def _error(self, msg: M.Error) -> None:
        if self.crowd.measuring:
            self.crowd.tally.errors[msg.code] += 1
        show = self.crowd.showcase
        if msg.re == _GUEST and msg.code == "conflict" and show is not None:  # registered before: sign in
            self._send(M.Login(user=f"{show.accounts}{self.index}", password=show.password, id=_LOGIN))
        elif msg.re == 0 and self.resume is not None and not self.in_park:
            # A resume the server no longer knows: start over as a fresh guest.
            self.resume = None
            self._sign_in()
        elif msg.re == _JOIN and msg.code == "bad_state":
            self._enter()  # already in the park (a resumed session)

    def _reactions(self, msg: M.Reactions) -> None:
        crowd = self.crowd
        if not crowd.measuring:
            return
        tally = crowd.tally
        self.reaction_seconds.add(msg.second)
        total = sum(msg.counts.values())
        tally.reaction_counts.setdefault(msg.second, {}).setdefault(self.hall, set()).add(total)
        if len(tally.reaction_delays_ms) < crowd.max_samples:  # after its second ended
            tally.reaction_delays_ms.append((time.time() - msg.second - 1.0) * 1000.0)

    def _questions(self, msg: M.Questions) -> None:
        crowd = self.crowd
        known = crowd.tally.question_halls
        ids = crowd.questions
        for q in msg.items:
            if q.state == "visible":
                ids[q.id] = None
            if crowd.measuring:
                known.setdefault(q.id, set()).add(self.hall)
        self.voted.update(msg.voted)
        self.mine.update(msg.mine)

    def _ok(self, msg: M.Ok) -> None:
        data = msg.data if isinstance(msg.data, dict) else {}
        if msg.re == _ASK and "question" in data:
            self.mine.add(int(data["question"]))
            tally = self.crowd.tally
            if self.crowd.measuring and time.time() < tally.wall_until - 1.0:  # its board has time to go round
                tally.asked_in[int(data["question"])] = self.hall
        elif msg.re == _UPVOTE and "question" in data:
            self.voted.add(int(data["question"]))

    def _enter(self) -> None:
        if not self.in_park:
            self.in_park = True
            self.crowd.entered(self)

    def _snap(self, head: _SnapHead) -> None:
        now = time.monotonic()
        if not self.in_park:
            self._enter()  # a resumed session may go straight to snapshots
        if head.p is not None:
            self.x, self.y = head.p[0] / 100.0, head.p[1] / 100.0
        a = head.a
        if self.crowd.measuring:
            self.snaps += 1
            # a == 0: nothing applied yet; only inputs this bot sent (and remembers) are timed
            if a > self.acked and 0 < a <= self.seq and self.seq - a < SEQ_RING:
                lat = self.crowd.tally.latencies_ms
                if len(lat) < self.crowd.max_samples:
                    lat.append((now - self.sent_at[a % SEQ_RING]) * 1000.0)
        if a > self.acked:
            self.acked = a

    # --- sending ------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self.transport is not None:
            if self.crowd.measuring:
                self.crowd.tally.bytes_up += len(data)
            self.transport.write(data)

    def _send(self, msg: msgspec.Struct) -> None:
        if self.open:
            self._write(wire.frame(codec.encode(msg)))

    def tick(self, now: float) -> None:
        """One input (``crowd.batch`` ticks): walk toward the waypoint, or stand and linger; sometimes talk."""
        goal = self.goal
        if goal is None:
            goal = self.goal = self.itinerary.start()
            self.best_dist, self.progress_at = math.inf, now
        mx = my = 0.0
        if now >= self.linger_until:
            mx, my, yaw = steer(self.x, self.y, goal)
            if mx == 0.0 and my == 0.0:
                self._arrived(goal, now)
            else:
                self.yaw = yaw
                dist = math.hypot(goal.x - self.x, goal.y - self.y)
                if dist < self.best_dist - 0.25:
                    self.best_dist, self.progress_at = dist, now
                elif now - self.progress_at > STUCK_S:  # blocked by a wall: go elsewhere
                    self.goal = self.itinerary.next()
                    self.best_dist, self.progress_at = math.inf, now
        self.seq += 1
        self.sent_at[self.seq % SEQ_RING] = now
        batch = self.crowd.batch
        self._send(M.Input(s=self.seq, mx=mx, my=my, yaw=self.yaw) if batch == 1 else
                   M.Input(s=self.seq, mx=mx, my=my, yaw=self.yaw, n=batch))
        if self.crowd.measuring:
            self.crowd.tally.frames_up += batch  # ticks of input, whatever the batching
        if self.rng.random() < CHATS_PER_S * batch / self.crowd.tick_rate:
            self._send(M.Chat(ch="near", text=f"hello from {self.name}", id=_CHAT))
            if self.crowd.measuring:
                self.crowd.tally.chats += 1
        show = self.crowd.showcase
        if show is not None:
            self._showcase(show, now, batch / self.crowd.tick_rate)

    def _showcase(self, show: Showcase, now: float, period: float) -> None:
        """A reaction every ``react_every_s``; an asker's occasional question or upvote."""
        crowd = self.crowd
        if show.react_every_s > 0:
            if self.next_react == 0.0:
                self.next_react = now + self.rng.uniform(0.0, show.react_every_s)
            elif now >= self.next_react:
                self.next_react += show.react_every_s
                if self.next_react < now:  # fell behind: no bursts
                    self.next_react = now + show.react_every_s
                self._send(M.React(kind=self.rng.choice(KINDS)))
                if crowd.measuring:
                    crowd.tally.reactions_sent += 1
        if not self.asker:
            return
        if show.ask_every_s > 0 and self.rng.random() < period / show.ask_every_s:
            self._send(M.Ask(text=f"Question {self.rng.randrange(10**6)} from {self.name}: how was it made?",
                             id=_ASK))
            if crowd.measuring:
                crowd.tally.asks += 1
        if show.upvote_every_s > 0 and self.rng.random() < period / show.upvote_every_s:
            choices = [q for q in crowd.questions if q not in self.voted and q not in self.mine]
            if choices:
                q = self.rng.choice(choices[-50:])  # the newest: older ones are mostly voted already
                self.voted.add(q)
                self._send(M.Upvote(question=q, id=_UPVOTE))
                if crowd.measuring:
                    crowd.tally.upvotes += 1

    def _arrived(self, goal: Waypoint, now: float) -> None:
        self.linger_until = now + goal.linger
        if goal.booth and goal.booth in self.booths and goal.booth not in self.liked and self.rng.random() < 0.3:
            self.liked.add(goal.booth)
            self._send(M.Like(booth=goal.booth, id=_LIKE))
            if self.crowd.measuring:
                self.crowd.tally.likes += 1
        self.goal = self.itinerary.next()
        self.best_dist, self.progress_at = math.inf, self.linger_until

    def close(self) -> None:
        """Leave politely (close frame); the crowd is stopping."""
        self.closing = True
        if self.open:
            self.open = False
            self._write(wire.frame(struct.pack("!H", CloseCode.NORMAL), wire.OP_CLOSE))
        elif self.transport is not None:
            self.transport.close()
