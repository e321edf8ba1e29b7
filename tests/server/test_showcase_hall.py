"""A showcase in a park's halls, with real websocket clients against a running server:
overflow halls at capacity, the same booths in every hall, reactions summed over the
halls and sent once a second, floods capped, presenters seen beyond the view radius,
the organizer's chat mute and spotlight, removal with 4008, and the refusals."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from server.clock import ManualClock
from server.stage_board import StageState
from tests.server.harness import OTHER_PARK, PARK, Visitor, small_config, small_layout
from world.protocol import messages as M

T0 = 1_767_225_600.25  # a quarter into a second: reactions sent now all fall in that second


class Stages:
    """The stage-state port, filled by the test (the showcase service's part)."""

    def __init__(self) -> None:
        self.now: dict[str, StageState] = {}

    async def stage_of(self, park_id: str) -> StageState | None:
        return self.now.get(park_id)


def live(presenters: tuple[tuple[str, str], ...] = (), staff: tuple[str, ...] = ("org",)) -> StageState:
    return StageState(event=7, title_zh="水墨动画首映", title_en="Ink animation premiere", state="live",
                      hls="/streams/7/live.m3u8", starts=1767225600, ends=1767229200, presenters=presenters,
                      staff=staff)


@contextlib.asynccontextmanager
async def hall_app(tmp_path: Path, stages: Stages, **changes: Any) -> AsyncIterator[Any]:
    from server.main import App

    clock = ManualClock(T0)
    app = App(small_config(tmp_path, **changes), layouts={PARK: small_layout(PARK), OTHER_PARK: small_layout(OTHER_PARK)},
              clock=clock, stages=stages)
    await app.start()
    app.manual_clock = clock
    try:
        yield app
    finally:
        await app.stop()


async def guest(port: int, name: str) -> Visitor:
    v = await Visitor.connect(port)
    await v.hello_guest(name)
    return v


async def account(port: int, user: str) -> Visitor:
    v = await Visitor.connect(port)
    await v.send(M.Hello(v=1))
    await v.wait_for(lambda m: isinstance(m, M.Welcome))
    v.session = await v.request(M.Register(user=user, password="long password", name=user.title()))
    assert isinstance(v.session, M.Session), v.session
    return v


async def enter(v: Visitor, spawn: str = "centre", park: str = PARK) -> M.Hall:
    start = len(v.inbox)
    joined = await v.join(park, spawn)
    assert isinstance(joined, M.Joined), joined
    return await v.wait_for(lambda m: isinstance(m, M.Hall), start=start)


def of(v: Visitor, kind: type) -> list[Any]:
    return [m for m in v.inbox if isinstance(m, kind)]


def halls_within_capacity(app: Any) -> dict[int, int]:
    main = app.parks[PARK]
    seats = app.presence.seats_of(PARK)
    rooms = {h.hall: len(h.clients) + len(h.held) for h in main.halls()}
    assert rooms == seats.occupancy()
    assert all(n <= app.config.hall_capacity for n in rooms.values()), rooms
    return rooms


def test_a_full_main_hall_opens_an_overflow_hall_with_the_same_booths_and_none_over_capacity(tmp_path: Path) -> None:
    async def go() -> None:
        stages = Stages()
        async with hall_app(tmp_path, stages, hall_capacity=2) as app:
            vs = [await guest(app.port, f"v{i}") for i in range(5)]
            halls = [await enter(v) for v in vs]
            assert [h.hall for h in halls] == [1, 1, 2, 2, 3]
            assert halls[2].name_en == "798 Art Zone - hall 2" and halls[2].name_zh == "798艺术区 2号厅"
            assert halls[0].name_en == "798 Art Zone" and halls[4].halls == 3 and halls[4].capacity == 2
            assert (app.presence.hall_message(app.parks[PARK]).name_en,
                    app.presence.hall_message(app.parks[PARK]).name_zh) == ("798 Art Zone - main hall", "798艺术区 主厅")
            assert halls_within_capacity(app) == {1: 2, 2: 2, 3: 1}
            from tests.server.harness import http_get

            _, _, metrics = await http_get(app.port, "/metrics")
            assert f'cloudpark_halls{{park="{PARK}"}} 3' in metrics.decode()
            joined = [of(v, M.Joined)[-1] for v in vs]
            assert all(j.booths == joined[0].booths and j.scene == joined[0].scene for j in joined)
            # a hall opening tells everyone how many there are now
            await vs[0].wait_for(lambda m: isinstance(m, M.Hall) and m.halls == 3)
            await vs[3].wait_for(lambda m: isinstance(m, M.Hall) and m.hall == 2 and m.halls == 3)
            assert [b.id for b in joined[0].booths] == ["b1", "b2"]
            # each hall its own crowd: v0 sees v1 but none of the overflow halls' people
            await vs[0].wait_until(lambda: len(vs[0].seen) == 1)
            await vs[2].wait_until(lambda: len(vs[2].seen) == 1)
            # a booth edit reaches the visitors standing in the booth in every hall
            main = app.parks[PARK]
            assert main.overflow[2].booths is main.booths
            # the main hall frees a seat: offered to who waited longest (v2, in hall 2)
            start = len(vs[2].inbox)
            await vs[0].close()
            offer = await vs[2].wait_for(lambda m: isinstance(m, M.Hall) and m.offer_until > 0, start=start)
            assert offer.hall == 2 and offer.offer_until == T0 + app.config.hall_offer_s
            # held for v2: a newcomer does not take it
            late = await guest(app.port, "late")
            assert (await enter(late)).hall == 3
            start = len(vs[2].inbox)
            moved = await vs[2].request(M.HallMove())
            assert isinstance(moved, M.Joined) and moved.park == PARK
            here = await vs[2].wait_for(lambda m: isinstance(m, M.Hall), start=start)
            assert here.hall == 1 and here.offer_until == 0
            assert halls_within_capacity(app) == {1: 2, 2: 1, 3: 2}
            # the main hall is full again: moving is refused, naming why
            refused = await vs[3].request(M.HallMove())
            assert isinstance(refused, M.Error) and refused.code == "unavailable"
            assert refused.msg == "hall: the main hall is full: no seat there is offered to you now"
            refused = await vs[1].request(M.HallMove())
            assert isinstance(refused, M.Error) and refused.msg == "hall: you are in the main hall already"
            # the last one out of an overflow hall closes it
            await vs[3].close()
            await vs[1].wait_until(lambda: 2 not in app.parks[PARK].overflow)
            assert halls_within_capacity(app) == {1: 2, 3: 2}
            for v in (vs[1], vs[2], vs[4], late):
                await v.close()
    asyncio.run(go())


def test_concurrent_joins_never_over_admit(tmp_path: Path) -> None:
    async def go() -> None:
        async with hall_app(tmp_path, Stages(), hall_capacity=3, max_per_park=9) as app:
            vs = [await guest(app.port, f"v{i}") for i in range(11)]
            answers = await asyncio.gather(*(v.request(M.Join(park=PARK, spawn="centre")) for v in vs))
            joined = [a for a in answers if isinstance(a, M.Joined)]
            refused = [a for a in answers if isinstance(a, M.Error)]
            assert len(joined) == 9 and len(refused) == 2
            assert all(e.code == "unavailable" and "is full" in e.msg for e in refused)
            assert halls_within_capacity(app) == {1: 3, 2: 3, 3: 3}
            for v in vs:
                await v.close()
    asyncio.run(go())


async def tick_seconds(app: Any, seconds: float, ticks: int = 4) -> None:
    """Move the server's clock on and let the ticker run a few ticks."""
    app.manual_clock.advance(seconds)
    start = app.ticker.ticks
    while app.ticker.ticks < start + ticks:
        await asyncio.sleep(0.02)


def test_reactions_from_two_halls_are_summed_and_sent_once_a_second_and_a_flood_is_capped(tmp_path: Path) -> None:
    async def go() -> None:
        stages = Stages()
        stages.now[PARK] = live()
        async with hall_app(tmp_path, stages, hall_capacity=2, reactions_per_s=3) as app:
            a, b, c = [await guest(app.port, n) for n in ("a", "b", "c")]
            assert [(await enter(v)).hall for v in (a, b, c)] == [1, 1, 2]
            stage = await c.wait_for(lambda m: isinstance(m, M.StageView))
            assert (stage.event, stage.state, stage.title, stage.hls) == (7, "live", "水墨动画首映", "/streams/7/live.m3u8")
            for _ in range(2):
                await a.send(M.React(kind="applause"))
            await b.send(M.React(kind="heart"))
            await c.send(M.React(kind="applause"))
            # c floods: 10 reactions in the second, 3 count, each of the others is refused
            answers = [await c.request(M.React(kind="wow")) for _ in range(10)]
            assert [type(x).__name__ for x in answers].count("Ok") == 2  # c's applause took one of its 3
            capped = [x for x in answers if isinstance(x, M.Error)]
            assert len(capped) == 8 and {x.code for x in capped} == {"rate_limited"}
            assert capped[0].msg == "react: at most 3 reactions a second count for one person; this one was not counted"
            await tick_seconds(app, 1.5)
            want = {"applause": 3, "heart": 1, "wow": 2}
            for v in (a, b, c):
                got = await v.wait_for(lambda m: isinstance(m, M.Reactions))
                assert (got.park, got.event, got.second, got.counts) == (PARK, 7, int(T0), want)
            await tick_seconds(app, 1.0)  # a second without reactions sends nothing
            await tick_seconds(app, 1.0)
            assert [len(of(v, M.Reactions)) for v in (a, b, c)] == [1, 1, 1]
            bad = await a.request(M.React(kind="boo"))
            assert isinstance(bad, M.Error) and bad.code == "invalid"
            assert bad.msg.startswith("kind: unknown reaction 'boo'; use one of applause, cheer, heart, laugh, wow")
            for v in (a, b, c):
                await v.close()
    asyncio.run(go())


def test_reactions_without_an_event_on_the_stage_are_refused(tmp_path: Path) -> None:
    async def go() -> None:
        async with hall_app(tmp_path, Stages()) as app:
            a = await guest(app.port, "a")
            await enter(a)
            stage = await a.wait_for(lambda m: isinstance(m, M.StageView))
            assert (stage.park, stage.event, stage.state) == (PARK, 0, "none")
            refused = await a.request(M.React(kind="cheer"))
            assert isinstance(refused, M.Error) and refused.code == "not_found"
            assert refused.msg == f"stage: no event is on the stage of park {PARK} now"
            await a.close()
    asyncio.run(go())


def test_presenters_are_seen_beyond_the_view_radius_in_every_hall(tmp_path: Path) -> None:
    async def go() -> None:
        stages = Stages()
        async with hall_app(tmp_path, stages, hall_capacity=2, view_radius=10.0) as app:
            ada = await account(app.port, "ada")
            stages.now[PARK] = live(presenters=(("ada", "Ada"),))
            other = await guest(app.port, "far")
            near = await guest(app.port, "near")
            assert (await enter(ada, "b2")).hall == 1  # far east (30, -14)
            assert (await enter(other, "b2")).hall == 1
            assert (await enter(near, "b1")).hall == 2  # far west (-30, 14), in the overflow hall
            watcher = await guest(app.port, "w")
            assert (await enter(watcher, "b1")).hall == 2
            names = {e[4] for e in watcher.seen.values()}
            await watcher.wait_until(lambda: "Ada" in {e[4] for e in watcher.seen.values()})
            names = {e[4] for e in watcher.seen.values()}
            assert names == {"Ada", "near"}  # the presenter's stand-in, not the other far visitor
            # the presenter moves (the server's clock is the test's: moved by the server's hand): the stand-in follows
            x0 = next(e for e in watcher.seen.values() if e[4] == "Ada")[0]
            app.parks[PARK].room.teleport(ada.eid, 20.0, -14.0)
            await watcher.wait_until(lambda: next(e for e in watcher.seen.values() if e[4] == "Ada")[0] == 2000)
            assert x0 != 2000
            for v in (ada, other, near, watcher):
                await v.close()
    asyncio.run(go())


def test_the_organizer_mutes_the_audience_spotlights_and_removes_with_4008(tmp_path: Path) -> None:
    async def go() -> None:
        stages = Stages()
        stages.now[PARK] = live(presenters=(("ada", "Ada"),), staff=("org",))
        async with hall_app(tmp_path, stages, hall_capacity=2, view_radius=10.0) as app:
            org = await account(app.port, "org")
            bo = await account(app.port, "bo")
            troll = await account(app.port, "troll")
            g = await guest(app.port, "g")
            for v, spawn in ((org, "centre"), (bo, "b2"), (troll, "centre"), (g, "b1")):
                await enter(v, spawn)
            assert app.presence.seats_of(PARK).occupancy() == {1: 2, 2: 2}
            # refusals: a guest, an ordinary visitor
            refused = await g.request(M.StageChat(muted=True))
            assert isinstance(refused, M.Error) and (refused.code, refused.msg) == ("not_allowed", "sign in first")
            refused = await bo.request(M.StageRemove(user="troll"))
            assert isinstance(refused, M.Error) and refused.code == "not_allowed"
            assert refused.msg == "only the event's organizer and moderators and the park's staff run the stage"
            # mute: the audience's park and near chat are refused in every hall, booth chat and the organizer are not
            ok = await org.request(M.StageChat(muted=True))
            assert isinstance(ok, M.Ok) and ok.data == {"muted": True}
            await g.wait_for(lambda m: isinstance(m, M.StageView) and m.muted)
            hushed = await g.request(M.Chat(ch="park", text="hello?"))
            assert isinstance(hushed, M.Error) and hushed.code == "not_allowed"
            assert hushed.msg.startswith("chat: the organizer has muted the audience's park chat")
            assert isinstance(await bo.request(M.Chat(ch="near", text="psst")), M.Error)
            assert isinstance(await org.request(M.Chat(ch="park", text="questions at the end")), M.Ok)
            assert isinstance(await org.request(M.StageChat(muted=False)), M.Ok)
            await g.wait_for(lambda m: isinstance(m, M.StageView) and not m.muted)
            assert isinstance(await g.request(M.Chat(ch="park", text="thanks")), M.Ok)
            # spotlight a speaker in the overflow hall: named in `stage`, seen by the main hall beyond the radius
            missing = await org.request(M.Spotlight(user="nobody"))
            assert isinstance(missing, M.Error) and missing.code == "not_found"
            assert missing.msg == "user: 'nobody' is not in any hall of park 798-art-zone"
            g_id = g.session.user.id
            ok = await org.request(M.Spotlight(user=g_id))
            assert isinstance(ok, M.Ok) and ok.data == {"spotlight": g_id, "name": "g"}
            shown = await bo.wait_for(lambda m: isinstance(m, M.StageView) and m.spotlight == g_id)
            assert shown.spotlight_name == "g" and shown.presenters == [M.Presenter(user="ada", name="Ada")]
            await bo.wait_until(lambda: "g" in {e[4] for e in bo.seen.values()})
            # removal: the presenter cannot be, the troll is (4008), and cannot come back during the event
            refused = await org.request(M.StageRemove(user="ada"))
            assert isinstance(refused, M.Error) and refused.code == "invalid"
            ok = await org.request(M.StageRemove(user="troll", reason="spam"))
            assert isinstance(ok, M.Ok) and ok.data == {"removed": 1}
            await troll.wait_until(lambda: troll.closed is not None)
            assert troll.closed == (4008, "removed from the event by its organizer: spam")
            bye = of(troll, M.Bye)[-1]
            assert (bye.code, bye.reason) == (4008, "removed from the event by its organizer: spam")
            back = await Visitor.connect(app.port)
            await back.send(M.Hello(v=1))
            await back.wait_for(lambda m: isinstance(m, M.Welcome))
            assert isinstance(await back.request(M.Login(user="troll", password="long password")), M.Session)
            refused = await back.request(M.Join(park=PARK))
            assert isinstance(refused, M.Error) and refused.code == "not_allowed"
            assert refused.msg == f"park: you were removed from the event on the stage of park {PARK}; come back after it"
            assert isinstance(await back.request(M.Join(park=OTHER_PARK)), M.Joined)
            for v in (org, bo, g, back):
                await v.close()
    asyncio.run(go())


def test_a_stage_change_on_the_bus_reaches_every_hall(tmp_path: Path) -> None:
    async def go() -> None:
        stages = Stages()
        async with hall_app(tmp_path, stages, hall_capacity=1) as app:
            a, b = await guest(app.port, "a"), await guest(app.port, "b")
            await enter(a)
            assert (await enter(b)).hall == 2
            stages.now[PARK] = live()
            app.bus.publish("stage.changed", {"park": PARK, "event": 7})
            for v in (a, b):
                got = await v.wait_for(lambda m: isinstance(m, M.StageView) and m.state == "live")
                assert got.event == 7
            for v in (a, b):
                await v.close()
    asyncio.run(go())


class Ledger:
    """The attendance and keyword-filter ports, as the showcase service fills them."""

    def __init__(self) -> None:
        self.visits: list[tuple[str, int, str, str]] = []

    async def joined(self, event_id: int, user: str, instance: str) -> int:
        self.visits.append(("joined", event_id, user, instance))
        return 1

    async def left(self, event_id: int, user: str) -> int:
        self.visits.append(("left", event_id, user, ""))
        return 1

    async def chat_word(self, park_id: str, text: str) -> str | None:
        return "spam" if "spam" in text else None


def test_attendance_names_the_hall_and_a_filtered_word_refuses_the_chat_line(tmp_path: Path) -> None:
    async def go() -> None:
        stages = Stages()
        stages.now[PARK] = live()
        async with hall_app(tmp_path, stages, hall_capacity=1) as app:
            ledger = Ledger()
            app.stages.attendance = app.stages.words = ledger
            ann, bo = await account(app.port, "ann"), await account(app.port, "bo")
            g = await guest(app.port, "g")
            await enter(ann)
            assert (await enter(bo)).hall == 2
            assert (await enter(g)).hall == 3  # a guest: no attendance row
            await ann.close()
            offer = await bo.wait_for(lambda m: isinstance(m, M.Hall) and m.offer_until > 0)
            assert offer.hall == 2
            assert isinstance(await bo.request(M.HallMove()), M.Joined)
            await bo.wait_until(lambda: len(ledger.visits) == 5)
            assert ledger.visits == [("joined", 7, "ann", "main"), ("joined", 7, "bo", "hall 2"),
                                     ("left", 7, "ann", ""), ("left", 7, "bo", ""), ("joined", 7, "bo", "main")]
            refused = await g.request(M.Chat(ch="park", text="buy spam now"))
            assert isinstance(refused, M.Error) and refused.code == "invalid"
            assert refused.msg == "text: 'spam' is not allowed in the park's chat during the event"
            assert isinstance(await g.request(M.Chat(ch="park", text="lovely")), M.Ok)
            for v in (bo, g):
                await v.close()
    asyncio.run(go())


def test_reactions_are_summed_across_two_world_servers_on_one_bus(tmp_path: Path) -> None:
    """Two world server processes (here two apps) on one bus: each sums every hall's
    partials and its visitors get the same counts, once."""
    from server.bus import InProcessBus
    from server.main import App

    async def go() -> None:
        stages = Stages()
        stages.now[PARK] = live()
        bus, clock = InProcessBus(), ManualClock(T0)
        apps = [App(small_config(tmp_path / str(i)), layouts={PARK: small_layout(PARK)}, clock=clock, stages=stages,
                    bus=bus) for i in range(2)]
        for app in apps:
            await app.start()
            app.manual_clock = clock
        try:
            a, b = await guest(apps[0].port, "a"), await guest(apps[1].port, "b")
            await enter(a)
            await enter(b)
            await a.send(M.React(kind="cheer"))
            await b.send(M.React(kind="cheer"))
            await b.send(M.React(kind="laugh"))
            await asyncio.sleep(0.2)
            await tick_seconds(apps[0], 0.9)  # the second ended: each server's halls publish their partials
            await tick_seconds(apps[1], 0.0)
            await tick_seconds(apps[0], 0.5)  # past the grace: each server sends the sum
            for v in (a, b):
                got = await v.wait_for(lambda m: isinstance(m, M.Reactions))
                assert got.counts == {"cheer": 2, "laugh": 1} and got.second == int(T0)
            await tick_seconds(apps[0], 1.0)
            assert [len(of(v, M.Reactions)) for v in (a, b)] == [1, 1]
            for v in (a, b):
                await v.close()
        finally:
            for app in apps:
                await app.stop()
    asyncio.run(go())


def test_a_dropped_visitor_in_an_overflow_hall_keeps_its_seat_and_resumes_there(tmp_path: Path) -> None:
    async def go() -> None:
        stages = Stages()
        stages.now[PARK] = live()
        async with hall_app(tmp_path, stages, hall_capacity=1) as app:
            a, b = await guest(app.port, "a"), await guest(app.port, "b")
            await enter(a)
            assert (await enter(b)).hall == 2
            b.ws.transport.abort()  # a drop: the avatar is held, its seat too
            await a.wait_until(lambda: len(app.parks[PARK].overflow[2].held) == 1)
            c = await guest(app.port, "c")
            assert (await enter(c)).hall == 3  # hall 2's seat is still b's
            again = await Visitor.connect(app.port)
            resumed = await again.hello_guest("ignored", resume=b.session.resume)
            assert isinstance(resumed, M.Session) and resumed.resumed
            joined = await again.wait_for(lambda m: isinstance(m, M.Joined))
            here = await again.wait_for(lambda m: isinstance(m, M.Hall))
            stage = await again.wait_for(lambda m: isinstance(m, M.StageView))
            assert joined.you == b.eid and here.hall == 2 and stage.event == 7
            assert halls_within_capacity(app) == {1: 1, 2: 1, 3: 1}
            for v in (a, c, again):
                await v.close()
    asyncio.run(go())


def test_a_rebuilt_scene_reaches_every_hall(tmp_path: Path) -> None:
    import dataclasses
    import random

    from server.main import App
    from tests.server.harness import _box, write_scene
    from world.layout import Region

    cfg = small_config(tmp_path, hall_capacity=1)
    base = small_layout(PARK)
    write_scene(cfg.scenes_dir, base)
    walled = dataclasses.replace(base, walkable=(Region(base.walkable[0].outer,
                                                        (*base.walkable[0].holes, _box(-3, -3, 3, 3, ccw=False))),))

    def rebuild(park_id: str, scenes_dir: Path) -> None:
        write_scene(scenes_dir, walled)

    async def go() -> None:
        app = App(cfg, layouts={PARK: base}, rng=random.Random(3), rebuild=rebuild, stages=Stages())
        await app.start()
        try:
            a, b = await guest(app.port, "a"), await guest(app.port, "b")
            await enter(a)
            assert (await enter(b)).hall == 2
            old_hash = app.parks[PARK].scene.sha256
            assert await app.reloader.reload(PARK)
            for v in (a, b):
                joined = await v.wait_for(lambda m: isinstance(m, M.Joined) and m.scene_hash != old_hash)
                assert joined.scene_hash == app.parks[PARK].scene.sha256
            hall2 = app.parks[PARK].overflow[2]
            assert hall2.layout is app.parks[PARK].layout and hall2.room.grid is app.parks[PARK].room.grid
            assert len(hall2.clients) == 1 and halls_within_capacity(app) == {1: 1, 2: 1}
            for v in (a, b):
                await v.close()
        finally:
            await app.stop()
    asyncio.run(go())


class BrokenStages:
    async def stage_of(self, park_id: str) -> StageState | None:
        raise OSError("the database is down")


def test_a_stage_that_cannot_be_read_never_fails_a_join(tmp_path: Path) -> None:
    async def go() -> None:
        async with hall_app(tmp_path, BrokenStages()) as app:  # type: ignore[arg-type]
            a = await guest(app.port, "a")
            assert (await enter(a)).hall == 1
            stage = await a.wait_for(lambda m: isinstance(m, M.StageView))
            assert stage.state == "none"
            await a.close()
    asyncio.run(go())


def test_the_organizers_controls_reach_the_halls_of_another_world_server(tmp_path: Path) -> None:
    from server.bus import InProcessBus
    from server.main import App

    async def go() -> None:
        stages = Stages()
        stages.now[PARK] = live(staff=("org",))
        bus, clock = InProcessBus(), ManualClock(T0)
        apps = [App(small_config(tmp_path / str(i)), layouts={PARK: small_layout(PARK)}, clock=clock, stages=stages,
                    bus=bus) for i in range(2)]
        for app in apps:
            await app.start()
        try:
            org = await account(apps[0].port, "org")
            g = await guest(apps[1].port, "g")
            troll = await account(apps[1].port, "troll")
            for v in (org, g, troll):
                await enter(v)
            assert isinstance(await org.request(M.StageChat(muted=True)), M.Ok)
            await g.wait_for(lambda m: isinstance(m, M.StageView) and m.muted)
            hushed = await g.request(M.Chat(ch="park", text="hello?"))
            assert isinstance(hushed, M.Error) and hushed.code == "not_allowed"
            ok = await org.request(M.StageRemove(user="troll", reason="spam"))
            assert isinstance(ok, M.Ok) and ok.data == {"removed": 0}  # none in this process ...
            await troll.wait_until(lambda: troll.closed is not None)  # ... the other closed it
            assert troll.closed == (4008, "removed from the event by its organizer: spam")
            for v in (org, g):
                await v.close()
        finally:
            for app in apps:
                await app.stop()
    asyncio.run(go())


def test_churn_of_concurrent_joins_and_leaves_never_overfills_a_hall(tmp_path: Path) -> None:
    import random

    async def go() -> None:
        rng = random.Random(12)
        async with hall_app(tmp_path, Stages(), hall_capacity=4, max_per_park=40) as app:
            vs = [await guest(app.port, f"v{i}") for i in range(24)]
            inside: set[int] = set()
            for _ in range(6):
                joining = [i for i in range(len(vs)) if i not in inside and rng.random() < 0.6]
                leaving = [i for i in inside if rng.random() < 0.4]
                answers = await asyncio.gather(*(vs[i].request(M.Join(park=PARK, spawn="centre")) for i in joining),
                                               *(vs[i].request(M.Leave()) for i in leaving))
                assert all(isinstance(a, M.Joined | M.Ok) for a in answers), answers
                inside = (inside - set(leaving)) | set(joining)
                rooms = halls_within_capacity(app)
                assert sum(rooms.values()) == len(inside)
                main = app.parks[PARK]
                seated = [v for h in main.halls() for v in h.clients.values()]
                assert len(seated) == len({id(v) for v in seated})  # nobody in two halls
                assert all(n > 0 for h, n in rooms.items() if h != 1)  # no empty overflow hall open
            for v in vs:
                await v.close()
    asyncio.run(go())
