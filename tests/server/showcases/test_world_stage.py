"""End to end in a real world server (no stage port injected: the showcase service is
the source): an event scheduled through the service shows on the park's stage for a
visitor connected over a websocket, and the world server's own scheduler takes it live
at its start, which every visitor in the park sees at once (stage.changed); a signed-in
visitor coming in is counted as attending, and the event's keyword filter holds a park
chat line naming the word."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from server.accounts import Accounts
from server.clock import ManualClock
from tests.server.harness import PARK, Visitor, small_config, small_layout
from world.protocol import messages as M
from world.showcases.events import EventDraft

T0 = 1_767_225_600.0  # 2026-01-01 08:00 Shanghai


@contextlib.asynccontextmanager
async def app_at(tmp_path: Path) -> AsyncIterator[Any]:
    from server.main import App

    clock = ManualClock(T0)
    app = App(small_config(tmp_path, idle_timeout=7200.0), layouts={PARK: small_layout(PARK)}, clock=clock)
    await app.start()
    app.manual_clock = clock
    try:
        yield app
    finally:
        await app.stop()


def test_an_event_on_the_stage_goes_live_for_the_visitors(tmp_path: Path) -> None:
    async def go() -> None:
        async with app_at(tmp_path) as app:
            accounts = Accounts(app.store, scrypt_n=2**10)
            await accounts.create("olga", "correct horse 1", "Olga", "organizer", now=T0)
            olga = await accounts.person(await app.store.accounts.get("olga"))
            start = datetime.fromtimestamp(T0, UTC) + timedelta(hours=1)
            ev = await app.showcases.schedule(olga, EventDraft(PARK, "main", "水墨动画首映", "Ink premiere", start,
                                                               start + timedelta(hours=1), 200))
            v = await Visitor.connect(app.port)
            await v.hello_guest("Ann")
            joined = await v.join(PARK, "centre")
            assert isinstance(joined, M.Joined), joined
            first = await v.wait_for(lambda m: isinstance(m, M.StageView))
            assert (first.event, first.state) == (ev.id, "scheduled")
            assert first.title in ("水墨动画首映", "Ink premiere")  # in the guest's language
            app.manual_clock.advance(3600)
            assert await app.scheduler.run_due() >= 1  # showcase.start (and the stage booking's jobs)
            live = await v.wait_for(lambda m: isinstance(m, M.StageView) and m.state == "live")
            assert live.event == ev.id and live.starts == int(ev.start)
            assert (await app.showcases.event(ev.id)).state == "live"
            assert (await app.store.bookings.get(ev.booking_id)).state == "checked_in"
            # a signed-in visitor coming in while it is live is counted; the event's filter holds chat
            vic = await Visitor.connect(app.port)
            await vic.send(M.Hello(v=1))
            await vic.wait_for(lambda m: isinstance(m, M.Welcome))
            assert isinstance(await vic.request(M.Register(user="vic", password="long password", name="Vic")),
                              M.Session)
            assert isinstance(await vic.join(PARK, "centre"), M.Joined)
            for _ in range(100):
                if await app.store.showcases.attendance(ev.id):
                    break
                await asyncio.sleep(0.02)
            (visit,) = await app.store.showcases.attendance(ev.id)
            assert (visit.user, visit.instance, visit.left) == ("vic", "main", None)
            refused = await vic.request(M.Chat(ch="park", text="这是 ＳＨＩＴ"))
            assert isinstance(refused, M.Error) and "'shit'" in refused.msg, refused
            fine = await vic.request(M.Chat(ch="park", text="精彩"))
            assert not isinstance(fine, M.Error), fine
            await vic.close()
            await v.close()
    asyncio.run(go())
