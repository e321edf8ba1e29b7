"""The stream pipeline with real ffmpeg: the test pattern, a file and pushes go live as
HLS, the pixel clock reads back from decoded segments, a killed or starved encoder is
'interrupted' and comes back, a failing one says why, and the replay plays after stop."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
from pathlib import Path

import numpy as np
import psutil
import pytest

from server.streams.sources import PushRtmp, PushSrt, TestPattern, probe_file
from server.streams.supervisor import StreamStatus, StreamSupervisor
from tests.server.streams.conftest import clocks_of, probe, read_media_playlist, wait_for
from world.stream_clock import decode

pytestmark = pytest.mark.slow


class Seen:
    """Every status the supervisor reported, in order."""

    def __init__(self) -> None:
        self.all: list[StreamStatus] = []

    def __call__(self, status: StreamStatus) -> None:
        self.all.append(status)

    @property
    def states(self) -> list[str]:
        return [k for k, _ in itertools.groupby(s.state for s in self.all)]

    @property
    def last(self) -> StreamStatus:
        return self.all[-1]


def segments_in(folder: Path) -> int:
    live = folder / "live.m3u8"
    return live.read_text().count("#EXTINF") if live.is_file() else 0


def recorded(folder: Path) -> int:
    journal = folder / "recording.jsonl"
    return len(journal.read_text().splitlines()) if journal.is_file() else 0


def encoders() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if p.name() == "ffmpeg"]


def free_port(udp: bool = False) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_test_pattern_goes_live_carries_its_clock_and_leaves_a_replay(tmp_path: Path) -> None:
    async def go() -> None:
        seen = Seen()
        sup = StreamSupervisor(tmp_path / "streams", on_change=seen)
        first = await sup.start(11, TestPattern())
        assert (first.state, first.url, first.source) == ("idle", "/streams/11/live.m3u8", "test_pattern")
        folder = sup.folder(11)
        await wait_for(lambda: segments_in(folder) >= 4, 30, "four segments")
        assert sup.status(11).state == "live" and seen.states == ["idle", "live"]
        assert all(p.nice() == 10 for p in encoders())  # the encoder leaves the world server's core alone

        live = read_media_playlist(folder / "live.m3u8", ended=False)
        assert "#EXT-X-TARGETDURATION:1\n" in (folder / "live.m3u8").read_text()
        assert "#EXT-X-INDEPENDENT-SEGMENTS\n" in (folder / "live.m3u8").read_text()
        for (_, d1, t1), (_, _, t2) in itertools.pairwise(live):
            assert d1 == pytest.approx(1.0, abs=0.05) and t2 - t1 == pytest.approx(d1, abs=0.05)

        # the pixel clock of the source, read back from every decoded frame of a segment
        uri, _, program = live[1]
        clocks = clocks_of(folder / uri)
        assert len(clocks) == 25 and None not in clocks
        assert {b - a for a, b in itertools.pairwise(clocks)} == {40}  # type: ignore[operator]
        assert abs(clocks[0] - program * 1000) < 1000  # type: ignore[operator]  # PDT names that moment
        next_clocks = clocks_of(folder / live[2][0])
        assert next_clocks[0] == clocks[0] + 1000  # type: ignore[operator]

        codecs = set(probe(folder / uri, "stream=codec_type,codec_name,width,height,r_frame_rate").splitlines())
        assert {"h264,video,640,360,25/1", "aac,audio,0/0"} <= codecs

        ended = await sup.stop(11)
        assert ended.state == "ended" and ended.replay_url == "/streams/11/replay.m3u8"
        assert seen.states == ["idle", "live", "ended"] and not encoders()
        replay = read_media_playlist(folder / "replay.m3u8", ended=True)
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in (folder / "replay.m3u8").read_text()
        assert [u for u, _, _ in replay[:len(live)]] == [u for u, _, _ in live]  # the whole recording
        assert read_media_playlist(folder / "live.m3u8", ended=True)  # viewers learn it is over
        total = sum(d for _, d, _ in replay)
        assert float(probe(folder / "replay.m3u8")) == pytest.approx(total, abs=0.5)  # it plays
        assert sup.status(11).state == "ended"
        assert StreamSupervisor(tmp_path / "streams").status(11).replay_url == "/streams/11/replay.m3u8"
    asyncio.run(go())


def test_a_killed_encoder_is_interrupted_then_live_again_and_the_recording_keeps_both_runs(tmp_path: Path) -> None:
    async def go() -> None:
        seen = Seen()
        sup = StreamSupervisor(tmp_path / "streams", on_change=seen, backoff=(0.3,))
        await sup.start(12, TestPattern())
        folder = sup.folder(12)
        await wait_for(lambda: recorded(folder) >= 2, 30, "two segments")
        before = (folder / "seg000000.ts").read_bytes()
        os.kill(encoders()[0].pid, signal.SIGKILL)
        await wait_for(lambda: seen.last.state == "interrupted", 10, "interrupted")
        assert seen.last.reason.startswith("ffmpeg exited with status -9")
        count = recorded(folder)
        await wait_for(lambda: seen.last.state == "live" and recorded(folder) >= count + 2, 30, "live again")
        assert (folder / "seg000000.ts").read_bytes() == before  # numbering continued: nothing overwritten
        status = await sup.stop(12)
        assert seen.states == ["idle", "live", "interrupted", "live", "ended"] and status.replay_url
        text = (folder / "replay.m3u8").read_text()
        assert text.count("#EXT-X-DISCONTINUITY\n") == 1
        replay = read_media_playlist(folder / "replay.m3u8", ended=True)
        assert len({u for u, _, _ in replay}) == len(replay)
        assert float(probe(folder / "replay.m3u8")) == pytest.approx(sum(d for _, d, _ in replay), abs=0.5)
    asyncio.run(go())


def test_a_starved_encoder_is_interrupted_after_the_stall_time_and_restarted(tmp_path: Path) -> None:
    async def go() -> None:
        seen = Seen()
        sup = StreamSupervisor(tmp_path / "streams", on_change=seen, stall_s=1.5, backoff=(0.3,), stop_grace_s=0.5)
        await sup.start(13, TestPattern())
        folder = sup.folder(13)
        await wait_for(lambda: recorded(folder) >= 1 and seen.last.state == "live", 30, "live")
        clock = next(p for p in psutil.Process().children(recursive=True) if "server.streams.pattern" in p.cmdline())
        clock.suspend()  # the source stops delivering, nothing exits
        await wait_for(lambda: seen.last.state == "interrupted", 15, "interrupted")
        assert seen.last.reason == "no new segment for 1.5 s"
        await wait_for(lambda: seen.last.state == "live", 30, "live after the restart")
        assert not clock.is_running()  # the starved run's processes are gone
        again = next(p for p in psutil.Process().children(recursive=True) if "server.streams.pattern" in p.cmdline())
        again.kill()  # the clock strip dies: ffmpeg ends its input, the run ends, the reason says which
        await wait_for(lambda: seen.last.state == "interrupted", 15, "interrupted again")
        assert seen.last.reason.startswith("the test pattern's clock exited with status -9")
        await wait_for(lambda: seen.last.state == "live", 30, "live after the second restart")
        await sup.stop(13)
        assert seen.states == ["idle", "live", "interrupted", "live", "interrupted", "live", "ended"]
    asyncio.run(go())


def test_a_failing_source_is_interrupted_with_ffmpegs_words_and_stops_cleanly(tmp_path: Path) -> None:
    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'Unknown encoder libx264' >&2\nexit 1\n")
    broken.chmod(0o755)

    async def go() -> None:
        seen = Seen()
        sup = StreamSupervisor(tmp_path / "streams", on_change=seen, ffmpeg=str(broken), backoff=(0.2, 0.4))
        await sup.start(14, TestPattern())
        await wait_for(lambda: seen.last.state == "interrupted", 10, "interrupted")
        assert seen.last.reason == "ffmpeg exited with status 1: Unknown encoder libx264"
        await asyncio.sleep(1.0)
        assert sup._streams[14].watch.failures >= 2  # tried again, backing off
        status = await sup.stop(14)
        assert status.state == "ended" and status.replay_url == "" and seen.states == ["idle", "interrupted", "ended"]
    asyncio.run(go())


def test_a_file_played_once_ends_by_itself_with_its_replay(tmp_path: Path, media: dict[str, Path]) -> None:
    async def go() -> None:
        seen = Seen()
        sup = StreamSupervisor(tmp_path / "streams", on_change=seen)
        await sup.start(15, await probe_file(media["clip"], loop=False))
        await wait_for(lambda: seen.last.state == "ended", 30, "the end of the file")
        assert seen.states == ["idle", "live", "ended"] and seen.last.replay_url == "/streams/15/replay.m3u8"
        folder = sup.folder(15)
        assert float(probe(folder / "replay.m3u8")) == pytest.approx(2.0, abs=0.5)
        assert "h264,640,360" in probe(folder / "seg000000.ts", "stream=codec_name,width,height")  # 320x240 fitted
        assert sup.running() == []
    asyncio.run(go())


def _broadcast(url: str, fmt: str, seconds: float) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i",
                             "testsrc2=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=660",
                             "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                             "-c:a", "aac", "-f", fmt, url], stderr=subprocess.PIPE)


async def _until_live(seen: Seen, url: str, fmt: str, seconds: float) -> subprocess.Popen[bytes]:
    """Broadcast to ``url`` until the stream is live (the listener may be coming back)."""
    for _ in range(20):
        tool = _broadcast(url, fmt, seconds)
        for _ in range(40):
            await asyncio.sleep(0.1)
            if seen.last.state == "live" or tool.poll() is not None:
                break
        if seen.last.state == "live":
            return tool
        tool.wait()
        await asyncio.sleep(0.3)
    raise AssertionError(f"never went live from {url}")


def test_an_rtmp_push_goes_live_and_comes_back_after_the_broadcaster_reconnects(tmp_path: Path) -> None:
    async def go() -> None:
        seen = Seen()
        sup = StreamSupervisor(tmp_path / "streams", on_change=seen)
        source = PushRtmp(free_port(), "show-16-key")
        first = await sup.start(16, source)
        assert first.state == "idle" and first.publish_url == source.url
        assert first.reason == "waiting for the broadcaster"
        tool = await _until_live(seen, source.url, "flv", 3)
        await asyncio.to_thread(tool.wait)
        await wait_for(lambda: seen.last.state == "interrupted", 15, "interrupted")
        assert seen.last.reason.startswith("the broadcaster stopped sending")
        assert "show-16-key" not in seen.last.reason  # the key stays with the organizer
        count = recorded(sup.folder(16))
        tool = await _until_live(seen, source.url, "flv", 2)
        await wait_for(lambda: recorded(sup.folder(16)) > count, 15, "segments of the second broadcast")
        await asyncio.to_thread(tool.wait)
        await sup.stop(16)
        assert seen.states[:4] == ["idle", "live", "interrupted", "live"] and seen.states[-1] == "ended"
        assert (sup.folder(16) / "replay.m3u8").read_text().count("#EXT-X-DISCONTINUITY\n") == 1
    asyncio.run(go())


def test_an_srt_push_needs_the_passphrase(tmp_path: Path) -> None:
    async def go() -> None:
        seen = Seen()
        sup = StreamSupervisor(tmp_path / "streams", on_change=seen)
        source = PushSrt(free_port(udp=True), "correct-horse-17")
        await sup.start(17, source)
        wrong = _broadcast(source.url.replace("correct-horse-17", "wrong-horse-017"), "mpegts", 2)
        await asyncio.to_thread(wrong.wait)
        assert wrong.returncode != 0 and seen.last.state == "idle"  # refused by the listener
        tool = await _until_live(seen, source.url, "mpegts", 2)
        await asyncio.to_thread(tool.wait)
        status = await sup.stop(17)
        assert "live" in seen.states and status.replay_url == "/streams/17/replay.m3u8"
    asyncio.run(go())


def test_a_looped_file_keeps_going_past_its_end(tmp_path: Path, media: dict[str, Path]) -> None:
    async def go() -> None:
        seen = Seen()
        sup = StreamSupervisor(tmp_path / "streams", on_change=seen)
        await sup.start(18, await probe_file(media["clip"], loop=True))  # a 2 s clip
        await wait_for(lambda: recorded(sup.folder(18)) >= 4, 30, "four segments of a 2 s clip")
        assert seen.states == ["idle", "live"]
        await sup.stop(18)
        assert float(probe(sup.folder(18) / "replay.m3u8")) >= 3.5
    asyncio.run(go())


def test_an_hls_client_plays_the_live_stream_and_the_replay_from_the_web_app(tmp_path: Path) -> None:
    """ffmpeg as the viewer: the live playlist over HTTP from the web app, then the replay."""
    from tests.web.conftest import LiveServer

    web = LiveServer(tmp_path / "data").start()
    try:
        async def go() -> None:
            seen = Seen()
            sup = StreamSupervisor(web.config.data_dir / "streams", on_change=seen)
            status = await sup.start(21, TestPattern())
            await wait_for(lambda: recorded(sup.folder(21)) >= 2, 30, "two segments")
            viewer = await asyncio.create_subprocess_exec(
                "ffmpeg", "-v", "error", "-i", web.url + status.url, "-t", "2", "-f", "rawvideo", "-pix_fmt", "gray",
                "-", stdout=asyncio.subprocess.PIPE)
            raw, _ = await asyncio.wait_for(viewer.communicate(), 60)
            frames = np.frombuffer(raw, np.uint8).reshape(-1, 360, 640)
            clocks = [decode(f) for f in frames]
            if clocks[0] is None:  # it started at the stream's very first frame, the blank one
                clocks = clocks[1:]
            assert viewer.returncode == 0 and len(clocks) >= 40 and None not in clocks
            assert {b - a for a, b in itertools.pairwise(clocks)} == {40}  # type: ignore[operator]
            ended = await sup.stop(21)
            duration = await asyncio.to_thread(probe, web.url + ended.replay_url)
            assert float(duration) >= 2.0
        asyncio.run(go())
    finally:
        web.stop()


def test_the_measuring_tool_reports_every_figure(tmp_path: Path) -> None:
    from server.streams.measure import measure
    lines = asyncio.run(measure(2.0, False, tmp_path))
    assert lines[1].startswith("CPU, share of one core: our encoder ")
    assert "EXTINF [1.0]" in lines[2] and "listed in live.m3u8" in lines[3] and "PROGRAM-DATE-TIME" in lines[4]
