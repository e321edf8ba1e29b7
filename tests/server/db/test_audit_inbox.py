"""The audit log appends and pages newest first; the inbox tells many at once,
counts unread and pages newest first."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from server.db.inbox import Notice
from tests.server.db.conftest import opened, run
from tests.server.db.test_accounts import new

NOW = 1_790_000_000.0


def test_audit_entries_page_newest_first(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            ids = [await store.audit.add("admin", "org.admit", f"org:{i % 3}", {"i": i, "名": "园"}, now=NOW + i)
                   for i in range(7)]
            first = await store.audit.page(limit=3)
            assert [e.id for e in first] == ids[::-1][:3]
            second = await store.audit.page(before=first[-1].id, limit=3)
            assert [e.id for e in second] == ids[::-1][3:6]
            assert [e.detail["i"] for e in await store.audit.page(target="org:1")] == [4, 1]
            assert first[0].detail == {"i": 6, "名": "园"} and first[0].ts == NOW + 6
            assert len(await store.audit.page(actor="nobody")) == 0
            assert not hasattr(store.audit, "delete") and not hasattr(store.audit, "update")
    run(go())


def test_the_inbox_tells_many_and_counts_unread(url: str) -> None:
    async def go() -> None:
        async with opened(url) as store:
            users = [f"u{i}" for i in range(30)]
            for user in users:
                await store.accounts.create(new(user))
            notice = Notice("booking", "booking.confirmed.title", "booking.confirmed.body",
                            {"space": "Hall 1", "n": 3}, "/console/bookings/1")
            assert await store.inbox.send(users + ["u0"], notice, now=NOW) == 30  # each once
            store.inbox.post_send(["u0", "u1"], Notice("event", "e.t", "e.b"), now=NOW + 1)
            await store.flush()
            assert await store.inbox.unread_count("u0") == 2 and await store.inbox.unread_count("u5") == 1
            page = await store.inbox.page("u0", limit=1)
            assert [n.notice.kind for n in page] == ["event"] and page[0].unread
            older = await store.inbox.page("u0", before=page[0].id)
            assert [n.notice for n in older] == [notice]
            assert await store.inbox.mark_read("u0", [page[0].id, older[0].id + 10_000], now=NOW + 2) == 1
            assert await store.inbox.mark_read("u1", [page[0].id], now=NOW + 2) == 0  # not theirs
            assert await store.inbox.unread_count("u0") == 1
            assert [n.notice.kind for n in await store.inbox.page("u0", unread_only=True)] == ["booking"]
            assert await store.inbox.mark_read("u1", now=NOW + 3) == 2
            with pytest.raises(IntegrityError):  # all or none
                await store.inbox.send(["u2", "ghost"], notice, now=NOW)
            assert await store.inbox.unread_count("u2") == 1
    run(go())
