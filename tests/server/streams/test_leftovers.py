"""What the supervisor does without running an encoder: a recording left by a server that
died gets its replay; a shutdown stops streams without declaring the events' streams over."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from server.streams import playlist
from server.streams.playlist import Segment
from server.streams.supervisor import StreamStatus, StreamSupervisor


def test_a_recording_left_behind_gets_its_replay_on_stop(tmp_path: Path) -> None:
    folder = tmp_path / "9"
    folder.mkdir()
    rec = [Segment(i, f"seg{i:06d}.ts", 1.0, 1_796_137_467.0 + i, i == 2) for i in range(4)]
    (folder / "recording.jsonl").write_text("".join(json.dumps(s.to_json()) + "\n" for s in rec) + "{broken\n")
    sup = StreamSupervisor(tmp_path)
    assert sup.status(9).state == "idle"
    status = asyncio.run(sup.stop(9))
    assert (status.state, status.replay_url) == ("ended", "/streams/9/replay.m3u8")
    replay = playlist.parse((folder / "replay.m3u8").read_text())
    assert replay.ended and [s.sequence for s in replay.segments] == [0, 1, 2, 3]
    assert [s.discontinuity for s in replay.segments] == [False, False, True, False]
    assert playlist.parse((folder / "live.m3u8").read_text()).ended
    assert asyncio.run(StreamSupervisor(tmp_path).stop(10)).state == "idle"  # nothing there: nothing made


def test_a_shutdown_stops_streams_without_telling_the_events(tmp_path: Path) -> None:
    async def go() -> list[StreamStatus]:
        told: list[StreamStatus] = []

        async def fetch(url: str) -> tuple[int, str, bytes]:
            return 200, "application/vnd.apple.mpegurl", b"#EXTM3U\n"
        sup = StreamSupervisor(tmp_path, on_change=told.append, fetch=fetch)
        await sup.start(5, {"kind": "hls", "url": "https://cdn.example/a.m3u8"})
        await sup.close()
        assert sup.running() == []
        told_too: list[StreamStatus] = []
        other = StreamSupervisor(tmp_path, on_change=told_too.append, fetch=fetch)
        await other.start(6, {"kind": "hls", "url": "https://cdn.example/b.m3u8"})
        await other.close(notify=True)
        assert [s.state for s in told_too] == ["live", "ended"]
        return told
    assert [s.state for s in asyncio.run(go())] == ["live"]
