"""What a park's stage shows (the world server's StageSource): the next event, the live
one with its playlist, interrupted when the stream drops, the replay once ended."""

from __future__ import annotations

from server.showcases.stage_source import ShowcaseStages
from tests.server.db.conftest import run
from tests.server.showcases.world import OTHER_PARK, PARK, world


def test_the_stage_through_an_event(database_url: str) -> None:
    async def go() -> None:
        async with world(database_url) as w:
            stages = ShowcaseStages(w.service)
            assert await stages.stage_of(PARK) is None
            ev = await w.service.schedule(w.people["olga"], w.draft(14, 60, presenters=("pam", "v1")))
            w.clock.advance(ev.start - 3600 * 5 - w.clock.now())
            shown = await stages.stage_of(PARK)
            assert shown is not None and (shown.event, shown.state, shown.hls) == (ev.id, "scheduled", "")
            assert shown.title("en") == "Launch" and shown.presenters == (("pam", "Pam"), ("v1", "V1"))
            assert shown.staff == ("olga", "pam", "v1") and (shown.starts, shown.ends) == (int(ev.start), int(ev.end))
            w.clock.advance(ev.start - w.clock.now())
            await w.service.start(ev.id)
            await w.service.set_stream(ev.id, "live")
            shown = await stages.stage_of(PARK)
            assert (shown.state, shown.hls) == ("live", f"/streams/{ev.id}/live.m3u8")  # type: ignore[union-attr]
            await w.service.set_stream(ev.id, "interrupted")
            assert (await stages.stage_of(PARK)).state == "interrupted"  # type: ignore[union-attr]
            await w.service.end(ev.id)
            await w.service.set_stream(ev.id, "ended")
            shown = await stages.stage_of(PARK)
            assert (shown.state, shown.hls) == ("ended", f"/streams/{ev.id}/replay.m3u8")  # type: ignore[union-attr]
            assert await stages.stage_of(OTHER_PARK) is None
            w.clock.advance(2 * 86400)
            assert await stages.stage_of(PARK) is None
            outside = await w.service.schedule(w.people["olga"], w.draft(18, 60, day=ev_day(w, 2), park=OTHER_PARK),
                                               stream_url="https://cdn.example/x.m3u8")
            assert (await stages.stage_of(OTHER_PARK)).hls == "https://cdn.example/x.m3u8"  # type: ignore[union-attr]
            assert outside.id
    run(go())


def ev_day(w: object, days: int) -> object:
    from datetime import timedelta

    from tests.server.showcases.world import MONDAY
    return MONDAY + timedelta(days=days)
