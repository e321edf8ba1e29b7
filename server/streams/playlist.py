"""HLS media playlists (RFC 8216): reading ffmpeg's, writing the served ones.

``parse`` reads a media playlist into ``Segment``s (sequence number, name, duration,
program date and time, whether a discontinuity comes before it). ``live`` writes the
sliding window viewers poll; ``replay`` the whole recording as a VOD playlist. Both
give every segment its ``EXT-X-PROGRAM-DATE-TIME`` (UTC, milliseconds) and mark each
restart of the encoder with ``EXT-X-DISCONTINUITY``. Files are replaced atomically
(written beside, then renamed), so a viewer never reads half a playlist.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

VERSION = 6
LIVE_WINDOW = 8  # segments in the live playlist


class PlaylistError(ValueError):
    """A playlist that breaks RFC 8216 in a way this reader cannot pass over."""


@dataclass(frozen=True, slots=True)
class Segment:
    sequence: int
    uri: str
    duration: float  # seconds
    program_time: float | None = None  # epoch seconds of its first frame (EXT-X-PROGRAM-DATE-TIME)
    discontinuity: bool = False  # an encoder restart comes before it

    def to_json(self) -> dict[str, object]:
        return {"sequence": self.sequence, "uri": self.uri, "duration": self.duration,
                "program_time": self.program_time, "discontinuity": self.discontinuity}

    @staticmethod
    def from_json(data: dict[str, object]) -> Segment:
        program = data.get("program_time")
        return Segment(int(str(data["sequence"])), str(data["uri"]), float(str(data["duration"])),
                       None if program is None else float(str(program)), bool(data.get("discontinuity", False)))


@dataclass(frozen=True, slots=True)
class MediaPlaylist:
    segments: tuple[Segment, ...]
    target_duration: int
    ended: bool
    playlist_type: str = ""  # "", "EVENT" or "VOD"
    discontinuity_sequence: int = 0


def parse_time(text: str) -> float:
    """Epoch seconds of an ISO 8601 date and time with a zone (``Z``, ``+08:00`` or ffmpeg's ``+0000``)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%S.%f%z")
        except ValueError:
            raise PlaylistError(f"EXT-X-PROGRAM-DATE-TIME is not a date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise PlaylistError(f"EXT-X-PROGRAM-DATE-TIME without a time zone: {text!r}")
    return moment.timestamp()


def format_time(epoch: float) -> str:
    moment = datetime.fromtimestamp(round(epoch, 3), UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse(text: str) -> MediaPlaylist:
    lines = [line.strip() for line in text.splitlines()]
    if not lines or lines[0] != "#EXTM3U":
        raise PlaylistError("a playlist starts with #EXTM3U")
    sequence, target, ended, kind, disc_seq = 0, -1, False, "", 0
    segments: list[Segment] = []
    duration: float | None = None
    program: float | None = None
    discontinuity = False
    for line in lines[1:]:
        if not line:
            continue
        tag, _, value = line.partition(":")
        if tag == "#EXT-X-MEDIA-SEQUENCE":
            sequence = int(value)
        elif tag == "#EXT-X-TARGETDURATION":
            target = int(value)
        elif tag == "#EXT-X-DISCONTINUITY-SEQUENCE":
            disc_seq = int(value)
        elif tag == "#EXT-X-PLAYLIST-TYPE":
            kind = value
        elif tag == "#EXT-X-ENDLIST":
            ended = True
        elif tag == "#EXT-X-DISCONTINUITY":
            discontinuity = True
        elif tag == "#EXT-X-PROGRAM-DATE-TIME":
            program = parse_time(value)
        elif tag == "#EXTINF":
            duration = float(value.split(",", 1)[0])
        elif not line.startswith("#"):
            if duration is None:
                raise PlaylistError(f"segment {line} has no #EXTINF")
            segments.append(Segment(sequence + len(segments), line, duration, program, discontinuity))
            duration, program, discontinuity = None, None, False
    if target < 0:
        raise PlaylistError("a media playlist needs #EXT-X-TARGETDURATION")
    return MediaPlaylist(tuple(segments), target, ended, kind, disc_seq)


def _body(segments: Sequence[Segment], *, ended: bool, vod: bool, discontinuities_before: int) -> str:
    target = max((math.floor(s.duration + 0.5) for s in segments), default=1)
    head = ["#EXTM3U", f"#EXT-X-VERSION:{VERSION}", f"#EXT-X-TARGETDURATION:{max(target, 1)}",
            f"#EXT-X-MEDIA-SEQUENCE:{segments[0].sequence if segments else 0}"]
    if vod:
        head.insert(2, "#EXT-X-PLAYLIST-TYPE:VOD")
    if discontinuities_before:
        head.append(f"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuities_before}")
    head.append("#EXT-X-INDEPENDENT-SEGMENTS")
    for index, seg in enumerate(segments):
        if seg.discontinuity and index > 0:
            head.append("#EXT-X-DISCONTINUITY")
        if seg.program_time is not None:
            head.append(f"#EXT-X-PROGRAM-DATE-TIME:{format_time(seg.program_time)}")
        head.append(f"#EXTINF:{seg.duration:.6f},")
        head.append(seg.uri)
    if ended:
        head.append("#EXT-X-ENDLIST")
    return "\n".join(head) + "\n"


def live(recording: Sequence[Segment], *, ended: bool = False, window: int = LIVE_WINDOW) -> str:
    """The live playlist: the last ``window`` segments of ``recording`` (ENDLIST once ended)."""
    shown = list(recording[-window:]) if window else list(recording)
    before = len(recording) - len(shown)
    # a discontinuity that scrolled out still counts, and one on the first shown segment
    # belongs to the boundary before it
    passed = sum(1 for s in recording[1:before + 1] if s.discontinuity) if before else 0
    return _body(shown, ended=ended, vod=False, discontinuities_before=passed)


def replay(recording: Sequence[Segment]) -> str:
    """The VOD playlist of the whole recording."""
    if not recording:
        raise PlaylistError("a replay needs at least one segment")
    return _body(recording, ended=True, vod=True, discontinuities_before=0)


def write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
