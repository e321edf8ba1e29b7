"""Attendance on both engines: joins and leaves per instance, moving between halls, the
summary (registered, came, minutes stayed, peak concurrency overall and per hall,
questions, poll results) and the CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from server.showcases.attendance import peak, union
from server.showcases.service import ShowcaseRefused
from tests.server.db.conftest import run
from tests.server.showcases.world import SHANGHAI, world


def test_summary_and_export(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            v = w.people
            ev = await w.service.schedule(v["olga"], w.draft(14, 120, quota=3))
            for u in ("v1", "v2", "v3", "v4"):
                await w.service.register(v[u], ev.id)
            await w.service.unregister(v["v3"], ev.id)  # v4 promoted
            w.clock.advance(ev.start - 600 - w.clock.now())  # 13:50
            await w.service.start(ev.id)
            await w.service.joined(ev.id, "v1", "main")  # counted from the start
            w.clock.advance(600 + 30 * 60)  # 14:30
            await w.service.joined(ev.id, "v2", "main")
            await w.service.joined(ev.id, "v9", "hall 2")  # came without registering
            w.clock.advance(15 * 60)  # 14:45
            await w.service.joined(ev.id, "v1", "hall 2")  # moves: one person, never two
            w.clock.advance(15 * 60)  # 15:00
            await w.service.left(ev.id, "v2")
            q = await w.service.ask(v["v1"], ev.id, "Q?")
            await w.service.upvote(v["v2"], q.id)
            await w.service.moderate(v["olga"], q.id, "answer")
            poll = await w.service.create_poll(v["olga"], ev.id, "Good?", ["yes", "no"])
            await w.service.open_poll(poll.id)
            await w.service.vote(v["v1"], poll.id, [0])
            await w.service.close_poll(poll.id)
            w.clock.advance(2 * 3600)
            await w.service.end(ev.id)
            s = await w.service.summary(ev.id)
            assert (s.registered, s.waitlisted, s.cancelled, s.came, s.came_registered) == (3, 0, 1, 3, 2)
            minutes = {p.user: p.minutes for p in s.people}
            assert minutes == {"v1": 120.0, "v2": 30.0, "v3": 0.0, "v4": 0.0, "v9": 90.0}
            assert (s.peak, s.peak_at) == (3, w.at(ev_day(w, ev.start), 14, 30).timestamp())
            assert s.peak_by_instance == {"hall 2": 2, "main": 2}
            assert (s.questions, s.answered, s.top_questions[0].id) == (1, 1, q.id)
            assert [(r.poll.id, r.tally.counts) for r in s.polls] == [(poll.id, (1, 0))]
            assert s.minutes_total == 240.0 and s.minutes_average == 80.0
            rows = list(csv.reader(io.StringIO((await w.service.attendance_csv(ev.id)).decode("utf-8-sig"))))
            assert rows[0] == ["user", "registration", "came", "first_joined", "last_left", "minutes", "instances"]
            v1 = next(r for r in rows if r[0] == "v1")
            assert v1[1:3] == ["confirmed", "yes"] and v1[3] == "2026-01-05T13:50:00+08:00" and v1[5] == "120.0"
            assert v1[6] == "main hall 2"
            assert next(r for r in rows if r[0] == "v3")[1:3] == ["cancelled", "no"]
            with pytest.raises(ShowcaseRefused):
                await w.service.joined(ev.id, "v5", "main")  # over
    run(go())


def ev_day(w: object, start: float) -> object:
    from datetime import datetime
    return datetime.fromtimestamp(start, SHANGHAI).date()


def test_union_and_peak() -> None:
    assert union([(5, 10), (0, 3), (2, 6), (12, 12)]) == [(0, 10)]
    assert peak({"a": [(0, 10)], "b": [(10, 20)]}) == (1, 0)  # back to back: never two at once
    assert peak({"a": [(0, 10)], "b": [(5, 20)], "c": [(6, 7)]}) == (3, 6)
    assert peak({}) == (0, None)
