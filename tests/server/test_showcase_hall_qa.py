"""The event's Q&A board and polls in the park's halls, end to end: the real showcase
service (no stage port injected), a real world server, websocket visitors in the main hall
and an overflow hall. Questions asked and upvoted in either hall reach both, sorted by
votes; a poll with hidden results shows its counts only once closed; votes after the close
are refused; guests may not ask; every refusal names the field."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from server.accounts import Accounts
from tests.server.test_showcase_hall import T0, account, enter, hall_app, tick_seconds
from world.protocol import messages as M
from world.showcases.events import EventDraft

PARK = "798-art-zone"


def test_questions_and_polls_are_shared_by_every_hall(tmp_path: Path) -> None:
    async def go() -> None:
        async with hall_app(tmp_path, None, hall_capacity=1) as app:  # type: ignore[arg-type]
            accounts = Accounts(app.store, scrypt_n=2**10)
            await accounts.create("olga", "correct horse 1", "Olga", "organizer", now=T0)
            olga = await accounts.person(await app.store.accounts.get("olga"))
            start = datetime.fromtimestamp(T0, UTC).replace(microsecond=0) + timedelta(minutes=30)
            ev = await app.showcases.schedule(olga, EventDraft(PARK, "main", "水墨动画首映", "Ink premiere", start,
                                                               start + timedelta(hours=1), 200))
            ann, bo = await account(app.port, "ann"), await account(app.port, "bo")
            await enter(ann)
            assert (await enter(bo)).hall == 2
            first = await bo.wait_for(lambda m: isinstance(m, M.Questions))
            assert (first.event, first.items) == (ev.id, [])
            # asked in the main hall, upvoted from hall 2: both halls see it with its vote
            asked = await ann.request(M.Ask(text="什么时候上映？"))
            assert isinstance(asked, M.Ok) and asked.data["state"] == "visible"
            qid = asked.data["question"]
            await tick_seconds(app, 0.5)
            for v in (ann, bo):
                shown = await v.wait_for(lambda m: isinstance(m, M.Questions) and m.items)
                assert [(q.id, q.name, q.text, q.votes) for q in shown.items] == [(qid, "Ann", "什么时候上映？", 0)]
            up = await bo.request(M.Upvote(question=qid))
            assert isinstance(up, M.Ok) and up.data == {"question": qid, "votes": 1, "voted": True}
            again = await bo.request(M.Upvote(question=qid))
            assert isinstance(again, M.Error) and again.code == "invalid" and again.msg.startswith("vote:")
            second = await bo.request(M.Ask(text="有回放吗？"))
            assert isinstance(second, M.Ok)
            await tick_seconds(app, 0.5)
            for v in (ann, bo):
                board = await v.wait_for(lambda m: isinstance(m, M.Questions) and len(m.items) == 2)
                assert [(q.id, q.votes) for q in board.items] == [(qid, 1), (second.data["question"], 0)]
            missing = await ann.request(M.Upvote(question=999))
            assert isinstance(missing, M.Error) and missing.code == "not_found"
            # a poll with results hidden until it closes
            poll = await app.showcases.create_poll(olga, ev.id, "最喜欢哪一段？", ["开场", "结尾"], results="hidden")
            await app.showcases.open_poll(poll.id)
            await tick_seconds(app, 0.5)
            opened = await bo.wait_for(lambda m: isinstance(m, M.Polls) and m.items and m.items[0].state == "open")
            assert opened.items[0].options == ["开场", "结尾"] and opened.items[0].counts is None
            voted = await ann.request(M.PollVote(poll=poll.id, choices=[1]))
            assert isinstance(voted, M.Ok) and voted.data == {"poll": poll.id, "chosen": [1], "counts": None}
            assert isinstance(await bo.request(M.PollVote(poll=poll.id, choices=[1])), M.Ok)
            bad = await bo.request(M.PollVote(poll=poll.id, choices=[5]))
            assert isinstance(bad, M.Error) and bad.code == "invalid" and bad.msg.startswith("choices:")
            await app.showcases.close_poll(poll.id)
            await tick_seconds(app, 0.5)
            for v in (ann, bo):
                closed = await v.wait_for(lambda m: isinstance(m, M.Polls) and m.items and m.items[0].state == "closed")
                assert closed.items[0].counts == [0, 2] and closed.items[0].ballots == 2
            late = await ann.request(M.PollVote(poll=poll.id, choices=[0]))
            assert isinstance(late, M.Error) and late.code == "invalid" and "closed" in late.msg
            # a newcomer gets the board with its own votes; a guest may not ask
            cy = await account(app.port, "cy")
            await enter(cy)
            board = await cy.wait_for(lambda m: isinstance(m, M.Questions))
            assert len(board.items) == 2 and board.voted == [] and board.mine == []
            from tests.server.test_showcase_hall import guest

            g = await guest(app.port, "g")
            await enter(g)
            refused = await g.request(M.Ask(text="hi"))
            assert isinstance(refused, M.Error) and (refused.code, refused.msg) == ("not_allowed", "sign in first")
            for v in (ann, bo, cy, g):
                await v.close()
    asyncio.run(go())
