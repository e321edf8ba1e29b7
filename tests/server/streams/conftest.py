"""Media for the stream tests, made once with ffmpeg, and what the tests read back:
decoded frames, probed durations, a strict reading of a media playlist."""

from __future__ import annotations

import asyncio
import math
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from server.streams.playlist import parse_time
from world.stream_clock import decode


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=60)


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 2 s clip with sound, a 0.2 s clip, sound alone, a still picture, a text file."""
    out = tmp_path_factory.mktemp("media")
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=880",
           "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
           "-shortest", str(out / "clip.mp4"))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "0.2", "-c:v", "libx264", "-preset",
           "ultrafast", str(out / "blink.mp4"))
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440", "-t", "2", str(out / "tone.wav"))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", str(out / "still.png"))
    (out / "notes.mp4").write_text("not a video, whatever the name says\n")
    return {p.stem: p for p in out.iterdir()}


def frames_of(segment: Path) -> np.ndarray:
    """Every frame of a segment, decoded by ffmpeg to grey pixels, shape (n, 360, 640)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(segment), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True, timeout=60).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, 360, 640)


def clocks_of(segment: Path) -> list[int | None]:
    return [decode(frame) for frame in frames_of(segment)]


def probe(path: Path | str, entries: str = "format=duration") -> str:
    return subprocess.run(["ffprobe", "-v", "error", "-show_entries", entries, "-of", "csv=p=0", str(path)],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()


def read_media_playlist(path: Path, *, ended: bool) -> list[tuple[str, float, float]]:
    """(uri, duration, program time) of every segment, after checking the playlist by
    RFC 8216's rules for a media playlist (written here, apart from the code under test)."""
    lines = [line for line in path.read_text().splitlines() if line]
    assert lines[0] == "#EXTM3U"
    tags = [line.partition(":") for line in lines if line.startswith("#EXT")]
    target = int(next(v for t, _, v in tags if t == "#EXT-X-TARGETDURATION"))
    assert any(t == "#EXT-X-MEDIA-SEQUENCE" for t, _, _ in tags)
    assert ("#EXT-X-ENDLIST" in lines) is ended
    out, duration, program = [], None, None
    for line in lines[1:]:
        tag, _, value = line.partition(":")
        if tag == "#EXTINF":
            duration = float(value.rstrip(","))
        elif tag == "#EXT-X-PROGRAM-DATE-TIME":
            assert value.endswith("Z") and len(value) == len("2026-12-01T15:04:27.109Z"), value
            program = parse_time(value)
        elif not line.startswith("#"):
            assert duration is not None and program is not None, f"{line}: EXTINF and PROGRAM-DATE-TIME first"
            assert math.floor(duration + 0.5) <= target
            assert (path.parent / line).is_file(), f"{line} is listed but not on disk"
            out.append((line, duration, program))
            duration = program = None
    return out


async def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` after ``timeout`` s (a
    safety net for a machine under load, not a measurement)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s")
        await asyncio.sleep(0.05)
