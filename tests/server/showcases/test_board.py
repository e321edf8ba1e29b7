"""The Q&A board and polls on both engines: the keyword filter holds a question for a
moderator, oversize questions and floods are refused with the field, one upvote per
person (also when racing on two stores), hidden questions invisible to the audience,
the order by votes then age; polls: before open, ballots changed while open, hidden
results until the close, a vote after close refused with a precise message; the chat
filter while an event is live."""

from __future__ import annotations

import asyncio

import pytest

from server.db import Store
from server.showcases.service import QUESTIONS_PER_MINUTE, ShowcaseRefused
from tests.server.db.conftest import run
from tests.server.showcases.world import PARK, RecordingBus, services, world


def test_questions_votes_and_moderation(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(), words=["广告"])
            v = w.people
            a = await w.service.ask(v["v1"], ev.id, "When does it ship?")
            w.clock.advance(1)
            b = await w.service.ask(v["v2"], ev.id, "How much?")
            w.clock.advance(1)
            rude = await w.service.ask(v["v3"], ev.id, "this is ＳＨＩＴ")
            ad = await w.service.ask(v["v4"], ev.id, "看我的广告")
            assert (a.state, rude.state, rude.flagged, ad.flagged) == ("visible", "pending", "shit", "广告")
            with pytest.raises(ShowcaseRefused) as long:
                await w.service.ask(v["v1"], ev.id, "问" * 301)
            assert (long.value.code, long.value.problems[0].field) == ("too_long", "text")
            for _ in range(QUESTIONS_PER_MINUTE):
                await w.service.ask(v["v5"], ev.id, "again?")
            with pytest.raises(ShowcaseRefused) as flood:
                await w.service.ask(v["v5"], ev.id, "again?")
            assert (flood.value.code, flood.value.problems[0].field) == ("flood", "text")
            w.clock.advance(61)
            await w.service.ask(v["v5"], ev.id, "a minute later")
            await w.service.upvote(v["v3"], b.id)
            await w.service.upvote(v["v4"], b.id)
            await w.service.upvote(v["v4"], a.id)
            with pytest.raises(ShowcaseRefused) as twice:
                await w.service.upvote(v["v4"], a.id)
            assert twice.value.code == "voted"
            assert (await w.service.unvote(v["v4"], a.id)).votes == 0
            with pytest.raises(ShowcaseRefused) as never:
                await w.service.unvote(v["v4"], a.id)
            assert never.value.code == "not_voted"
            with pytest.raises(ShowcaseRefused) as pending_vote:
                await w.service.upvote(v["v1"], rude.id)
            assert pending_vote.value.code == "state"
            seen = [q.question.id for q in await w.service.questions(ev.id, "v3")]
            assert seen[:2] == [b.id, a.id] and rude.id in seen and ad.id not in seen  # own pending shown
            await w.service.moderate(v["olga"], b.id, "answer")
            await w.service.moderate(v["olga"], a.id, "hide")
            await w.service.moderate(v["olga"], ad.id, "approve")
            audience = await w.service.questions(ev.id, "v9")
            assert a.id not in [q.question.id for q in audience] and ad.id in [q.question.id for q in audience]
            mine = {q.question.id: q for q in await w.service.questions(ev.id, "v3")}
            assert mine[b.id].voted and mine[rude.id].mine
            everything = [q.question.id for q in await w.service.questions(ev.id, moderator=True)]
            assert everything[0] == rude.id and a.id in everything
            with pytest.raises(ShowcaseRefused) as bad:
                await w.service.moderate(v["olga"], b.id, "answer")
            assert (bad.value.code, bad.value.problems[0].message) == ("state",
                                                                       "an answered question cannot be marked answered")
            assert {h["event"] for h in w.bus.of("showcase.qa")} == {ev.id}
    run(go())


def test_one_upvote_per_person_when_racing_on_two_stores(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft())
            q = await w.service.ask(w.people["v1"], ev.id, "Q?")
            other = await Store.open(database_url)
            try:
                _, second = services(other, w.clock, RecordingBus())
                got = await asyncio.gather(*[(w.service if i % 2 else second).upvote(w.people["v2"], q.id)
                                             for i in range(6)], return_exceptions=True)
            finally:
                await other.close()
            assert sum(1 for g in got if not isinstance(g, BaseException)) == 1
            assert all(isinstance(g, ShowcaseRefused) and g.code == "voted" for g in got if isinstance(g, BaseException))
            assert (await w.store.showcases.question(q.id)).votes == 1  # type: ignore[union-attr]
    run(go())


def test_polls(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            v = w.people
            ev = await w.service.schedule(v["olga"], w.draft())
            with pytest.raises(ShowcaseRefused) as bad:
                await w.service.create_poll(v["olga"], ev.id, "Which?", ["A"])
            assert bad.value.problems[0].field == "options"
            poll = await w.service.create_poll(v["olga"], ev.id, "Which colour?", ["Red", "Green", "Blue"],
                                               results="hidden")
            with pytest.raises(ShowcaseRefused) as early:
                await w.service.vote(v["v1"], poll.id, [0])
            assert early.value.code == "not_open"
            assert await w.service.polls(ev.id, "v1") == []  # drafts are for moderators
            await w.service.open_poll(poll.id)
            await w.service.vote(v["v1"], poll.id, [0])
            await w.service.vote(v["v2"], poll.id, [2])
            changed = await w.service.vote(v["v1"], poll.id, [1])  # a change of mind replaces the ballot
            assert changed.mine == {1} and changed.tally is None  # hidden until closed
            with pytest.raises(ShowcaseRefused) as two:
                await w.service.vote(v["v3"], poll.id, [0, 1])
            assert (two.value.code, two.value.problems[0].field) == ("invalid", "choices")
            seen = await w.service.poll_view(poll.id, moderator=True)
            assert seen.tally.counts == (0, 1, 1) and seen.tally.ballots == 2
            await w.service.close_poll(poll.id)
            with pytest.raises(ShowcaseRefused) as late:
                await w.service.vote(v["v3"], poll.id, [0])
            assert (late.value.code, late.value.problems[0].message) == (
                "closed", "this poll is closed: votes are no longer counted")
            (after,) = await w.service.polls(ev.id, "v2")
            assert after.tally.counts == (0, 1, 1) and after.mine == {2}
            multi = await w.service.create_poll(v["olga"], ev.id, "Days?", ["Mon", "Tue", "Wed"], kind="multiple",
                                                max_choices=2)
            await w.service.open_poll(multi.id)
            assert (await w.service.vote(v["v1"], multi.id, [0, 2])).tally.counts == (1, 0, 1)
            with pytest.raises(ShowcaseRefused, match="choose 1 to 2 options"):
                await w.service.vote(v["v2"], multi.id, [0, 1, 2])
            assert len(w.bus.of("showcase.poll")) >= 6
    run(go())


def test_the_chat_filter_applies_while_an_event_is_live(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            ev = await w.service.schedule(w.people["olga"], w.draft(), words=["Spam"])
            assert await w.service.chat_word(PARK, "buy ＳＰＡＭ now") is None  # not live yet
            w.clock.advance(ev.start - w.clock.now())
            await w.service.start(ev.id)
            assert await w.service.chat_word(PARK, "buy ＳＰＡＭ now") == "Spam"
            assert await w.service.chat_word(PARK, "你这个傻逼") == "傻逼"
            assert await w.service.chat_word(PARK, "hello") is None
            assert await w.service.chat_word("751-d-park", "spam") is None
    run(go())
