"""Parks: list them, join one, leave, move, emote, change one's look, ping."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.clock import Clock
from server.desks.views import joined_message
from server.parks import HostedPark
from server.presence import Presence, Visitor
from server.refusal import Refusal
from world.permissions import Resource
from world.protocol import messages as M
from world.protocol.constants import ErrorCode
from world.room import Rng, UnknownSpawn
from world.text import TextRuleError, clean_name


class ParkDesk:
    def __init__(self, parks: dict[str, HostedPark], presence: Presence, positions: Any, clock: Clock,
                 rng: Rng, *, spaces: Callable[[HostedPark], Awaitable[M.Spaces | None]] | None = None) -> None:
        self.parks = parks
        self.spaces = spaces  # the park's bookable zones, sent right after ``joined``
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

    async def join(self, v: Visitor, msg: M.Join, park: HostedPark) -> M.Joined | list[Any] | None:
        person = v.person
        assert person is not None
        at = None
        if msg.spawn is None and person.registered:  # a returning account starts where it left
            at = await self._saved(person.user_id, park.id)
            if v.peer.closing or v.person is not person:
                return None
        if v.park is not park:  # after the await: nobody else got the last place meanwhile
            full = self.presence.park_full(park) or self.presence.avatar_refusal(v)
            if full:
                raise Refusal(ErrorCode.UNAVAILABLE, full)
        try:
            eid = self.presence.join(v, park, msg.spawn, self.rng, at, self.clock.now())
        except UnknownSpawn as exc:
            raise Refusal(ErrorCode.NOT_FOUND, f"spawn: {exc.args[0]}") from None
        v.peer.session.joined()
        joined = joined_message(park, eid, msg.id)
        if self.spaces is not None:
            board = await self.spaces(park)
            if board is not None:
                if v.park is not park or v.eid != eid:  # left (or moved on) while the board was read
                    return [joined]
                return [joined, board]
        return joined

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
