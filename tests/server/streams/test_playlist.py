"""Reading ffmpeg's playlist and writing the served ones (RFC 8216), without ffmpeg."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.streams import playlist
from server.streams.playlist import PlaylistError, Segment

FFMPEG = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:41
#EXT-X-INDEPENDENT-SEGMENTS
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T15:04:27.109+0000
seg000041.ts
#EXTINF:0.960000,
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T23:04:28.109+0800
seg000042.ts
"""
T0 = 1_796_137_467.109  # 2026-12-01T15:04:27.109Z


def recording(n: int, breaks: tuple[int, ...] = ()) -> list[Segment]:
    return [Segment(i, f"seg{i:06d}.ts", 1.0, T0 + i, i in breaks) for i in range(n)]


def test_ffmpegs_playlist_is_read_with_sequence_numbers_durations_and_program_times() -> None:
    seen = playlist.parse(FFMPEG)
    assert [(s.sequence, s.uri, s.duration) for s in seen.segments] == [(41, "seg000041.ts", 1.0),
                                                                        (42, "seg000042.ts", 0.96)]
    assert seen.segments[0].program_time == pytest.approx(T0)
    assert seen.segments[1].program_time == pytest.approx(T0 + 1)  # +08:00 read as such
    assert seen.target_duration == 1 and not seen.ended


def test_the_live_playlist_slides_and_counts_the_discontinuities_that_scrolled_out() -> None:
    rec = recording(20, breaks=(5, 14))
    text = playlist.live(rec, window=8)
    lines = text.splitlines()
    assert lines[0] == "#EXTM3U" and "#EXT-X-MEDIA-SEQUENCE:12" in lines and "#EXT-X-ENDLIST" not in lines
    assert "#EXT-X-DISCONTINUITY-SEQUENCE:1" in lines  # the break before segment 5 is gone from view
    assert lines.count("#EXT-X-DISCONTINUITY") == 1 and lines[lines.index("#EXT-X-DISCONTINUITY") + 3] == "seg000014.ts"
    assert lines.count("#EXT-X-INDEPENDENT-SEGMENTS") == 1
    assert sum(1 for line in lines if line.startswith("#EXT-X-PROGRAM-DATE-TIME:")) == 8
    assert "#EXT-X-PROGRAM-DATE-TIME:2026-12-01T15:04:39.109Z" in lines  # segment 12, UTC, milliseconds
    back = playlist.parse(text)
    assert [s.sequence for s in back.segments] == list(range(12, 20))
    assert [s.discontinuity for s in back.segments] == [i == 14 for i in range(12, 20)]
    # when the segment after a break is the first shown, the break is counted, not tagged
    top = playlist.parse(playlist.live(recording(22, breaks=(14,)), window=8))
    assert top.discontinuity_sequence == 1 and not any(s.discontinuity for s in top.segments)


def test_the_replay_lists_the_whole_recording_as_vod() -> None:
    rec = recording(5, breaks=(0, 3))  # 0: a run that continued an earlier session (nothing before it)
    rec[-1] = Segment(4, "seg000004.ts", 1.4, T0 + 4)
    text = playlist.replay(rec)
    seen = playlist.parse(text)
    assert seen.ended and seen.playlist_type == "VOD" and [s.sequence for s in seen.segments] == [0, 1, 2, 3, 4]
    assert seen.target_duration == 1  # 1.4 s rounds to 1: EXTINF rounded may not exceed it
    assert text.count("#EXT-X-DISCONTINUITY\n") == 1
    assert playlist.parse(playlist.live(rec, ended=True)).ended
    assert playlist.parse(playlist.replay([Segment(0, "seg000000.ts", 1.6)])).target_duration == 2
    with pytest.raises(PlaylistError, match="at least one segment"):
        playlist.replay([])


def test_broken_playlists_are_refused_by_name() -> None:
    with pytest.raises(PlaylistError, match="starts with #EXTM3U"):
        playlist.parse("seg1.ts\n")
    with pytest.raises(PlaylistError, match="TARGETDURATION"):
        playlist.parse("#EXTM3U\n#EXTINF:1,\nseg1.ts\n")
    with pytest.raises(PlaylistError, match="has no #EXTINF"):
        playlist.parse("#EXTM3U\n#EXT-X-TARGETDURATION:1\nseg1.ts\n")
    with pytest.raises(PlaylistError, match="without a time zone"):
        playlist.parse("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PROGRAM-DATE-TIME:2026-12-01T15:04:27\n")


def test_a_playlist_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "live.m3u8"
    playlist.write(path, "old\n")
    playlist.write(path, playlist.live(recording(3)))
    assert path.read_text().startswith("#EXTM3U") and [p.name for p in tmp_path.iterdir()] == ["live.m3u8"]
