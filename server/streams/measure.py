"""Measure the stream pipeline on this machine: ``python -m server.streams.measure``.

Runs the test pattern (or, with ``--push rtmp``, a local broadcaster pushing the same
pattern with its pixel clock over RTMP) through a ``StreamSupervisor`` for ``--seconds``,
watches ``live.m3u8`` every 20 ms, then decodes every segment's first and last frame and
prints: the encoder's CPU (share of one core), segment durations and sizes, how long
after its last frame's source time each segment was listed, and the playlist's program
date and time against the pixel clock of the segment's first frame. Figures in
docs/showcases.md ("The stream") come from here.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

from server.streams import playlist
from server.streams.encoder import FPS, HEIGHT, WIDTH
from server.streams.sources import PushRtmp, Source, TestPattern
from server.streams.supervisor import LIVE_NAME, StreamSupervisor
from world.stream_clock import decode, strip_size


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _broadcaster(url: str) -> list[subprocess.Popen[bytes]]:
    """The pattern with its clock, encoded like a broadcasting tool would, pushed to ``url``."""
    strip_h, _ = strip_size(WIDTH)
    clock = subprocess.Popen([sys.executable, "-m", "server.streams.pattern"], stdout=subprocess.PIPE)
    tool = subprocess.Popen(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size={WIDTH}x{HEIGHT}:rate={FPS}",
                             "-f", "rawvideo", "-pix_fmt", "gray", "-video_size", f"{WIDTH}x{strip_h}", "-framerate",
                             str(FPS), "-i", "pipe:0", "-filter_complex",
                             "[0:v][1:v]overlay=0:0:eof_action=endall,format=yuv420p", "-c:v", "libx264", "-preset",
                             "veryfast", "-tune", "zerolatency", "-g", str(2 * FPS), "-f", "flv", url],
                            stdin=clock.stdout)
    return [tool, clock]


def _first_last(segment: Path) -> tuple[int | None, int | None]:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(segment), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, HEIGHT, WIDTH)
    return decode(frames[0]), decode(frames[-1])


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f} (min {min(values):.0f}, max {max(values):.0f})"


async def measure(seconds: float, push: bool, root: Path) -> list[str]:
    sup = StreamSupervisor(root)
    source: Source = PushRtmp(_free_port(), "measure-key") if push else TestPattern()
    await sup.start(1, source)
    helpers = _broadcaster(source.url) if isinstance(source, PushRtmp) else []
    folder = sup.folder(1)
    try:
        while not (folder / LIVE_NAME).exists():
            await asyncio.sleep(0.02)
        await asyncio.sleep(2.0)
        me = psutil.Process()
        encoders = [p for p in me.children(recursive=True) if p.name() == "ffmpeg" and p.ppid() == me.pid]
        cpu0 = {p.pid: sum(p.cpu_times()[:2]) for p in encoders}
        start = time.time()
        listed: dict[str, tuple[float, playlist.Segment]] = {}
        while time.time() < start + seconds:
            now = time.time()
            for seg in playlist.parse((folder / LIVE_NAME).read_text()).segments:
                listed.setdefault(seg.uri, (now, seg))
            await asyncio.sleep(0.02)
        elapsed = time.time() - start
        cpu = [(100 * (sum(p.cpu_times()[:2]) - cpu0[p.pid]) / elapsed, p.cwd() == str(folder)) for p in encoders]
    finally:
        for helper in helpers:
            helper.terminate()
            helper.wait()
        await sup.stop(1)
    after_last, pdt_minus_first, durations, sizes = [], [], [], []
    for uri, (when, seg) in sorted(listed.items()):
        if when < start + 0.1:
            continue  # listed before the watch began
        first, last = _first_last(folder / uri)
        durations.append(seg.duration)
        sizes.append((folder / uri).stat().st_size / 1024)
        if first is None or last is None or seg.program_time is None:
            continue
        after_last.append(when * 1000 - (last + 1000 / FPS))
        pdt_minus_first.append(seg.program_time * 1000 - first)
    return [f"source: {'an RTMP push of the pattern (x264 veryfast zerolatency)' if push else 'the test pattern'}, "
            f"{elapsed:.0f} s, load average {psutil.getloadavg()[0]:.1f} on {psutil.cpu_count()} cores",
            "CPU, share of one core: " + ", ".join(f"{'our encoder' if ours else 'the broadcaster'} {c:.1f} %"
                                                   for c, ours in cpu),
            f"segments: {len(durations)}, EXTINF {sorted(set(durations))}, size {_spread(sizes)} KiB",
            f"listed in live.m3u8 after its last frame's source time: {_spread(after_last)} ms",
            f"EXT-X-PROGRAM-DATE-TIME minus its first frame's pixel clock: {_spread(pdt_minus_first)} ms"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.streams.measure", description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--push", choices=["rtmp"], default=None, help="measure an RTMP push instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cloudpark-measure-") as root:
        for line in asyncio.run(measure(args.seconds, args.push == "rtmp", Path(root))):
            print(line)  # noqa: T201 - a measuring tool's report
    return 0


if __name__ == "__main__":
    sys.exit(main())
