"""The connection state machine, sans I/O: bytes in, messages and bytes out.

The server's websocket handler feeds each received frame to ``ServerSession.receive``
and gets back the messages the session accepts in its current state; it sends
whatever ``data_to_send()`` returns, and when ``close_code`` is set it sends those
frames (the last is a ``bye``) and closes the websocket with that code. The session
itself answers everything that is wrong at the protocol level: undecodable frames,
messages not allowed in the current state, rate limit overruns, a protocol version
mismatch. It never raises for anything a peer sends.

States and what moves between them are data (``ALLOWED``, ``TRANSITIONS``);
docs/protocol.md prints the same tables (a test keeps them in step)::

    CONNECTED --hello(v ok)--> GREETED --authenticated()--> AUTHENTICATED
    AUTHENTICATED --joined()--> IN_PARK --left()--> AUTHENTICATED
    IN_PARK --joined()--> IN_PARK (switch park)      any --close()--> CLOSED

``hello`` is handled here: with the right ``v`` the session moves to GREETED and
queues the ``welcome``; with another it queues ``error`` (code ``version``) and closes
with 4000. The hello is still returned, because the server reads ``hello.resume``.
The other transitions are the server's calls: ``authenticated()`` after a guest
entry, login, register, token or resume succeeds; ``joined()`` / ``left()``.

Limits (``SessionLimits``, documented in docs/protocol.md): per-class token buckets
(``in``: 30/s, burst 10; every other message, ``chat`` included: 20/s, burst 20). A
message over its bucket is dropped with an ``error`` (``rate_limited``; for ``in`` at
most one such error per second). Chat has one rate rule, per account rather than per
connection: ``world.chat.ChatLimiter`` (5 lines per 10 s), which the server applies;
``chats_per_10s`` only tells clients that rule in ``welcome``. If in one second a class drops more
than ``flood_factor - 1`` times its rate (the peer sends 5x the limit), the session
closes with 4003 FLOOD. Errors (undecodable, wrong type, wrong state) draw on an
error budget of 20 that refills one per 10 s; when it runs out the session closes
with 4001 TOO_MANY_ERRORS. No ``hello`` plus successful authentication within
``handshake_timeout`` (10 s), or ``max_auth_failures`` (5) failed attempts: close 4002.
Nothing received for ``idle_timeout`` (60 s): close 4007. The server calls
``check_timeouts(now)`` now and then (e.g. once a second).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import msgspec

from world.protocol import messages as M
from world.protocol.codec import (
    ProtocolError,
    decode_client,
    decode_server,
    encode,
    peek_request_id,
)
from world.protocol.constants import (
    CHAT_LINES_PER_10S,
    DEFAULT_TICK_RATE,
    MAX_FRAME_BYTES,
    PROTOCOL_VERSION,
    RUN_SPEED,
    WALK_SPEED,
    CloseCode,
    ErrorCode,
)


class State(StrEnum):
    CONNECTED = "connected"
    GREETED = "greeted"
    AUTHENTICATED = "authenticated"
    IN_PARK = "in_park"
    CLOSED = "closed"


_AUTH = frozenset({"guest", "register", "login", "token", "code_login"})
_ANYWHERE = frozenset({"ping", "parks"})
_ACCOUNT = frozenset({"join", "look", "booth_edit", "booth_stats", "booth_assign", "sign_out", "set_lang"})
_IN_PARK = frozenset({"leave", "in", "emote", "chat", "like", "card", "booth_staff", "kiosk", "space_slots",
                      "space_book", "space_check_in", "react", "hall_move", "stage_chat", "spotlight",
                      "stage_remove", "ask", "upvote", "poll_vote"})

# What every encoder writes first for an ``in`` message: after the map's header, the
# key ``t`` (fixstr 1) and the tag ``in`` (fixstr 2). Used to pick frames for the hot path.
_INPUT_PEEK = b"\xa1t\xa2in"

ALLOWED: dict[State, frozenset[str]] = {
    State.CONNECTED: frozenset({"hello", "ping"}),
    State.GREETED: _AUTH | _ANYWHERE,
    State.AUTHENTICATED: _ANYWHERE | _ACCOUNT,
    State.IN_PARK: _ANYWHERE | _ACCOUNT | _IN_PARK,
    State.CLOSED: frozenset(),
}
"""Message types (``t``) a client may send in each state; anything else gets ``bad_state``."""

TRANSITIONS: dict[tuple[State, str], State] = {
    (State.CONNECTED, "hello"): State.GREETED,
    (State.GREETED, "authenticated"): State.AUTHENTICATED,
    (State.AUTHENTICATED, "joined"): State.IN_PARK,
    (State.IN_PARK, "joined"): State.IN_PARK,
    (State.IN_PARK, "left"): State.AUTHENTICATED,
    (State.AUTHENTICATED, "signed_out"): State.GREETED,
    (State.IN_PARK, "signed_out"): State.GREETED,
}
"""(state, event) -> next state. ``close`` goes to CLOSED from any state."""


class SessionStateError(RuntimeError):
    """The server asked for a transition the table does not allow (a server bug)."""


@dataclass(frozen=True, slots=True)
class SessionLimits:
    max_frame: int = MAX_FRAME_BYTES
    inputs_per_s: float = 30.0  # tick rate x 1.5
    input_burst: float = 10.0
    chats_per_10s: float = CHAT_LINES_PER_10S  # world.chat.ChatLimiter's rule, told in `welcome`
    messages_per_s: float = 20.0
    message_burst: float = 20.0
    flood_factor: float = 5.0
    max_errors: int = 20
    error_refill_s: float = 10.0
    max_auth_failures: int = 5
    handshake_timeout: float = 10.0
    idle_timeout: float = 60.0
    # carried in `welcome` so clients know the rules
    server: str = "cloudpark"
    tick_rate: int = DEFAULT_TICK_RATE
    patch_rate: int = DEFAULT_TICK_RATE
    view_radius: float = 40.0
    view_max: int = 48

    def welcome(self) -> M.Welcome:
        return M.Welcome(
            v=PROTOCOL_VERSION, server=self.server, tick_rate=self.tick_rate, patch_rate=self.patch_rate,
            walk_speed=WALK_SPEED, run_speed=RUN_SPEED,
            limits=M.Limits(max_frame=self.max_frame, inputs_per_s=int(self.inputs_per_s),
                            chats_per_10s=int(self.chats_per_10s), messages_per_s=int(self.messages_per_s),
                            view_radius=self.view_radius, view_max=self.view_max),
        )


@dataclass(slots=True)
class TokenBucket:
    """``rate`` tokens per second up to ``burst``; ``now`` is passed in."""

    rate: float
    burst: float
    tokens: float
    stamp: float

    @staticmethod
    def full(rate: float, burst: float, now: float) -> TokenBucket:
        return TokenBucket(rate, burst, burst, now)

    def take(self, now: float, cost: float = 1.0) -> bool:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


@dataclass(slots=True)
class _Class:
    bucket: TokenBucket
    window_start: float = 0.0
    dropped_in_window: int = 0
    last_error: float = float("-inf")
    dropped: int = 0


def rate_class(tag: str) -> str:
    """The session's rate class of a message type: ``in``, or ``other`` for the rest."""
    return "in" if tag == "in" else "other"


@dataclass
class ServerSession:
    limits: SessionLimits = field(default_factory=SessionLimits)
    now: float = 0.0
    state: State = State.CONNECTED
    close_code: int | None = None
    close_reason: str = ""
    errors: int = 0
    own_errors: Counter[str] = field(default_factory=Counter)  # error codes sent by the session's own rules
    auth_failures: int = 0
    messages_in: int = 0
    bytes_in: int = 0
    _outbox: list[bytes] = field(default_factory=list)
    _classes: dict[str, _Class] = field(default_factory=dict)
    _error_budget: TokenBucket | None = None
    _opened: float = 0.0
    _last_received: float = 0.0

    def __post_init__(self) -> None:
        lim, now = self.limits, self.now
        self._opened = self._last_received = now
        self._classes = {
            "in": _Class(TokenBucket.full(lim.inputs_per_s, lim.input_burst, now), now),
            "other": _Class(TokenBucket.full(lim.messages_per_s, lim.message_burst, now), now),
        }
        self._error_budget = TokenBucket.full(1.0 / lim.error_refill_s, float(lim.max_errors), now)

    # --- input -----------------------------------------------------------------------

    def receive(self, frame: bytes | str, now: float) -> list[M.ClientMessage]:
        """Decode one frame; returns the accepted messages (zero or one).

        A binary frame arrives as ``bytes``, a text frame as ``str`` (as websockets
        hands them over). A frame over ``max_frame`` bytes is answered ``error``
        ``too_large`` (naming its size), then ``bye`` and close 1009; a text frame is
        answered ``error`` ``malformed`` (and counts as an error)."""
        if self.state is State.CLOSED:
            return []
        size = len(frame.encode("utf-8", "surrogatepass")) if isinstance(frame, str) else len(frame)
        self.messages_in += 1
        self.bytes_in += size
        self._last_received = now
        limit = self.limits.max_frame
        if size > limit:
            self.errors += 1
            self._own_error(M.Error(code=ErrorCode.TOO_LARGE, msg=f"frame of {size} bytes exceeds the {limit}-byte limit"))
            self.close(CloseCode.MESSAGE_TOO_BIG, f"frame of {size} bytes is over the {limit}-byte limit")
            return []
        if isinstance(frame, str):
            self._error(ErrorCode.MALFORMED, "text frames are not accepted: send binary MessagePack", 0, now)
            return []
        try:
            msg = decode_client(frame, None)
        except ProtocolError as exc:
            self._error(exc.code, exc.detail, peek_request_id(frame), now)
            return []
        tag: str = msg.__struct_config__.tag  # type: ignore[assignment]
        rid = int(getattr(msg, "id", 0))
        if tag not in ALLOWED[self.state]:
            self._error(ErrorCode.BAD_STATE, f"`{tag}` is not allowed in state {self.state.value}; "
                        f"allowed: {', '.join(sorted(ALLOWED[self.state]))}", rid, now)
            return []
        if not self._admit(tag, rid, now, msg.n if type(msg) is M.Input else 1):
            return []
        if isinstance(msg, M.Hello) and not self._hello(msg):
            return []
        return [msg]

    def receive_input(self, frame: bytes, now: float) -> tuple[bool, M.Input | None]:
        """``receive`` for the hot path, for a binary frame that holds an ``in`` message.

        Returns ``(True, input)`` when the input is accepted, ``(True, None)`` when the
        frame was taken but the input dropped (the rate limit's own answer is queued, as
        ``receive`` would), and ``(False, None)`` for any other frame (another message,
        an undecodable or oversize frame, an input not allowed in this state): nothing
        was counted or changed, and ``receive`` must take it. The first bytes are peeked
        first (a map whose first key is ``t`` = ``in``, as every client encodes it), so
        other frames are not decoded twice."""
        if frame[1:6] != _INPUT_PEEK or self.state is State.CLOSED or "in" not in ALLOWED[self.state]:
            return False, None
        size = len(frame)
        if size > self.limits.max_frame:
            return False, None
        try:
            msg = decode_client(frame, None)
        except ProtocolError:
            return False, None
        if type(msg) is not M.Input:
            return False, None
        self.messages_in += 1
        self.bytes_in += size
        self._last_received = now
        if not self._admit("in", 0, now, msg.n):
            return True, None
        return True, msg

    def _hello(self, msg: M.Hello) -> bool:
        if msg.v != PROTOCOL_VERSION:
            self._own_error(M.Error(code=ErrorCode.VERSION, msg=f"this server speaks protocol version {PROTOCOL_VERSION}, "
                              f"the client sent {msg.v}"))
            self.close(CloseCode.VERSION_MISMATCH, f"protocol version {msg.v} is not {PROTOCOL_VERSION}")
            return False
        self._transition("hello")
        self.send(self.limits.welcome())
        return True

    def _admit(self, tag: str, rid: int, now: float, cost: int = 1) -> bool:
        name = rate_class(tag)
        cls = self._classes[name]
        if cls.bucket.take(now, cost):
            return True
        cls.dropped += 1
        if now - cls.window_start >= 1.0:
            cls.window_start, cls.dropped_in_window = now, 0
        cls.dropped_in_window += 1
        if cls.dropped_in_window > (self.limits.flood_factor - 1.0) * max(cls.bucket.rate, 1.0):
            self.close(CloseCode.FLOOD, f"`{tag}` messages far above the rate limit")
            return False
        if name != "in" or now - cls.last_error >= 1.0:
            cls.last_error = now
            self._own_error(M.Error(code=ErrorCode.RATE_LIMITED, msg=f"too many `{tag}` messages; this one was dropped",
                                    re=rid))
        return False

    def _own_error(self, msg: M.Error) -> None:
        """An error this session decided on its own (not a reply the server's handlers
        chose): counted in ``own_errors`` for the server's metrics, then sent."""
        self.own_errors[str(msg.code)] += 1
        self.send(msg)

    def _error(self, code: ErrorCode, detail: str, rid: int, now: float) -> None:
        self.errors += 1
        self._own_error(M.Error(code=code, msg=detail, re=rid))
        assert self._error_budget is not None
        if not self._error_budget.take(now):
            self.close(CloseCode.TOO_MANY_ERRORS, f"too many invalid messages (last: {code.value})")

    # --- server-driven transitions ------------------------------------------------------------

    def _transition(self, event: str) -> None:
        nxt = TRANSITIONS.get((self.state, event))
        if nxt is None:
            raise SessionStateError(f"no transition for {event!r} in state {self.state.value}")
        self.state = nxt

    def authenticated(self) -> None:
        self._transition("authenticated")

    def joined(self) -> None:
        self._transition("joined")

    def signed_out(self) -> None:
        self._transition("signed_out")

    def left(self) -> None:
        self._transition("left")

    def auth_failed(self, detail: str, rid: int = 0) -> None:
        """A login/token/resume attempt failed: answer it, and close after too many."""
        self.auth_failures += 1
        self.send(M.Error(code=ErrorCode.AUTH_FAILED, msg=detail, re=rid))
        if self.auth_failures >= self.limits.max_auth_failures:
            self.close(CloseCode.AUTH_FAILED, "too many failed authentication attempts")

    def check_timeouts(self, now: float) -> None:
        if self.state is State.CLOSED:
            return
        if self.state in (State.CONNECTED, State.GREETED) and now - self._opened > self.limits.handshake_timeout:
            self.close(CloseCode.AUTH_FAILED, f"no hello and authentication within {self.limits.handshake_timeout:g} s")
        elif now - self._last_received > self.limits.idle_timeout:
            self.close(CloseCode.IDLE, f"nothing received for {self.limits.idle_timeout:g} s")

    def close(self, code: int, reason: str) -> None:
        """Queue ``bye`` and move to CLOSED (the first close wins)."""
        if self.state is State.CLOSED:
            return
        self._outbox.append(encode(M.Bye(code=int(code), reason=reason)))
        self.state = State.CLOSED
        self.close_code, self.close_reason = int(code), reason

    # --- output ------------------------------------------------------------------------

    def send(self, msg: msgspec.Struct) -> None:
        if self.state is not State.CLOSED:
            self._outbox.append(encode(msg))

    def send_raw(self, data: bytes) -> None:
        if self.state is not State.CLOSED:
            self._outbox.append(data)

    def reply_error(self, code: ErrorCode, msg: str, rid: int = 0) -> None:
        """An explicit answer to a request the server refused (permission, rule, not found)."""
        self.send(M.Error(code=code, msg=msg, re=rid))

    def data_to_send(self) -> list[bytes]:
        out, self._outbox = self._outbox, []
        return out

    def has_data_to_send(self) -> bool:
        return bool(self._outbox)

    @property
    def dropped_inputs(self) -> int:
        return self._classes["in"].dropped


@dataclass
class ClientSession:
    """The client side for the Python client and bots: builds requests, decodes replies."""

    state: State = State.CONNECTED
    welcome: M.Welcome | None = None
    session: M.Session | None = None
    joined_msg: M.Joined | None = None
    seq: int = 0
    close_code: int | None = None
    _next_id: int = 0
    _outbox: list[bytes] = field(default_factory=list)

    def _request(self, msg: msgspec.Struct) -> int:
        self._outbox.append(encode(msg))
        return int(getattr(msg, "id", 0))

    def next_id(self) -> int:
        self._next_id = self._next_id % 0xFFFFFFFF + 1
        return self._next_id

    def hello(self, client: str = "cloudpark-py", resume: str | None = None) -> None:
        self._request(M.Hello(v=PROTOCOL_VERSION, client=client, resume=resume))

    def guest(self, name: str, color: int | None = None) -> int:
        return self._request(M.Guest(name=name, color=color, id=self.next_id()))

    def login(self, user: str, password: str) -> int:
        return self._request(M.Login(user=user, password=password, id=self.next_id()))

    def register(self, user: str, password: str, name: str, role: str = "visitor", company: str = "") -> int:
        return self._request(M.Register(user=user, password=password, name=name, role=role, company=company,
                                        id=self.next_id()))

    def join(self, park: str, spawn: str | None = None) -> int:
        return self._request(M.Join(park=park, spawn=spawn, id=self.next_id()))

    def request(self, msg: msgspec.Struct) -> None:
        """Any other message, as built by the caller (give it an ``id`` to get an answer)."""
        self._request(msg)

    def move(self, mx: float, my: float, yaw: float = 0.0, run: bool = False) -> M.Input:
        """One tick of movement input; returns it so the caller can predict with it."""
        self.seq += 1
        inp = M.Input(s=self.seq, mx=mx, my=my, yaw=yaw, run=run)
        self._request(inp)
        return inp

    def receive(self, frame: bytes) -> Any:
        """Decode one server frame (raises ``ProtocolError`` if the server sent garbage)."""
        msg = decode_server(frame)
        if isinstance(msg, M.Welcome):
            self.welcome, self.state = msg, State.GREETED
        elif isinstance(msg, M.Session):
            self.session, self.state = msg, State.AUTHENTICATED
            if msg.park:
                self.state = State.IN_PARK
        elif isinstance(msg, M.Joined):
            self.joined_msg, self.state = msg, State.IN_PARK
        elif isinstance(msg, M.Bye):
            self.close_code, self.state = msg.code, State.CLOSED
        return msg

    def data_to_send(self) -> list[bytes]:
        out, self._outbox = self._outbox, []
        return out
