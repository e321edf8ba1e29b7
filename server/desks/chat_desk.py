"""Chat lines: near (15 m), the whole park, or a booth (its zone and staff on duty).

The finder checks the channel and the place before ``can`` is asked (``chat.near``,
``chat.park``, ``chat.booth``). Each speaker has a token bucket (``world.chat``):
an account by its id, a guest by its address, so reconnecting as a new guest does
not reset the limit. Fan-out rides the listeners' next writes (their snapshots).
Stored lines are queued off the tick.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.clock import Clock
from server.parks import HostedPark
from server.presence import Visitor
from server.refusal import Refusal
from world.booths import BoothRecord
from world.chat import NEAR_RADIUS, ChatLimiter, ChatRuleError, check_channel, clean_text
from world.people import Person
from world.permissions import Resource
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import ErrorCode


class ChatDesk:
    def __init__(self, chat_log: Any, limiter: ChatLimiter, clock: Clock,
                 hush: Callable[[HostedPark, Person, str], str | None] | None = None,
                 words: Callable[[HostedPark, str], Awaitable[str | None]] | None = None) -> None:
        self.chat_log = chat_log
        self.limiter = limiter
        self.clock = clock
        self.hush = hush  # why a channel is closed to this person now (a showcase's muted audience)
        self.words = words  # why a line is refused (a word the event's keyword filter lists)

    def find_channel(self, v: Visitor, msg: M.Chat) -> tuple[Resource, tuple[HostedPark, BoothRecord | None]]:
        park = v.park
        if park is None or v.eid is None:
            raise Refusal(ErrorCode.BAD_STATE, "join a park before chatting")
        try:
            check_channel(msg.ch, msg.booth)
        except ChatRuleError as exc:
            raise Refusal(ErrorCode(exc.code), str(exc)) from None
        record = None
        if msg.ch == "booth":
            record = park.booths.get(msg.booth or "")
            if record is None:
                raise Refusal(ErrorCode.NOT_FOUND, f"booth: no booth {msg.booth!r} in park {park.id}")
            return record.resource, (park, record)
        return Resource(park_id=park.id), (park, None)

    async def chat(self, v: Visitor, msg: M.Chat, found: tuple[HostedPark, BoothRecord | None]) -> M.Ok | None:
        park, record = found
        who, eid = v.person, v.eid
        assert who is not None and eid is not None
        try:
            text = clean_text(msg.text)
        except ChatRuleError as exc:
            raise Refusal(ErrorCode(exc.code), str(exc)) from None
        hushed = self.hush(park, who, msg.ch) if self.hush is not None else None
        if hushed:
            raise Refusal(ErrorCode.NOT_ALLOWED, hushed)
        if self.words is not None and record is None:
            refused = await self.words(park, text)
            if refused:
                raise Refusal(ErrorCode.INVALID, refused)
            if v.park is not park or v.eid != eid:  # left while the filter was read
                return None
        speaker = who.user_id if who.registered else f"guest@{v.ip}"
        if not self.limiter.allow(speaker, self.clock.monotonic()):
            raise Refusal(ErrorCode.RATE_LIMITED, "chat: at most 5 lines per 10 s; this line was dropped")
        if record is None and msg.ch == "near":
            targets = park.room.near(eid, NEAR_RADIUS)
        elif record is None:
            targets = list(park.clients)
        else:
            staff = {e for e, other in park.clients.items()
                     if other.person is not None and other.person.user_id in record.staff_on_duty}
            targets = sorted(set(park.room.visitors_in_booth(record.id)) | staff | {eid})
        now = self.clock.now()
        booth_id = record.id if record is not None else ""
        frame = encode(M.ChatLine(ch=msg.ch, text=text, name=who.name, eid=eid, ts=now, booth=booth_id))
        for target in targets:
            listener = park.clients.get(target)
            if listener is not None:
                listener.peer.push_later(frame)
        self.chat_log.post(park.id, msg.ch, booth_id, who.user_id, who.name, text, now)
        return M.Ok(re=msg.id) if msg.id else None
