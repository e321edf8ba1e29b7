"""Parks: list them, join one, leave, move, emote, change one's look, ping."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from server.clock import Clock
from server.desks.views import joined_message
from server.parks import HostedPark
from server.presence import ParkFull, Presence, Visitor
from server.refusal import Refusal
from world.people import Person
from world.permissions import Resource
from world.protocol import messages as M
from world.protocol.constants import ErrorCode
from world.room import Rng, UnknownSpawn
from world.text import TextRuleError, clean_name


class ParkDesk:
    def __init__(self, parks: dict[str, HostedPark], presence: Presence, positions: Any, clock: Clock,
                 rng: Rng, *, spaces: Callable[[HostedPark], Awaitable[M.Spaces | None]] | None = None,
                 stage: Callable[[HostedPark, Visitor], Awaitable[M.StageView | None]] | None = None,
                 barred: Callable[[HostedPark, Person], str | None] | None = None,
                 board: Callable[[HostedPark, Visitor], Awaitable[list[Any]]] | None = None) -> None:
        self.parks = parks
        self.spaces = spaces  # the park's bookable zones, sent right after ``joined``
        self.stage = stage  # the park's stage (``server.stage_board``), sent after ``hall``
        self.barred = barred  # why a person may not come in (removed from the event on its stage)
        self.board = board  # the event's Q&A board and polls (``server.stage_qa``), sent after ``stage``
        self.presence = presence
        self.positions = positions
        self.clock = clock
        self.rng = rng

    def find_park(self, v: Visitor, msg: M.Join) -> tuple[Resource, HostedPark]:
        park = self.parks.get(msg.park)
        if park is None:
            raise Refusal(ErrorCode.NOT_FOUND, f"park: no park {msg.park!r} is hosted here")
        return Resource(park_id=park.id), park

    async def list(self, v: Visitor, msg: M.ListParks, _: Any) -> M.Parks:
        parks = [M.ParkInfo(id=i["id"], name_zh=i["name_zh"], name_en=i["name_en"], online=i["online"],
                            scene=i["scene"], scene_hash=i["scene_hash"])
                 for i in (p.info() for p in self.parks.values())]
        return M.Parks(parks=parks, re=msg.id)

    async def ping(self, v: Visitor, msg: M.Ping, _: Any) -> M.Pong:
        return M.Pong(c=msg.c, s=self.clock.now())

    async def _saved(self, user: str, park_id: str) -> tuple[float, float, float] | None:
        saved = self.presence.saved.get(user)
        if saved is None:
            row = await self.positions.get(user)
            saved = None if row is None else (row.park, row.x, row.y, row.yaw)
        if saved is None or saved[0] != park_id:
            return None
        return saved[1], saved[2], saved[3]

    async def join(self, v: Visitor, msg: M.Join, park: HostedPark) -> M.Joined | AsyncIterator[Any] | None:
        person = v.person
        assert person is not None
        bar = self.barred(park, person) if self.barred is not None else None
        if bar:
            raise Refusal(ErrorCode.NOT_ALLOWED, bar)
        at = None
        if msg.spawn is None and person.registered:  # a returning account starts where it left
            at = await self._saved(person.user_id, park.id)
            if v.peer.closing or v.person is not person:
                return None
        if v.park is None or v.park.main_hall is not park:  # after the await: nobody got the last place meanwhile
            full = self.presence.park_full(park) or self.presence.avatar_refusal(v)
            if full:
                raise Refusal(ErrorCode.UNAVAILABLE, full)
        try:
            self.presence.join(v, park, msg.spawn, self.rng, at, self.clock.now())
        except UnknownSpawn as exc:
            raise Refusal(ErrorCode.NOT_FOUND, f"spawn: {exc.args[0]}") from None
        except ParkFull as exc:
            raise Refusal(ErrorCode.UNAVAILABLE, str(exc)) from None
        v.peer.session.joined()
        return self.arrived(v, msg.id)

    async def arrived(self, v: Visitor, rid: int) -> AsyncIterator[Any]:
        """What a visitor who just came into a hall gets, sent as it comes: ``joined`` and
        ``hall`` at once (snapshots flow from the next tick), then the park's ``spaces``,
        ``stage``, and with an event on it ``questions`` and ``polls``, each read on the way
        (the rest dropped if the visitor moved on meanwhile). A mass arrival left people in
        the park without ``joined``/``hall`` while their board was read (bench showcase)."""
        hall, eid = v.park, v.eid
        assert hall is not None and eid is not None
        yield joined_message(hall, eid, rid)
        yield self.presence.hall_message(hall, self.presence.offer_of(v))
        reads: list[Callable[[HostedPark], Awaitable[Any]]] = []
        if self.spaces is not None:
            reads.append(self.spaces)
        if self.stage is not None:
            stage = self.stage
            reads.append(lambda park: stage(park, v))
        if self.board is not None:
            board_of = self.board
            reads.append(lambda park: board_of(park, v))
        for read in reads:
            got = await read(hall.main_hall)
            if v.park is not hall or v.eid != eid:  # left (or moved on) while it was read
                return
            for one in got if isinstance(got, list) else (got,) if got is not None else ():
                yield one

    async def leave(self, v: Visitor, msg: M.Leave, _: Any) -> M.Ok | None:
        self.presence.leave(v, self.clock.now())
        v.peer.session.left()
        return M.Ok(re=msg.id) if msg.id else None

    async def input(self, v: Visitor, msg: M.Input, _: Any) -> None:
        if v.park is not None and v.eid is not None:
            v.park.room.queue_input(v.eid, msg)

    async def emote(self, v: Visitor, msg: M.Emote, _: Any) -> None:
        if v.park is None or v.eid is None:
            return
        if not v.park.room.set_emote(v.eid, msg.e):
            raise Refusal(ErrorCode.INVALID, f"e: unknown emote {msg.e[:16]!r}")

    async def look(self, v: Visitor, msg: M.Look, _: Any) -> M.Ok | None:
        assert v.person is not None
        name = None
        if msg.name is not None:
            try:
                name = clean_name(msg.name, "name")
            except TextRuleError as exc:
                raise Refusal(ErrorCode.INVALID, str(exc)) from None
        if v.park is not None and v.eid is not None:
            v.park.room.set_look(v.eid, name, msg.color)
        v.person = v.person.with_look(name, msg.color)
        return M.Ok(re=msg.id) if msg.id else None
