"""The Q&A board and the polls of the event on a park's stage, in every hall.

The showcase service holds the truth (``Board``: ``ShowcaseService`` fills it): questions,
votes, polls and ballots, with the rules of the event (the keyword filter, moderation,
results hidden until a poll closes). The world server asks it on a visitor's behalf
(``ask``, ``upvote``, ``poll_vote``) and shows the board: a visitor coming into a hall
gets ``questions`` and ``polls`` right after ``stage`` (with their own votes and ballot),
and everyone in every hall of the park gets them again, whole, when the service hints a
change (``showcase.qa {event, question}``, ``showcase.poll {event, poll}``, from any
process). Hints are coalesced: a board is read at most every ``EVERY_S`` however many
votes come in, so a crowd upvoting costs a few reads a second, not one per vote.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from server.bus import Bus, Hint
from server.parks import HostedPark
from server.presence import Presence, Visitor
from server.refusal import Refusal
from server.stage_board import ON_STAGE, StageBoard
from world.people import Person
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import ErrorCode

log = logging.getLogger("cloudpark.stage_qa")

QA_CHANGED = "showcase.qa"
POLL_CHANGED = "showcase.poll"
EVERY_S = 0.25
MAX_ITEMS = 100  # questions shown (the most voted)
NOT_FOUND = ("unknown_question", "unknown_poll", "unknown_event")
LIMITED = ("flood",)


class Board(Protocol):
    """What the world server asks of the showcase service (``ShowcaseService``)."""

    async def ask(self, person: Person, event_id: int, text: str) -> Any: ...
    async def upvote(self, person: Person, question_id: int) -> Any: ...
    async def unvote(self, person: Person, question_id: int) -> Any: ...
    async def questions(self, event_id: int, viewer: str = "", *, moderator: bool = False) -> list[Any]: ...
    async def vote(self, person: Person, poll_id: int, choices: Sequence[int]) -> Any: ...
    async def polls(self, event_id: int, viewer: str = "", *, moderator: bool = False) -> list[Any]: ...


def refusal(exc: Exception) -> Refusal:
    """The service's refusal (problems with a code, the field and a sentence) as one error."""
    problems = getattr(exc, "problems", None)
    if not problems:
        raise exc
    first = problems[0]
    code = (ErrorCode.NOT_FOUND if first.code in NOT_FOUND
            else ErrorCode.RATE_LIMITED if first.code in LIMITED else ErrorCode.INVALID)
    return Refusal(code, f"{first.field}: {first.message}")


def question_items(views: Sequence[Any]) -> list[M.QuestionItem]:
    return [M.QuestionItem(id=v.question.id, name=v.question.name, text=v.question.text, votes=v.question.votes,
                           state=v.question.state) for v in views[:MAX_ITEMS]]


def poll_items(views: Sequence[Any], mine: bool) -> list[M.PollItem]:
    out = []
    for v in views:
        p, t = v.poll, v.tally
        out.append(M.PollItem(id=p.id, question=p.question, options=list(p.options), kind=p.kind, results=p.results,
                              state=p.state, max_choices=p.max_choices,
                              counts=list(t.counts) if t is not None else None,
                              ballots=t.ballots if t is not None else 0,
                              chosen=sorted(v.mine) if mine and v.mine is not None else None))
    return out


class StageQA:
    def __init__(self, presence: Presence, stages: StageBoard, bus: Bus, board: Board | None = None) -> None:
        self.presence = presence
        self.stages = stages
        self.board = board
        self.dirty: dict[int, float] = {}  # event -> when the hint came
        self.read_at: dict[int, float] = {}
        self.reading: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.pushed = 0
        bus.subscribe(QA_CHANGED, self._changed)
        bus.subscribe(POLL_CHANGED, self._changed)

    def _need(self) -> Board:
        if self.board is None:
            raise Refusal(ErrorCode.UNAVAILABLE, "the showcase service is not running here")
        return self.board

    # --- a visitor's requests ----------------------------------------------------------------

    async def ask(self, v: Visitor, event: int, text: str) -> M.Ok:
        assert v.person is not None
        board = self._need()
        try:
            q = await board.ask(v.person, event, text)
        except Exception as exc:  # noqa: BLE001 - refusal() re-raises anything that is not a refusal
            raise refusal(exc) from None
        return M.Ok(re=0, data={"question": q.id, "state": q.state})

    async def upvote(self, v: Visitor, question: int, up: bool) -> M.Ok:
        assert v.person is not None
        board = self._need()
        try:
            q = await (board.upvote(v.person, question) if up else board.unvote(v.person, question))
        except Exception as exc:  # noqa: BLE001
            raise refusal(exc) from None
        return M.Ok(re=0, data={"question": q.id, "votes": q.votes, "voted": up})

    async def vote(self, v: Visitor, poll: int, choices: Sequence[int]) -> M.Ok:
        assert v.person is not None
        board = self._need()
        try:
            view = await board.vote(v.person, poll, list(choices))
        except Exception as exc:  # noqa: BLE001
            raise refusal(exc) from None
        t = view.tally
        return M.Ok(re=0, data={"poll": poll, "chosen": sorted(view.mine or ()),
                          "counts": list(t.counts) if t is not None else None})

    # --- showing the board ---------------------------------------------------------------------

    async def arrival(self, park: HostedPark, v: Visitor) -> list[Any]:
        """``questions`` and ``polls`` for a visitor coming into a hall of ``park`` (with
        their own votes and ballots), when an event is on its stage."""
        state = self.stages.current(park.id)
        if self.board is None or state is None or state.state not in ON_STAGE or v.person is None:
            return []
        viewer = v.person.user_id if v.person.registered else ""
        try:
            questions = await self.board.questions(state.event, viewer)
            polls = await self.board.polls(state.event, viewer)
        except Exception:  # noqa: BLE001 - the board is a picture: a failed read never fails a join
            log.exception("could not read the board of event %d", state.event)
            return []
        return [M.Questions(event=state.event, items=question_items(questions),
                            voted=sorted(q.question.id for q in questions if q.voted),
                            mine=sorted(q.question.id for q in questions if q.mine)),
                M.Polls(event=state.event, items=poll_items(polls, mine=True))]

    async def _changed(self, subject: str, hint: Hint) -> None:
        event = hint.get("event")
        if isinstance(event, int):
            self.dirty.setdefault(event, 0.0)

    def tick(self, now: float) -> None:
        """Re-read the boards that changed, at most every ``EVERY_S`` each (the ticker calls
        it; ``now`` is monotonic time: a wall clock may stand still or jump)."""
        for event in list(self.dirty):
            if event in self.reading or now - self.read_at.get(event, -1e18) < EVERY_S:
                continue
            parks = [p for p, s in self.stages.states.items() if s is not None and s.event == event]
            del self.dirty[event]
            if not parks or self.board is None:
                continue
            self.read_at[event] = now
            self.reading.add(event)
            task = asyncio.ensure_future(self._push(event, parks))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _push(self, event: int, parks: list[str]) -> None:
        assert self.board is not None
        try:
            questions = M.Questions(event=event, items=question_items(await self.board.questions(event)))
            polls = M.Polls(event=event, items=poll_items(await self.board.polls(event), mine=False))
        except Exception:  # noqa: BLE001 - the board is a picture: the next change reads it again
            log.exception("could not read the board of event %d", event)
            return
        finally:
            self.reading.discard(event)
        frames = (encode(questions), encode(polls))
        for park_id in parks:
            for visitor in self.presence.in_park(park_id):
                for frame in frames:
                    visitor.peer.push_later(frame)
                self.pushed += 1
