"""Bot visitors against a real server (in-process, 127.0.0.1 port 0, real websockets).

They join, walk, get snapshots acknowledging their inputs, and come back with their
session after a dropped connection.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from server.config import ServerConfig
from server.main import App
from tests.tools.park_scene import PARK, park_layout, write_scene
from tools.bots.crowd import Crowd, CrowdPlan


async def _started(tmp_path) -> tuple[App, object]:
    layout = write_scene(tmp_path)
    app = App(ServerConfig(port=0, data_dir=tmp_path, build_scenes=False), layouts={PARK: layout})
    await app.start()
    return app, layout


def _plan(port: int, layout, count: int, warmup: float, seconds: float, shape: str = "tour") -> CrowdPlan:
    now = time.monotonic()
    return CrowdPlan(url=f"ws://127.0.0.1:{port}/ws", park=PARK, shape=shape, layout=layout, first=0,
                     count=count, measure_from=now + warmup, measure_until=now + warmup + seconds,
                     ramp_per_s=50.0)


@pytest.mark.parametrize("shape", ["tour", "showcase"])
def test_bots_join_walk_and_see_their_inputs_acknowledged(tmp_path, shape) -> None:
    asyncio.run(_join_walk_and_ack(tmp_path, shape))


async def _join_walk_and_ack(tmp_path, shape) -> None:
    app, layout = await _started(tmp_path)
    try:
        crowd = Crowd(_plan(app.port, layout, 6, warmup=1.5, seconds=2.0, shape=shape))
        starts, ends = {}, {}

        async def watch() -> None:
            room = app.parks[PARK].room
            await asyncio.sleep(1.0)
            starts.update({eid: (a.x, a.y) for eid, a in room.avatars.items()})
            await asyncio.sleep(2.0)
            ends.update({eid: (a.x, a.y) for eid, a in room.avatars.items()})

        _, tally = await asyncio.gather(watch(), crowd.run())
        moved = [eid for eid, xy in starts.items() if ends.get(eid, xy) != xy]
        left = len(app.parks[PARK].room.avatars)
    finally:
        await app.stop()
    s = tally.summary()
    assert s["joined"] == 6
    assert s["snapshots_per_client_per_s"]["min"] > 0  # every bot was served
    assert s["latency_ms"]["samples"] > 0 and s["latency_ms"]["p50"] > 0
    assert s["down_bytes_per_client_per_s"] > 0 and s["up_bytes_per_client_per_s"] > 0
    assert s["inputs_per_client_per_s"] > 5
    assert len(starts) == 6 and moved  # the server moved them: they walk by intent
    assert left == 0  # they said goodbye at the end
    assert not {k for k in s["errors"] if k != "rate_limited"}


def test_a_dropped_bot_resumes_its_session(tmp_path) -> None:
    asyncio.run(_drop_and_resume(tmp_path))


async def _drop_and_resume(tmp_path) -> None:
    app, layout = await _started(tmp_path)
    try:
        crowd = Crowd(_plan(app.port, layout, 3, warmup=1.0, seconds=4.0))
        before: dict[str, int] = {}

        async def drop_one() -> None:
            await asyncio.sleep(1.5)
            v = crowd.visitors[0]
            assert v.in_park and v.resume
            before["eids"] = len(app.parks[PARK].room.avatars)
            v.transport.abort()  # the network goes away, no close frame

        async def count_later() -> None:
            await asyncio.sleep(4.5)
            before["after"] = len(app.parks[PARK].room.avatars)

        _, _, tally = await asyncio.gather(drop_one(), count_later(), crowd.run())
    finally:
        await app.stop()
    s = tally.summary()
    assert s["reconnects"] == 1 and s["closes"] == {"connection_lost": 1}
    assert s["joined"] == 3  # back in the park by the end of the window
    assert before["after"] == before["eids"] == 3  # the same avatar came back, not a second one


def test_latency_is_only_timed_for_inputs_the_bot_sent() -> None:
    from tools.bots.visitor import Visitor, _SnapHead

    crowd = Crowd(_plan(1, park_layout(), 1, warmup=0.0, seconds=1.0))
    crowd.measuring = True
    v = Visitor(crowd, 0, None, None)  # type: ignore[arg-type]
    v.in_park = True
    v._snap(_SnapHead(t="snap", a=0, p=(0.0, 0.0, 0.0)))  # before any input: nothing to time
    assert crowd.tally.latencies_ms == [] and v.snaps == 1
    v.seq, v.sent_at[1] = 1, time.monotonic() - 0.040
    v._snap(_SnapHead(t="snap", a=1, p=(0.0, 0.0, 0.0)))
    v._snap(_SnapHead(t="snap", a=1, p=(0.0, 0.0, 0.0)))  # the same ack again is not a new sample
    [lat] = crowd.tally.latencies_ms
    assert 40.0 <= lat < 1000.0
