"""Presence: who is connected, who stands in which park, whose avatar is held.

The one owner of the park state several parts need: each ``HostedPark``'s attached
visitors and held avatars, the resume holds, the per-address counts, and the fan-out
to everyone standing in a booth. Desks and the ticker call it; it calls down to the
rooms and the store only (saved positions, visit records). Parts that must react to
someone leaving a park (booth staff going off duty) register in ``on_leave``.

A dropped connection's avatar is *held* for ``resume_ttl`` seconds so the client can
resume; a held avatar still counts against its address's and its park's limits,
so dropping and rejoining cannot pile up ghosts that slow every tick.
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.config import ServerConfig
from server.parks import HostedPark
from world.booths import BoothRecord
from world.people import Person
from world.protocol import messages as M
from world.protocol.codec import encode
from world.room import BoothEntered, BoothLeft, Rng, RoomEvent, UnknownSpawn

log = logging.getLogger("cloudpark.presence")


class Peer(Protocol):
    """The outbound side of a connection (``server.net.connection`` implements it)."""

    ip: str
    closing: bool
    session: Any  # the connection's world.protocol.session.ServerSession

    def push(self, data: bytes) -> bool: ...
    def push_later(self, data: bytes) -> bool: ...
    def push_snapshot(self, data: bytes) -> bool: ...
    def buffered(self) -> int: ...
    def bye(self, code: int, reason: str) -> None: ...


class Positions(Protocol):
    def post(self, user: str, park: str, x: float, y: float, yaw: float, now: float) -> None: ...


class Visits(Protocol):
    def post(self, park: str, booth: str, user: str, name: str, entered: float, left: float) -> None: ...


@dataclass(eq=False)
class Visitor:
    """One connection's person and place."""

    peer: Peer
    person: Person | None = None
    park: HostedPark | None = None
    eid: int | None = None
    liked: set[tuple[str, str]] = field(default_factory=set)
    resume_token: str = ""
    login_token: bytes = b""  # hash of the login token this session signed in with
    behind_since: float | None = None

    @property
    def ip(self) -> str:
        return self.peer.ip

    @property
    def like_key(self) -> str:
        """Whose like this is: the account, or for a guest the address (a guest who
        reconnects is a new identity, so guests' likes count once per address)."""
        assert self.person is not None
        return self.person.user_id if self.person.registered else f"guest@{self.ip}"


@dataclass(slots=True)
class Held:
    park: str
    eid: int
    expires: float  # monotonic
    visitor: Visitor


LeaveHook = Callable[[HostedPark, Visitor, float], None]


class Presence:
    def __init__(self, parks: dict[str, HostedPark], cfg: ServerConfig, positions: Positions,
                 visits: Visits) -> None:
        self.parks = parks
        self.cfg = cfg
        self.positions = positions
        self.visits = visits
        self.visitors: set[Visitor] = set()
        self.live: dict[str, Visitor] = {}  # resume token -> its attached visitor
        self.holds: dict[str, Held] = {}  # resume token -> a dropped visitor's avatar
        self.per_ip: Counter[str] = Counter()  # connections + held avatars per address
        self.conns: Counter[str] = Counter()  # live connections per address
        self.saved: dict[str, tuple[str, float, float, float]] = {}  # user -> (park, x, y, yaw)
        self.on_leave: list[LeaveHook] = []

    # --- admission ----------------------------------------------------------------

    def refusal(self, ip: str, max_connections: int | None = None) -> str | None:
        """Why a new connection from ``ip`` is refused (None: welcome). Held avatars do
        not count here, so a dropped client can always come back to resume; they count
        when an address asks for a new avatar (``avatar_refusal``)."""
        cfg = self.cfg
        limit = cfg.max_connections if max_connections is None else max_connections
        if len(self.visitors) + len(self.holds) >= limit:
            return f"server full ({limit} connections and held avatars)"
        if self.conns[ip] >= cfg.max_per_ip:
            return f"too many connections from your address ({cfg.max_per_ip})"
        return None

    def avatar_refusal(self, visitor: Visitor) -> str | None:
        """Why ``visitor`` may not put a new avatar in a park: its address already has
        ``max_per_ip`` connections and avatars held for resume together."""
        if visitor.park is None and self.per_ip[visitor.ip] > self.cfg.max_per_ip:
            return (f"too many visitors from your address ({self.cfg.max_per_ip}, avatars held for resume "
                    "included): wait for them to leave, or resume one")
        return None

    def connected(self, peer: Peer) -> Visitor:
        visitor = Visitor(peer)
        self.visitors.add(visitor)
        self.per_ip[peer.ip] += 1
        self.conns[peer.ip] += 1
        return visitor

    def _release(self, ip: str) -> None:
        self.per_ip[ip] -= 1
        if self.per_ip[ip] <= 0:
            del self.per_ip[ip]

    def signed_in(self, visitor: Visitor, person: Person) -> str:
        """Record the person; returns the new resume token."""
        visitor.person = person
        visitor.resume_token = secrets.token_urlsafe(24)
        self.live[visitor.resume_token] = visitor
        return visitor.resume_token

    def disconnected(self, visitor: Visitor, *, said_goodbye: bool, stopping: bool, now: float,
                     mono: float) -> None:
        """The connection ended. A client that closed normally has left; after a drop the
        avatar is held for a resume (and keeps counting against its address)."""
        self.visitors.discard(visitor)
        self.conns[visitor.ip] -= 1
        if self.conns[visitor.ip] <= 0:
            del self.conns[visitor.ip]
        if visitor.resume_token and self.live.get(visitor.resume_token) is visitor:
            del self.live[visitor.resume_token]
        park, eid = visitor.park, visitor.eid
        if park is None or eid is None:
            self._release(visitor.ip)
            return
        if said_goodbye or stopping or not visitor.resume_token or eid not in park.room:
            self.leave(visitor, now)
            self._release(visitor.ip)
            return
        park.clients.pop(eid, None)
        park.room.detach(eid)
        park.held[eid] = visitor
        self.holds[visitor.resume_token] = Held(park.id, eid, mono + self.cfg.resume_ttl, visitor)

    # --- parks ----------------------------------------------------------------------

    def park_full(self, park: HostedPark) -> str | None:
        if len(park.room.avatars) >= self.cfg.max_per_park:
            return f"park {park.id} is full ({self.cfg.max_per_park} visitors, held avatars included)"
        return None

    def join(self, visitor: Visitor, park: HostedPark, spawn: str | None, rng: Rng,
             at: tuple[float, float, float] | None, now: float) -> int:
        """Put the visitor's avatar in ``park`` (leaving the park it was in). Raises
        ``world.room.UnknownSpawn``."""
        assert visitor.person is not None
        if spawn is not None and spawn not in {s.id for s in park.layout.spawns}:
            raise UnknownSpawn(f"park {park.id!r} has no spawn point {spawn!r}")  # before leaving anything
        if visitor.park is not None:
            self.leave(visitor, now)
        eid = park.room.join(visitor.person, spawn, rng, at=at)
        visitor.park, visitor.eid = park, eid
        park.clients[eid] = visitor
        return eid

    def leave(self, visitor: Visitor, now: float) -> None:
        park, eid = visitor.park, visitor.eid
        visitor.park = visitor.eid = None
        if park is not None and eid is not None:
            self._leave_avatar(park, eid, visitor, now)

    def _leave_avatar(self, park: HostedPark, eid: int, visitor: Visitor, now: float) -> None:
        park.clients.pop(eid, None)
        park.held.pop(eid, None)
        self.save_position(visitor, park, eid, now)
        for event in park.room.leave(eid):
            if isinstance(event, BoothLeft):
                self.record_visit(park, visitor, event.booth_id, event.dwell_s, now)
        for hook in self.on_leave:
            hook(park, visitor, now)

    def save_position(self, visitor: Visitor, park: HostedPark, eid: int, now: float) -> None:
        """Remember where an account's avatar stands (guests are not remembered)."""
        av = park.room.avatars.get(eid)
        who = visitor.person
        if av is not None and who is not None and who.registered:
            self.saved[who.user_id] = (park.id, av.x, av.y, av.yaw)
            self.positions.post(who.user_id, park.id, av.x, av.y, av.yaw, now)

    def save_all_positions(self, now: float) -> None:
        for park in self.parks.values():
            for eid, visitor in list(park.clients.items()) + list(park.held.items()):
                self.save_position(visitor, park, eid, now)

    def of_user(self, user_id: str) -> list[Visitor]:
        """Every connection and held avatar of one account."""
        found = [v for v in self.visitors if v.person is not None and v.person.user_id == user_id]
        return found + [h.visitor for h in self.holds.values()
                        if h.visitor.person is not None and h.visitor.person.user_id == user_id]

    def forget_resume(self, visitor: Visitor) -> None:
        """This session can no longer be resumed (signed out): when its connection ends,
        its avatar leaves instead of being held."""
        if visitor.resume_token and self.live.get(visitor.resume_token) is visitor:
            del self.live[visitor.resume_token]
        visitor.resume_token = ""

    def release_holds_of(self, user_id: str, now: float) -> int:
        gone = [t for t, h in self.holds.items() if h.visitor.person is not None
                and h.visitor.person.user_id == user_id]
        for token in gone:
            self._expire(self.holds.pop(token), now)
        return len(gone)

    # --- resume ---------------------------------------------------------------------

    def resume(self, visitor: Visitor, token: str, mono: float, now: float) -> tuple[Visitor, bool] | None:
        """Move the avatar behind ``token`` onto ``visitor``'s connection. Returns the
        visitor it came from and whether that one was still attached (a takeover: it must
        be told it was replaced), or None when the token is unknown or expired."""
        old = self.live.get(token)
        takeover = old is not None and old is not visitor and old.park is not None and old.eid is not None
        if takeover:
            assert old is not None and old.park is not None and old.eid is not None
            del self.live[token]
            park, eid = old.park, old.eid
            park.clients.pop(eid, None)
            old.park = old.eid = None
            old.resume_token = ""
        else:
            held = self.holds.pop(token, None)
            park = self.parks.get(held.park) if held is not None else None
            if held is None or park is None or held.expires < mono or held.eid not in park.room:
                if held is not None:
                    self._expire(held, now)
                return None
            old, eid = held.visitor, held.eid
            park.held.pop(eid, None)
            self._release(old.ip)
        park.room.attach(eid)
        park.clients[eid] = visitor
        visitor.person, visitor.park, visitor.eid = old.person, park, eid
        visitor.resume_token, visitor.login_token, visitor.liked = token, old.login_token, old.liked
        self.live[token] = visitor
        return old, takeover

    def _expire(self, held: Held, now: float) -> None:
        park = self.parks.get(held.park)
        if park is not None and held.eid in park.room:
            self._leave_avatar(park, held.eid, held.visitor, now)
        self._release(held.visitor.ip)

    def expire_holds(self, mono: float, now: float) -> int:
        gone = [t for t, h in self.holds.items() if h.expires < mono]
        for token in gone:
            self._expire(self.holds.pop(token), now)
        return len(gone)

    def release_all_holds(self, now: float) -> None:
        for token in list(self.holds):
            self._expire(self.holds.pop(token), now)

    # --- booths in the room -----------------------------------------------------------

    def room_events(self, park: HostedPark, events: list[RoomEvent], now: float,
                    booth_message: Callable[[HostedPark, str, bool], M.Booth | None]) -> None:
        """Booth zone entries and exits from a tick: the booth panel pushed on entry, an
        exit notice and a visit record on exit."""
        for event in events:
            visitor = park.clients.get(event.eid) or park.held.get(event.eid)
            if isinstance(event, BoothEntered):
                if visitor is not None and event.eid in park.clients:
                    shown = booth_message(park, event.booth_id, (park.id, event.booth_id) in visitor.liked)
                    if shown is not None:
                        visitor.peer.push(encode(shown))
            elif isinstance(event, BoothLeft) and visitor is not None:
                if event.eid in park.clients:
                    visitor.peer.push(encode(M.BoothExit(booth=event.booth_id)))
                self.record_visit(park, visitor, event.booth_id, event.dwell_s, now)

    def record_visit(self, park: HostedPark, visitor: Visitor, booth_id: str, dwell_s: float, now: float) -> None:
        who = visitor.person
        if who is not None:
            self.visits.post(park.id, booth_id, who.user_id, who.name, now - dwell_s, now)

    def to_booth_visitors(self, park: HostedPark, record: BoothRecord) -> None:
        """The booth's new state to everyone standing in its zone (encoded at most twice:
        for visitors who liked it and for those who did not)."""
        frames: dict[bool, bytes] = {}
        key = (park.id, record.id)
        for eid in park.room.visitors_in_booth(record.id):
            visitor = park.clients.get(eid)
            if visitor is None:
                continue
            liked = key in visitor.liked
            frame = frames.get(liked)
            if frame is None:
                frame = frames[liked] = encode(M.Booth(booth=record.view(liked)))
            visitor.peer.push(frame)

    def everyone(self) -> list[Any]:
        return [v.peer for v in self.visitors]
