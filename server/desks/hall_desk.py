"""The showcase in the park's halls: reactions, moving to the main hall, the Q&A board and
polls (``server.stage_qa``), and the organizer's controls (the audience's chat, the
spotlight, removing a person).

Permissions are asked once by the dispatch table: ``stage.react`` (everyone in the
park), ``park.join`` (moving halls), ``showcase.ask`` (questions, upvotes, ballots: anyone
signed in), ``stage.control`` (the event's organizer and
moderators, the park's staff, admins: the stage finder names them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from server.clock import Clock
from server.parks import HostedPark
from server.presence import Presence, Visitor
from server.refusal import Refusal
from server.stage_board import StageBoard, StageState
from server.stage_qa import StageQA
from server.stage_reactions import ReactionBoard
from world.protocol import messages as M
from world.protocol.constants import ErrorCode
from world.showcases.reactions import ReactionError
from world.showcases.seats import SeatError

Arrived = Callable[[Visitor, int], AsyncIterator[Any]]
Found = tuple[HostedPark, StageState]


class HallDesk:
    def __init__(self, presence: Presence, stages: StageBoard, reactions: ReactionBoard, clock: Clock,
                 arrived: Arrived, qa: StageQA) -> None:
        self.presence = presence
        self.stages = stages
        self.reactions = reactions
        self.qa = qa
        self.clock = clock
        self.arrived = arrived  # what a visitor coming into a hall gets (``ParkDesk.arrived``)

    async def react(self, v: Visitor, msg: M.React, found: Found) -> M.Ok | None:
        _, state = found
        try:
            counted = self.reactions.add(v, state, msg.kind, self.clock.now())
        except ReactionError as exc:
            raise Refusal(ErrorCode.INVALID, str(exc)) from None
        if not counted:
            raise Refusal(ErrorCode.RATE_LIMITED, f"react: at most {self.reactions.per_second} reactions a second "
                          "count for one person; this one was not counted")
        return M.Ok(re=msg.id) if msg.id else None

    async def hall_move(self, v: Visitor, msg: M.HallMove, _: Any) -> AsyncIterator[Any]:
        try:
            self.presence.move_to_main(v, self.clock.now())
        except SeatError as exc:
            raise Refusal(ErrorCode.UNAVAILABLE if "full" in exc.message else ErrorCode.INVALID, str(exc)) from None
        return self.arrived(v, msg.id)

    async def stage_chat(self, v: Visitor, msg: M.StageChat, found: Found) -> M.Ok | None:
        main, _ = found
        self.stages.set_muted(main.id, msg.muted)
        return M.Ok(re=msg.id, data={"muted": msg.muted}) if msg.id else None

    async def spotlight(self, v: Visitor, msg: M.Spotlight, found: Found) -> M.Ok | None:
        main, _ = found
        if not msg.user:
            self.stages.set_spotlight(main.id, None)
            return M.Ok(re=msg.id, data={"spotlight": ""}) if msg.id else None
        here = [x for x in self.presence.in_park(main.id) if x.person is not None and x.person.user_id == msg.user]
        if not here:
            raise Refusal(ErrorCode.NOT_FOUND, f"user: {msg.user[:64]!r} is not in any hall of park {main.id}")
        person = here[0].person
        assert person is not None
        self.stages.set_spotlight(main.id, (person.user_id, person.name))
        return M.Ok(re=msg.id, data={"spotlight": person.user_id, "name": person.name}) if msg.id else None

    async def stage_remove(self, v: Visitor, msg: M.StageRemove, found: Found) -> M.Ok | None:
        main, state = found
        if msg.user in state.staff or msg.user in {u for u, _ in state.presenters}:
            raise Refusal(ErrorCode.INVALID, f"user: {msg.user!r} runs or presents this event and cannot be removed")
        assert v.person is not None
        if msg.user == v.person.user_id:
            raise Refusal(ErrorCode.INVALID, "user: you cannot remove yourself")
        gone = self.stages.remove(main.id, msg.user, msg.reason)
        return M.Ok(re=msg.id, data={"removed": gone}) if msg.id else None

    async def ask(self, v: Visitor, msg: M.Ask, found: Found) -> M.Ok:
        _, state = found
        reply = await self.qa.ask(v, state.event, msg.text)
        reply.re = msg.id
        return reply

    async def upvote(self, v: Visitor, msg: M.Upvote, found: Found) -> M.Ok:
        reply = await self.qa.upvote(v, msg.question, msg.up)
        reply.re = msg.id
        return reply

    async def poll_vote(self, v: Visitor, msg: M.PollVote, found: Found) -> M.Ok:
        reply = await self.qa.vote(v, msg.poll, msg.choices)
        reply.re = msg.id
        return reply
