"""What the database itself refuses (both engines), whatever code writes: seats beyond
the capacity, an end before the start, a second vote or ballot of one person, an unknown
state; and an event's rows go with it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.db.showcases import EventFields
from server.db.tables import (
    showcase_attendance,
    showcase_events,
    showcase_poll_ballots,
    showcase_question_votes,
    showcase_questions,
    showcase_registrations,
)
from tests.server.db.conftest import run
from tests.server.showcases.world import PARK, world
from world.showcases.polls import check_poll
from world.showcases.questions import submit

FIELDS = EventFields(PARK, "main", "发布", "Launch", "", "", 1_767_600_000.0, 1_767_603_600.0, 10, "required", 5,
                     ("pam",))


def test_the_database_refuses_what_must_never_be(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            repo = w.store.showcases
            ev = await repo.create("olga", FIELDS, space_id=None, booking_id=None, now=1.0)
            q = await repo.add_question(ev.id, submit(0, "v1", "Q?", 1.0), name="V1", now=1.0)
            poll = await repo.add_poll(ev.id, check_poll("Q", ["a", "b"]), created_by="olga", now=1.0)
            bad = [
                update(showcase_events).where(showcase_events.c.id == ev.id).values(quota=11),  # over capacity
                update(showcase_events).where(showcase_events.c.id == ev.id).values(end_at=1_767_500_000.0),
                update(showcase_events).where(showcase_events.c.id == ev.id).values(capacity=0, quota=None),
                update(showcase_events).where(showcase_events.c.id == ev.id).values(state="paused"),
                update(showcase_events).where(showcase_events.c.id == ev.id).values(confirmed=-1),
                insert(showcase_question_votes).values(question_id=q.id, user="v2", created=1.0),
                insert(showcase_poll_ballots).values(poll_id=poll.id, user="v2", choices="[0]", created=1.0,
                                                     updated=1.0),
                insert(showcase_attendance).values(event_id=ev.id, user="v2", instance="main", joined=5.0, left=4.0),
                update(showcase_questions).where(showcase_questions.c.id == q.id).values(state="deleted"),
            ]
            for i, stmt in enumerate(bad):
                twice = i in (5, 6)

                async def write(conn, stmt=stmt, twice=twice):  # type: ignore[no-untyped-def]
                    await conn.execute(stmt)
                    if twice:
                        await conn.execute(stmt)
                with pytest.raises(IntegrityError):
                    await w.store.db.commit(write)
            await repo.register(ev.id, "v1", now=2.0)

            async def again(conn):  # type: ignore[no-untyped-def]
                await conn.execute(insert(showcase_registrations).values(
                    event_id=ev.id, user="v1", state="waitlisted", position=9, created=3.0, updated=3.0))
            with pytest.raises(IntegrityError):
                await w.store.db.commit(again)

            async def drop(conn):  # type: ignore[no-untyped-def]
                await conn.execute(showcase_events.delete().where(showcase_events.c.id == ev.id))
            await w.store.db.commit(drop)
            for table in (showcase_questions, showcase_registrations):
                row = await w.store.db.row(select(func.count()).select_from(table))
                assert row is not None and row[0] == 0
    run(go())
