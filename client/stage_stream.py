"""The stage screen's stream for the desktop client: HLS read and decoded off the render
thread (no Panda3D here).

``StreamPlayer`` runs one thread that reads the playlist over HTTP (``client.hls_playlist``),
fetches the segments and decodes them with PyAV, and hands frames on at the moment they
are due: the source clock of a frame (its segment's EXT-X-PROGRAM-DATE-TIME plus its time
in the segment) plus the common target delay, the same one the browser holds
(``TARGET_DELAY_S``), so viewers in both clients see the same moment. A late joiner
starts with the segment holding "now minus the target delay", or the newest (the live
edge) when that is not written yet. A frame more than ``LATE_S`` late is dropped and a
segment more than ``SEEK_OVER_S`` late skipped (the desktop's way of seeking). The main
thread takes the newest frame with ``take()`` and uploads it: nothing here blocks a frame.

Frames are handed on as BGR rows bottom first, the layout of a Panda3D texture's RAM
image. Audio is not played (the client runs with Panda3D's null audio library).
A replay (``live=False``, a VOD playlist) plays from its start at its own pace.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from client.hls_playlist import Playlist, PlaylistError, Segment, parse, segment_at

log = logging.getLogger(__name__)

TARGET_DELAY_S = 3.5  # behind the source clock: as the browser (tools/webxr/web/stage_screen.js)
LATE_S = 0.5  # a frame later than this is dropped
SEEK_OVER_S = 1.0  # a segment whose end is later than this is skipped: jump to the target
STALL_S = 4.0  # no new segment for this long: the stream is interrupted
RETRY_S = 2.0  # a failed playlist is asked for again after this long
HTTP_TIMEOUT_S = 5.0

Fetch = Callable[[str], bytes]


class StreamError(RuntimeError):
    """A playlist or segment could not be had (HTTP status, network, not a playlist)."""


class HttpFetch:
    """GET over one kept-alive HTTP client (playlists every half second, segments every second)."""

    def __init__(self) -> None:
        import httpx

        logging.getLogger("httpx").setLevel(logging.WARNING)  # not a log line per segment
        self._httpx = httpx
        self.client = httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=True)

    def __call__(self, url: str) -> bytes:
        try:
            reply = self.client.get(url)
        except self._httpx.HTTPError as exc:
            raise StreamError(f"{url}: {exc}") from None
        if reply.status_code != 200:
            raise StreamError(f"{url}: HTTP {reply.status_code}")
        return reply.content


@dataclass(frozen=True, slots=True)
class Frame:
    image: npt.NDArray[np.uint8]  # (h, w, 3) BGR, bottom row first (a Panda3D RAM image)
    source: float | None  # the source clock of this frame, epoch s (None: the stream has no program clock)
    shown: float  # the wall clock it was handed on at
    seq: int  # the segment it came from


class StreamPlayer:
    """One stream, played on a background thread; ``take()`` the newest frame from any thread."""

    def __init__(self, url: str, *, live: bool = True, target_delay: float = TARGET_DELAY_S,
                 fetch: Fetch | None = None, clock: Callable[[], float] = time.time) -> None:
        self.url = url
        self.live = live
        self.target = target_delay
        self.fetch: Fetch = fetch or HttpFetch()
        self.clock = clock
        self.status = "connecting"  # connecting | playing | interrupted | ended
        self.delay: float | None = None  # seconds behind the source clock of the last frame handed on
        self.frames = 0
        self.skipped = 0
        self.seeks = 0
        self.segments = 0
        self.errors: list[str] = []
        self._frame: Frame | None = None
        self._taken: Frame | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stage-stream", daemon=True)
        self._base: float | None = None  # without a program clock (a replay): wall clock of stream time 0
        self._stream_t = 0.0  # stream time of the next segment without a program clock

    def start(self) -> StreamPlayer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def take(self) -> Frame | None:
        """The newest frame when it has not been taken yet, else None."""
        with self._lock:
            frame = self._frame
            if frame is None or frame is self._taken:
                return None
            self._taken = frame
            return frame

    # --- the thread -------------------------------------------------------------------

    def _fail(self, why: str) -> None:
        if self.status != "interrupted":
            log.info("stage stream interrupted: %s", why)
        self.status = "interrupted"
        self.errors = [*self.errors[-9:], why]

    def _playlist(self) -> Playlist:
        for _ in range(3):
            pl = parse(self.fetch(self.url).decode("utf-8", "replace"), self.url)
            if not pl.variants:
                return pl
            self.url = pl.variants[0]  # a master playlist: its first (lowest) variant
        raise StreamError(f"{self.url}: master playlists nested too deep")

    def _start(self, pl: Playlist) -> int:
        """The first segment to play: at the common target, else the live edge; a replay's first."""
        segs = pl.segments
        if not self.live:
            return segs[0].seq
        seg = segment_at(pl, self.clock() - self.target)
        if seg is not None:
            return seg.seq
        if segs[-1].pdt is not None:
            return segs[-1].seq  # the target is not written yet: the live edge
        return segs[max(0, len(segs) - 3)].seq  # no program clock: three segments from the end, as players do

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            if isinstance(self.fetch, HttpFetch):
                self.fetch.client.close()

    def _loop(self) -> None:
        next_seq: int | None = None
        last_new = self.clock()
        while not self._stop.is_set():
            try:
                pl = self._playlist()
            except (StreamError, PlaylistError) as exc:
                self._fail(str(exc))
                self._stop.wait(RETRY_S)
                continue
            segs = pl.segments
            if segs and (next_seq is None or next_seq < segs[0].seq):
                next_seq = self._start(pl)  # the first time, or fallen out of the window
            todo = [s for s in segs if next_seq is not None and s.seq >= next_seq]
            if not todo:
                if pl.ended:
                    self.status = "ended"
                    return
                if self.clock() - last_new > STALL_S:
                    self._fail(f"no new segment for {STALL_S:.0f} s")
                self._stop.wait(max(0.2, pl.target / 2))
                continue
            last_new = self.clock()
            for seg in todo:
                if self._stop.is_set():
                    return
                if self.live and seg.pdt is not None \
                        and self.clock() - (seg.pdt + seg.duration + self.target) > SEEK_OVER_S:
                    ahead = segment_at(pl, self.clock() - self.target)
                    if ahead is not None and ahead.seq > seg.seq:
                        self.seeks += 1
                        next_seq = ahead.seq
                        break  # behind by more than a segment: jump to where the others are
                try:
                    data = self.fetch(seg.url)
                except StreamError as exc:
                    self._fail(str(exc))
                    break
                self._play(seg, data)
                last_new = self.clock()
                next_seq = seg.seq + 1

    def _play(self, seg: Segment, data: bytes) -> None:
        import av

        self.segments += 1
        synced = self.live and seg.pdt is not None
        try:
            with av.open(io.BytesIO(data), mode="r", format="mpegts") as container:
                if not container.streams.video:
                    return
                stream = container.streams.video[0]
                first: float | None = None
                for frame in container.decode(stream):
                    if self._stop.is_set():
                        return
                    t = float(frame.time) if frame.time is not None else 0.0
                    if first is None:
                        first = t
                    offset = t - first
                    source = seg.pdt + offset if seg.pdt is not None else None
                    if synced:
                        due = source + self.target  # type: ignore[operator]
                    else:
                        if self._base is None:
                            self._base = self.clock() - (self._stream_t + offset)
                        due = self._base + self._stream_t + offset
                    now = self.clock()
                    if due - now > 0:
                        if self._stop.wait(due - now):
                            return
                    elif now - due > LATE_S:
                        self.skipped += 1
                        continue
                    image = np.ascontiguousarray(frame.to_ndarray(format="bgr24")[::-1], dtype=np.uint8)
                    shown = self.clock()
                    with self._lock:
                        self._frame = Frame(image, source, shown, seg.seq)
                    self.frames += 1
                    self.status = "playing"
                    if synced:
                        self.delay = shown - source  # type: ignore[operator]
        except av.error.FFmpegError as exc:
            self._fail(f"segment {seg.seq}: {exc}")
        finally:
            self._stream_t += seg.duration
