"""The desktop stage screen's pure parts: reading HLS playlists for their program clock
(which segment holds the moment every viewer aims at), the stage states it accepts, its
script steps, and its card drawn in both languages."""

from __future__ import annotations

import numpy as np
import pytest

from client.hls_playlist import PlaylistError, parse, program_time, segment_at
from client.script import ScriptError
from client.script import parse as parse_script

BASE = "http://cdn.example/streams/7/live.m3u8"
LIVE = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-TARGETDURATION:1
#EXT-X-MEDIA-SEQUENCE:40
#EXT-X-INDEPENDENT-SEGMENTS
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T15:05:10.579+0000
seg00040.ts
#EXTINF:1.000000,
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T15:05:11.579+0000
seg00041.ts
#EXTINF:0.960000,
#EXT-X-PROGRAM-DATE-TIME:2026-12-01T15:05:12.579+0000
/other/seg00042.ts
"""
T0 = 1796137510.579  # 2026-12-01T15:05:10.579Z


def test_a_live_playlist_gives_each_segment_its_program_clock_and_absolute_address() -> None:
    pl = parse(LIVE, BASE)
    assert pl.target == 1.0 and not pl.ended and pl.variants == ()
    assert [s.seq for s in pl.segments] == [40, 41, 42]
    assert pl.segments[0].url == "http://cdn.example/streams/7/seg00040.ts"
    assert pl.segments[2].url == "http://cdn.example/other/seg00042.ts"
    assert pl.segments[0].pdt == pytest.approx(T0)
    assert pl.segments[2].duration == pytest.approx(0.96)
    assert pl.live_edge == pytest.approx(T0 + 2.96)


def test_the_segment_at_a_moment_of_the_source_clock() -> None:
    pl = parse(LIVE, BASE)
    assert segment_at(pl, T0 + 1.5).seq == 41  # type: ignore[union-attr]
    assert segment_at(pl, T0 + 2.0).seq == 42  # type: ignore[union-attr]
    assert segment_at(pl, T0 - 30).seq == 40  # type: ignore[union-attr]  # before the window: its start
    assert segment_at(pl, T0 + 3.0) is None  # not written yet


def test_a_program_clock_given_once_runs_on_and_a_recording_ends() -> None:
    pl = parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PROGRAM-DATE-TIME:2026-12-01T15:05:10.579Z\n"
               "#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n", BASE)
    assert pl.ended and [s.pdt for s in pl.segments] == [pytest.approx(T0), pytest.approx(T0 + 2)]
    no_clock = parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n", BASE)
    assert no_clock.segments[0].pdt is None and no_clock.live_edge is None
    assert segment_at(no_clock, T0) is None


def test_a_master_playlist_names_its_variants_lowest_first() -> None:
    pl = parse("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720\nhi/live.m3u8\n"
               "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nlo/live.m3u8\n", BASE)
    assert pl.variants == ("http://cdn.example/streams/7/lo/live.m3u8", "http://cdn.example/streams/7/hi/live.m3u8")


@pytest.mark.parametrize(("text", "why"), [
    ("<html>nope</html>", "first line must be #EXTM3U"),
    ("#EXTM3U\n#EXT-X-TARGETDURATION:x\n", "#EXT-X-TARGETDURATION 'x' is not a number"),
    ("#EXTM3U\n#EXT-X-TARGETDURATION:1\nseg.ts\n", "segment 'seg.ts' has no #EXTINF"),
    ("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:-1,\nseg.ts\n", "#EXTINF '-1' must not be negative"),
    ("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PROGRAM-DATE-TIME:yesterday\n#EXTINF:1,\nseg.ts\n",
     "'yesterday' is not an ISO 8601"),
    ("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PROGRAM-DATE-TIME:2026-12-01T15:05:10\n#EXTINF:1,\ns.ts\n",
     "has no time zone"),
])
def test_a_bad_playlist_is_refused_with_what_is_wrong(text: str, why: str) -> None:
    with pytest.raises(PlaylistError, match=why.replace("(", r"\(")):
        parse(text, BASE)


def test_program_times_in_the_forms_packagers_write() -> None:
    assert program_time("2026-12-01T15:05:10.579+0000") == pytest.approx(T0)
    assert program_time("2026-12-01T15:05:10.579Z") == pytest.approx(T0)
    assert program_time("2026-12-01T23:05:10.579+08:00") == pytest.approx(T0)


def test_stage_script_steps_are_checked() -> None:
    steps = parse_script('[{"do": "stage", "state": "live", "url": "http://x/live.m3u8"}, '
                         '{"do": "wait_stage", "shown": "video"}, {"do": "replay"}]')
    assert [s.do for s in steps] == ["stage", "wait_stage", "replay"]
    with pytest.raises(ScriptError, match="stage 'state' must be live, interrupted"):
        parse_script('[{"do": "stage", "state": "playing"}]')
    with pytest.raises(ScriptError, match="stage 'url' must be a string"):
        parse_script('[{"do": "stage", "state": "live", "url": 5}]')


def test_stage_states_from_a_message_or_a_dict() -> None:
    from client.stage_screen import stage_state

    class Msg:  # the `stage` message's fields
        park, stage, event, title, state, hls, starts, ends = "p", "main", 7, "春季发布会", "ended", "/streams/7/replay.m3u8", 0, 0

    assert stage_state(Msg()) == {"state": "ended", "url": "/streams/7/replay.m3u8", "replay": "/streams/7/replay.m3u8",
                                  "title": "春季发布会", "event": 7, "starts": 0.0}
    assert stage_state({"state": "weird", "url": "x"})["state"] == "none"


def test_the_card_in_chinese_has_its_text_drawn() -> None:
    from client.stage_screen import CARD_H, CARD_W, card_image, ram_image

    img = card_image("春季发布会", "直播中断，正在重新连接…", alarm=True)
    rgb = np.asarray(img, dtype=np.int32)
    assert rgb.shape == (CARD_H, CARD_W, 3)
    text = rgb.min(axis=-1) > 200  # white title letters on the dark red card
    assert 2000 < text.sum() < 60000, text.sum()
    assert (rgb[..., 0] > rgb[..., 2]).mean() > 0.9  # the interrupted card is red
    raw = np.frombuffer(ram_image(img), np.uint8).reshape(CARD_H, CARD_W, 3)
    assert (raw[0] == rgb[-1, :, ::-1]).all()  # bottom row first, BGR: what Panda3D's RAM image holds


def test_the_common_clock_is_the_servers_from_the_quickest_round_trip() -> None:
    from panda3d.core import NodePath

    from client.stage_screen import StageScreen

    screen = StageScreen(NodePath("render"), lambda key, **p: key, lambda: "en", linear=False, clock=lambda: 1000.0)
    assert screen.now() == 1000.0
    screen.clock_sample(100.0, 105.4, 100.8)  # slow: the server said 105.4 somewhere in 0.8 s
    assert screen.offset == pytest.approx(5.0)
    screen.clock_sample(200.0, 205.05, 200.1)  # quicker: this one wins
    assert screen.offset == pytest.approx(5.0) and screen.now() == pytest.approx(1005.0)
    screen.clock_sample(300.0, 290.0, 300.5)  # slower than the best: ignored while the best is kept
    assert screen.offset == pytest.approx(5.0)
    screen.clock_sample(400.0, 1.0, 399.0)  # arrived before it left: nonsense, dropped
    screen.clock_sample(float("nan"), 1.0, 2.0)
    assert len(screen.clock_samples) == 3
    for i in range(8):  # only the last 8 round trips count
        screen.clock_sample(500.0 + i, 497.0 + i + 0.3, 500.6 + i)
    assert screen.offset == pytest.approx(-3.0)
