"""HLS playlists as the desktop client's stage screen reads them (RFC 8216), without I/O.

A decoder does not hand on the stream's wall clock, so the client reads the playlist
itself: every segment's EXT-X-PROGRAM-DATE-TIME (the source's wall clock at the segment's
first frame) says which segment holds the moment every viewer aims at (the source clock
minus the common target delay), and the time of each decoded frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin


class PlaylistError(ValueError):
    """The text is not an HLS playlist the client can play; the message says why."""


@dataclass(frozen=True, slots=True)
class Segment:
    seq: int  # media sequence number
    url: str  # absolute
    duration: float  # seconds (EXTINF)
    pdt: float | None  # EXT-X-PROGRAM-DATE-TIME of its first frame, epoch seconds (None: not given)


@dataclass(frozen=True, slots=True)
class Playlist:
    target: float  # EXT-X-TARGETDURATION, seconds
    segments: tuple[Segment, ...]
    ended: bool  # EXT-X-ENDLIST: a recording (VOD) or a stream that ended
    variants: tuple[str, ...] = ()  # a master playlist: its media playlists (absolute), best first

    @property
    def live_edge(self) -> float | None:
        """The source clock at the end of the newest segment (None without a program clock)."""
        last = self.segments[-1] if self.segments else None
        return None if last is None or last.pdt is None else last.pdt + last.duration


def program_time(text: str) -> float:
    """An EXT-X-PROGRAM-DATE-TIME value (ISO 8601 with a zone, ffmpeg writes +0000) in epoch seconds."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    elif len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = value[:-2] + ":" + value[-2:]  # +0000 -> +00:00
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise PlaylistError(f"EXT-X-PROGRAM-DATE-TIME {text!r} is not an ISO 8601 date and time") from None
    if when.tzinfo is None:
        raise PlaylistError(f"EXT-X-PROGRAM-DATE-TIME {text!r} has no time zone")
    return when.timestamp()


def parse(text: str, base: str) -> Playlist:
    """A media (or master) playlist; segment addresses resolved against ``base`` (its URL)."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    if not lines or lines[0] != "#EXTM3U":
        raise PlaylistError("not an HLS playlist: the first line must be #EXTM3U")
    target = 0.0
    seq = 0
    segments: list[Segment] = []
    variants: list[tuple[int, str]] = []
    ended = False
    duration: float | None = None
    pdt: float | None = None
    want_variant: int | None = None
    for n, line in enumerate(lines[1:], start=2):
        if not line:
            continue
        if line.startswith("#"):
            tag, _, value = line.partition(":")
            if tag == "#EXT-X-TARGETDURATION":
                target = _number(value, n, tag)
            elif tag == "#EXT-X-MEDIA-SEQUENCE":
                seq = int(_number(value, n, tag))
            elif tag == "#EXTINF":
                duration = _number(value.split(",", 1)[0], n, tag)
            elif tag == "#EXT-X-PROGRAM-DATE-TIME":
                pdt = program_time(value)
            elif tag == "#EXT-X-ENDLIST":
                ended = True
            elif tag == "#EXT-X-STREAM-INF":
                bw = 0
                for part in value.split(","):
                    key, _, v = part.partition("=")
                    if key.strip() == "BANDWIDTH" and v.strip().isdigit():
                        bw = int(v)
                want_variant = bw
            continue
        if want_variant is not None:
            variants.append((want_variant, urljoin(base, line)))
            want_variant = None
            continue
        if duration is None:
            raise PlaylistError(f"line {n}: segment {line!r} has no #EXTINF before it")
        segments.append(Segment(seq, urljoin(base, line), duration, pdt))
        seq += 1
        # a program clock given once runs on through the following segments (RFC 8216 4.3.2.6)
        pdt = None if pdt is None else pdt + duration
        duration = None
    if variants:
        # the lowest bandwidth first: 640x360 is what the stage screen shows
        return Playlist(target, (), ended, tuple(u for _, u in sorted(variants)))
    if not segments and not ended and target <= 0:
        raise PlaylistError("the playlist has no #EXT-X-TARGETDURATION and no segments")
    return Playlist(target or 1.0, tuple(segments), ended)


def _number(value: str, line: int, tag: str) -> float:
    try:
        out = float(value)
    except ValueError:
        raise PlaylistError(f"line {line}: {tag} {value!r} is not a number") from None
    if out < 0 or out != out:
        raise PlaylistError(f"line {line}: {tag} {value!r} must not be negative")
    return out


def segment_at(playlist: Playlist, source_time: float) -> Segment | None:
    """The segment holding the source clock's ``source_time``; before the window: the first;
    past the newest segment: None (not written yet: wait, or take the live edge)."""
    timed = [s for s in playlist.segments if s.pdt is not None]
    if not timed:
        return None
    if source_time < timed[0].pdt:  # type: ignore[operator]
        return timed[0]
    for s in timed:
        if s.pdt <= source_time < s.pdt + s.duration:  # type: ignore[operator]
            return s
    return None
