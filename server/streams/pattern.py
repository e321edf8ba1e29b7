"""The test pattern's clock strip: ``python -m server.streams.pattern --width 640 --fps 25``
writes grey strips (``world.stream_clock``) to stdout, one per frame, paced on the
monotonic clock; ffmpeg reads them as rawvideo and lays them over ``testsrc2``.

It runs as its own (niced) process beside ffmpeg, so neither timing nor drawing touches
the world server's event loop. The first strip is black (no time): writing it blocks
until ffmpeg has started reading (the supervisor shrinks the pipe to one page), and the
clock is anchored when it returns, so frame k carries ``anchor + k / fps``: the wall
clock of the moment the frame was due, which is what the video's timeline says too. A
frame written late (ffmpeg stalled) keeps its due time: the stall shows as latency.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

import numpy as np

from world.stream_clock import render, strip_size


def run(fd: int, width: int, fps: int, frames: int | None = None) -> int:
    """Write strips to ``fd`` until it closes (or ``frames`` have been written); 0 on a
    closed pipe, the way a source ends."""
    height, _ = strip_size(width)
    try:
        os.write(fd, np.zeros((height, width), dtype=np.uint8).tobytes())
        anchor_wall, anchor = time.time(), time.monotonic()
        k = 1
        while frames is None or k < frames:
            delay = anchor + k / fps - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            strip = render(round(anchor_wall * 1000 + k * 1000 / fps), width).tobytes()
            view = memoryview(strip)
            while view:
                view = view[os.write(fd, view):]
            k += 1
    except BrokenPipeError:
        return 0
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.streams.pattern", description=__doc__)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--fps", type=int, default=25)
    parser.add_argument("--frames", type=int, default=None, help="stop after this many (default: never)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    return run(sys.stdout.fileno(), args.width, args.fps, args.frames)


if __name__ == "__main__":
    sys.exit(main())
