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

import itertools
import logging
import math
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.config import ServerConfig
from server.parks import HostedPark, room_config
from world.booths import BoothRecord
from world.people import Person
from world.protocol import messages as M
from world.protocol.codec import encode
from world.room import BoothEntered, BoothLeft, Rng, RoomEvent, UnknownSpawn
from world.showcases.seats import MAIN, Change, SeatError, Seats

log = logging.getLogger("cloudpark.presence")


class Peer(Protocol):
    """The outbound side of a connection (``server.net.connection`` implements it)."""

    ip: str
    closing: bool
    session: Any  # the connection's world.protocol.session.ServerSession

    def push(self, data: bytes) -> bool: ...
    def push_later(self, data: bytes) -> bool: ...
    def push_snapshot(self, data: bytes) -> bool: ...
    def push_frame(self, frame: bytes | memoryview) -> bool: ...
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
    seat: int = 0  # this avatar's key in its park's seat ledger (0: not seated)

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
    hall: int = MAIN


class ParkFull(Exception):
    """Every hall of the park is full (the reason says how many)."""


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
        self.seats: dict[str, Seats] = {}  # park id -> who sits in which of its halls
        self._seat_keys = itertools.count(1)

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
        self.holds[visitor.resume_token] = Held(park.id, eid, mono + self.cfg.resume_ttl, visitor, park.hall)

    # --- parks ----------------------------------------------------------------------

    def seats_of(self, park_id: str) -> Seats:
        seats = self.seats.get(park_id)
        if seats is None:
            cfg = self.cfg
            seats = self.seats[park_id] = Seats(capacity=cfg.hall_capacity,
                                                max_halls=math.ceil(cfg.max_per_park / cfg.hall_capacity),
                                                offer_s=cfg.hall_offer_s)
        return seats

    def park_full(self, park: HostedPark) -> str | None:
        if self.seats_of(park.id).seated >= self.cfg.max_per_park:
            return f"park {park.id} is full ({self.cfg.max_per_park} visitors, held avatars included)"
        return None

    def hall(self, park_id: str, number: int) -> HostedPark | None:
        main = self.parks.get(park_id)
        if main is None or number == MAIN:
            return main
        return main.overflow.get(number)

    def join(self, visitor: Visitor, park: HostedPark, spawn: str | None, rng: Rng,
             at: tuple[float, float, float] | None, now: float) -> int:
        """Put the visitor's avatar in a hall of ``park`` (leaving the park it was in): the
        main hall, or when that is full an overflow hall (``world.showcases.seats``). The
        seat is taken and the avatar placed in one step, with nothing awaited between, so
        joins at the same moment never seat more than a hall holds. Raises
        ``world.room.UnknownSpawn`` or ``ParkFull``."""
        assert visitor.person is not None
        park = park.main_hall
        if spawn is not None and spawn not in {s.id for s in park.layout.spawns}:
            raise UnknownSpawn(f"park {park.id!r} has no spawn point {spawn!r}")  # before leaving anything
        if visitor.park is not None:
            self.leave(visitor, now)
        seats = self.seats_of(park.id)
        key = next(self._seat_keys)
        try:
            admitted = seats.admit(key, now)
        except SeatError as exc:
            raise ParkFull(f"park {park.id} is full: {exc.message}") from None
        hall = park if admitted.hall == MAIN else (park.overflow.get(admitted.hall)
                                                   or park.open_hall(admitted.hall, room_config(self.cfg)))
        if admitted.opened:
            log.info("park %s: overflow hall %d opened (%s)", park.id, admitted.hall, seats.occupancy())
        eid = hall.room.join(visitor.person, spawn, rng, at=at)
        visitor.park, visitor.eid, visitor.seat = hall, eid, key
        hall.clients[eid] = visitor
        if admitted.opened:
            self._tell_halls(park, but=visitor)  # the newcomer gets its own `hall` after `joined`
        return eid

    def move_to_main(self, visitor: Visitor, now: float) -> int:
        """Move an avatar from an overflow hall into the main hall on an offered or free
        seat, where it stood (the halls share the scene). Raises ``SeatError``."""
        hall, eid = visitor.park, visitor.eid
        if hall is None or eid is None or visitor.person is None:
            raise SeatError("hall", "join a park first")
        main = hall.main_hall
        change = self.seats_of(main.id).accept(visitor.seat, now)
        av = hall.room.avatars[eid]
        at = (av.x, av.y, av.yaw)
        hall.clients.pop(eid, None)
        for event in hall.room.leave(eid):
            if isinstance(event, BoothLeft):
                self.record_visit(hall, visitor, event.booth_id, event.dwell_s, now)
        for hook in self.on_leave:
            hook(hall, visitor, now)
        new = main.room.join(visitor.person, None, _NoDraw(), at=at)
        visitor.park, visitor.eid = main, new
        main.clients[new] = visitor
        self._seat_change(main, change)
        return new

    def lapse_offers(self, now: float) -> None:
        """Main-hall seats offered too long ago are offered on (the ticker calls it)."""
        for park_id, seats in self.seats.items():
            if seats.offers:
                main = self.parks.get(park_id)
                if main is not None:
                    self._seat_change(main, seats.lapse(now))

    def _seat_change(self, main: HostedPark, change: Change) -> None:
        if change.closed:
            closed = main.overflow.pop(change.closed, None)
            if closed is not None:
                for eid in list(closed.room.avatars):  # stand-ins of presenters, nobody seated
                    closed.room.leave(eid)
                log.info("park %s: overflow hall %d closed", main.id, change.closed)
                self._tell_halls(main)
        for offer in (*change.withdrawn, *change.offers):
            visitor = self._seated(main, offer.who)
            if visitor is not None and visitor.park is not None:
                until = offer.until if offer in change.offers else 0.0
                visitor.peer.push(encode(self.hall_message(visitor.park, until)))

    def _tell_halls(self, main: HostedPark, but: Visitor | None = None) -> None:
        """A hall opened or closed: everyone in the park gets their ``hall`` again (how many
        halls there are now), after what was pushed to them before."""
        for hall in main.halls():
            for visitor in hall.clients.values():
                if visitor is not but:
                    visitor.peer.push_later(encode(self.hall_message(hall, self.offer_of(visitor))))

    def _seated(self, main: HostedPark, key: object) -> Visitor | None:
        for hall in main.halls():
            for visitor in (*hall.clients.values(), *hall.held.values()):
                if visitor.seat == key:
                    found: Visitor = visitor
                    return found
        return None

    def hall_message(self, hall: HostedPark, offer_until: float = 0.0, rid: int = 0) -> M.Hall:
        main = hall.main_hall
        zh, en = main.name_zh, main.name_en
        if hall.hall != MAIN:
            zh, en = f"{zh} {hall.hall}号厅", f"{en} - hall {hall.hall}"
        elif main.overflow:  # several halls: say this is the main one
            zh, en = f"{zh} 主厅", f"{en} - main hall"
        return M.Hall(park=main.id, hall=hall.hall, halls=1 + len(main.overflow), capacity=self.cfg.hall_capacity,
                      name_zh=zh, name_en=en, offer_until=offer_until, re=rid)

    def offer_of(self, visitor: Visitor) -> float:
        """Until when a main-hall seat is held for this visitor (0: none)."""
        if visitor.park is None:
            return 0.0
        offer = self.seats_of(visitor.park.id).offers.get(visitor.seat)
        return offer.until if offer is not None else 0.0

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
        if visitor.seat:
            change = self.seats_of(park.id).leave(visitor.seat, now)
            visitor.seat = 0
            self._seat_change(park.main_hall, change)
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
        for main in self.parks.values():
            for park in main.halls():
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

    def release_hold(self, token: str, now: float) -> None:
        """The held avatar behind ``token`` leaves now (no resume)."""
        held = self.holds.pop(token, None)
        if held is not None:
            self._expire(held, now)

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
        park: HostedPark | None
        if takeover:
            assert old is not None and old.park is not None and old.eid is not None
            del self.live[token]
            park, eid = old.park, old.eid
            park.clients.pop(eid, None)
            old.park = old.eid = None
            old.resume_token = ""
        else:
            held = self.holds.pop(token, None)
            park = self.hall(held.park, held.hall) if held is not None else None
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
        visitor.seat, old.seat = old.seat, 0
        self.live[token] = visitor
        return old, takeover

    def _expire(self, held: Held, now: float) -> None:
        park = self.hall(held.park, held.hall)
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
        for hall in park.halls():  # every hall shows the same booths
            for eid in hall.room.visitors_in_booth(record.id):
                visitor = hall.clients.get(eid)
                if visitor is None:
                    continue
                liked = key in visitor.liked
                frame = frames.get(liked)
                if frame is None:
                    frame = frames[liked] = encode(M.Booth(booth=record.view(liked)))
                visitor.peer.push(frame)

    def everyone(self) -> list[Any]:
        return [v.peer for v in self.visitors]

    def in_park(self, park_id: str) -> list[Visitor]:
        """Everyone connected in any hall of the park."""
        main = self.parks.get(park_id)
        return [] if main is None else [v for hall in main.halls() for v in hall.clients.values()]


class _NoDraw:
    """The ``Rng`` of a join at a known walkable point (a move between halls): never drawn from."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2

    def choice(self, seq: Any) -> Any:
        return seq[0]
