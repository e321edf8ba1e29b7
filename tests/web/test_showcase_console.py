"""The organizer console on both engines (ManualClock for the event's times): editing
and cancelling (the registrants told), the live panel's moderation and polls, the
attendance and its CSV, going live refused field by field, a push source's address
for OBS, and the test pattern live through the app's own supervisor with real ffmpeg:
the stream's state recorded on the event (what the world server's stage reads) and
hinted on the bus, the live playlist served, the replay after the stop."""

from __future__ import annotations

import asyncio
import http.server
import os
import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import httpx
import psutil
import pytest

from server.showcases.stage_source import ShowcaseStages
from server.web import showcase_desk, showcase_live
from server.web.app import create_app
from server.web.protect import Larger
from tests.server.conftest import database_url, pg_template  # noqa: F401 - the fixtures: a fresh database on each engine
from tests.web.showcase_app import MONDAY, PARK, ShowcaseApp, event_form, problems, sc, to_local  # noqa: F401

pytestmark = pytest.mark.anyio


async def _schedule(sc: ShowcaseApp, user: str = "orla", **changes: str) -> int:  # noqa: F811
    csrf = await sc.as_(user)
    made = await sc.post("/console/showcases/new", event_form(**changes), csrf)
    assert made.status_code == 303, made.text
    return int(re.search(r"/console/showcases/(\d+)", made.headers["location"]).group(1))  # type: ignore[union-attr]


async def _stream_state(sc: ShowcaseApp, event: int, want: str, seconds: float = 30.0) -> dict[str, object]:  # noqa: F811
    """Wait until the console says the stream is ``want`` and the event has it recorded
    (the supervisor's state changes first; its report lands on the event a moment later)."""
    for _ in range(int(seconds * 10)):
        state = (await sc.client.get(f"/console/showcases/{event}/live.json")).json()
        row = await sc.store.showcases.get(event)
        if state["stream"] == want and row is not None and row.stream_state == want:
            return dict(state)
        await asyncio.sleep(0.1)
    raise AssertionError(f"the stream never became {want}: {state}, recorded {row.stream_state if row else None}")


async def test_editing_moves_the_event_and_cancelling_tells_the_registrants(sc: ShowcaseApp) -> None:  # noqa: F811
    event = await _schedule(sc)
    csrf = await sc.as_("v1")
    await sc.post(f"/events/{event}/register", {}, csrf)
    csrf = await sc.as_("orla")
    form = (await sc.get(f"/console/showcases/{event}/edit")).text
    assert 'value="2026-01-05T14:00"' in form and 'value="Spring launch"' in form
    bad = await sc.post(f"/console/showcases/{event}/edit", event_form(start="17:00", end="16:00"), csrf)
    assert bad.status_code == 422 and problems(bad.text)["end"] == ["the end must come after the start"]
    moved = await sc.post(f"/console/showcases/{event}/edit", event_form(start="15:00", end="17:00",
                                                                          title_en="Spring launch, moved"), csrf)
    assert moved.status_code == 303
    row = await sc.store.showcases.get(event)
    assert row.title_en == "Spring launch, moved" and row.start - row.end == -7200
    assert "showcase.notice.moved.title" in [n.notice.title_key for n in await sc.store.inbox.page("v1", limit=9)]
    cancelled = await sc.post(f"/console/showcases/{event}/cancel", {"reason": "the artist is ill"}, csrf)
    assert cancelled.status_code == 303
    page = await sc.get(f"/events/{event}")
    assert "This event was cancelled. Reason: the artist is ill" in page.text and 'id="sc-register"' not in page.text
    told = [n for n in await sc.store.inbox.page("v1", limit=9) if n.notice.title_key.endswith("cancelled.title")]
    assert told and told[0].notice.params["reason"] == "the artist is ill"
    again = await sc.post(f"/console/showcases/{event}/cancel", {"reason": ""}, csrf)
    assert again.status_code == 409 and "a cancelled event cannot be cancelled" in again.text.lower()


async def test_the_live_panel_moderates_questions_and_runs_polls(sc: ShowcaseApp) -> None:  # noqa: F811
    event = await _schedule(sc)
    service = sc.service
    people = {u: await sc.app.state.web.accounts.person(await sc.store.accounts.get(u)) for u in ("v0", "v1", "v2")}
    low = await service.ask(people["v0"], event, "When does it ship?")
    high = await service.ask(people["v1"], event, "Is there a student price?")
    await service.upvote(people["v2"], high.id)
    csrf = await sc.as_("pam")  # a presenter (and the park's staff)
    page = (await sc.get(f"/console/showcases/{event}")).text
    assert page.index("Is there a student price?") < page.index("When does it ship?")  # by votes
    answered = await sc.post(f"/console/showcases/{event}/questions/{high.id}/answer", {}, csrf)
    assert answered.status_code == 303
    hidden = await sc.post(f"/console/showcases/{event}/questions/{low.id}/hide", {}, csrf)
    assert hidden.status_code == 303
    twice = await sc.post(f"/console/showcases/{event}/questions/{low.id}/hide", {}, csrf)
    assert twice.status_code == 409 and "a hidden question cannot be hidden" in twice.text.lower()
    audience = await service.questions(event, "v0")
    assert [(v.question.text, v.question.state) for v in audience] == [("Is there a student price?", "answered")]
    csrf = await sc.as_("orla")
    refused = await sc.post(f"/console/showcases/{event}/polls", {"question": "Colour?", "options": "red"}, csrf)
    assert refused.status_code == 422 and problems(refused.text)["poll.options"] == [
        "a poll has 2 to 10 options (1 given)"]
    made = await sc.post(f"/console/showcases/{event}/polls",
                         {"question": "Which colour?", "options": "red\ngreen\n", "results": "hidden"}, csrf)
    assert made.status_code == 303
    (poll,) = await sc.store.showcases.polls(event)
    assert (await sc.post(f"/console/showcases/{event}/polls/{poll.id}/open", {}, csrf)).status_code == 303
    await service.vote(people["v0"], poll.id, [1])
    await service.vote(people["v1"], poll.id, [1])
    page = (await sc.get(f"/console/showcases/{event}")).text
    assert re.search(r"green · <strong>2</strong>", page) and "2 voted" in page  # moderators see hidden counts
    assert (await sc.post(f"/console/showcases/{event}/polls/{poll.id}/close", {}, csrf)).status_code == 303
    late = await sc.post(f"/console/showcases/{event}/polls/{poll.id}/close", {}, csrf)
    assert late.status_code == 409
    with pytest.raises(Exception, match="closed"):
        await service.vote(people["v2"], poll.id, [0])


async def test_attendance_after_the_event_and_its_csv(sc: ShowcaseApp) -> None:  # noqa: F811
    event = await _schedule(sc, start="14:00", end="15:00")
    service = sc.service
    for user in ("v0", "v1"):
        csrf = await sc.as_(user)
        await sc.post(f"/events/{event}/register", {}, csrf)
    to_local(sc.clock, MONDAY, "14:00")
    await service.start(event)
    await service.joined(event, "v0", "main")
    await service.joined(event, "v3", "hall 2")
    sc.clock.advance(20 * 60)
    await service.left(event, "v3")
    sc.clock.advance(40 * 60)
    await service.end(event)
    csrf = await sc.as_("orla")
    page = (await sc.get(f"/console/showcases/{event}/attendance")).text
    assert re.search(r'id="a-registered">2<', page) and "2 (1 of them registered)" in page
    assert re.search(r'id="a-peak">2 · 14:00:00', page) and "80 in all, 40.0 on average" in page
    got = await sc.get(f"/console/showcases/{event}/attendance.csv")
    assert got.headers["content-type"].startswith("text/csv")
    lines = got.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "user,registration,came,first_joined,last_left,minutes,instances"
    assert sorted(line.split(",")[0] + ":" + line.split(",")[5] for line in lines[1:]) == [
        "v0:60.0", "v1:0.0", "v3:20.0"]
    await sc.as_("otis")
    assert (await sc.get(f"/console/showcases/{event}/attendance.csv")).status_code == 403


async def test_going_live_is_refused_field_by_field_and_too_early(sc: ShowcaseApp) -> None:  # noqa: F811
    event = await _schedule(sc)
    csrf = await sc.as_("orla")
    early = await sc.post(f"/console/showcases/{event}/live", {"kind": "test_pattern"}, csrf)
    assert early.status_code == 409 and "an event goes live at most 15 minutes before its start" in early.text
    to_local(sc.clock, MONDAY, "13:50")
    bad_url = await sc.post(f"/console/showcases/{event}/live", {"kind": "hls", "url": "ftp://x/y.m3u8"}, csrf)
    assert bad_url.status_code == 422
    assert problems(bad_url.text)["source.url"] == ["url: must start with http:// or https://, not 'ftp'"]
    zh = await sc.post(f"/console/showcases/{event}/live", {"kind": "rtmp", "port": "80"}, csrf, lang="zh")
    assert problems(zh.text)["source.port"] == ["端口：1024 到 65535 之间的整数。"]
    missing = await sc.post(f"/console/showcases/{event}/live", {"kind": "file", "path": "nope.mp4"}, csrf)
    assert "source.file" in problems(missing.text)
    assert (await sc.store.showcases.get(event)).state == "scheduled"  # nothing went live


async def test_a_push_source_shows_obs_its_server_and_key(sc: ShowcaseApp, free_tcp_port: int) -> None:  # noqa: F811
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is missing: run bash tools/setup.sh")
    event = await _schedule(sc)
    to_local(sc.clock, MONDAY, "13:55")
    csrf = await sc.as_("orla")
    live = await sc.post(f"/console/showcases/{event}/live", {"kind": "rtmp", "port": str(free_tcp_port),
                                                               "key": "launch-key-123"}, csrf)
    assert live.status_code == 303
    page = (await sc.get(f"/console/showcases/{event}")).text
    assert f"rtmp://127.0.0.1:{free_tcp_port}/live</code>" in page and ">launch-key-123</code>" in page
    assert 'id="sc-stream-state">not streaming' in page and "waiting for the broadcaster" in page
    assert "Source: RTMP push (OBS, ...)" in page
    await sc.as_("v1")
    public = (await sc.get(f"/events/{event}")).text
    assert "launch-key-123" not in public
    csrf = await sc.as_("orla")
    assert (await sc.post(f"/console/showcases/{event}/stop", {}, csrf)).status_code == 303


async def test_the_test_pattern_goes_live_through_the_apps_supervisor_and_leaves_a_replay(sc: ShowcaseApp) -> None:  # noqa: F811
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is missing: run bash tools/setup.sh")
    event = await _schedule(sc)
    to_local(sc.clock, MONDAY, "13:55")
    csrf = await sc.as_("orla")
    assert (await sc.post(f"/console/showcases/{event}/live", {"kind": "test_pattern"}, csrf)).status_code == 303
    data = Path(sc.app.state.web.config.data_dir)
    state = await _stream_state(sc, event, "live")  # the first segments: up to 30 s on a loaded machine
    assert state["event"] == "live"
    row = await sc.store.showcases.get(event)
    assert (row.state, row.stream_state) == ("live", "live")
    stage = await ShowcaseStages(sc.service).stage_of(PARK)
    assert stage is not None and (stage.state, stage.hls) == ("live", f"/streams/{event}/live.m3u8")
    assert {"park": PARK, "event": event} in sc.bus.of("stage.changed")
    playlist = await sc.client.get(f"/streams/{event}/live.m3u8")
    assert playlist.status_code == 200 and "#EXT-X-PROGRAM-DATE-TIME" in playlist.text
    public = (await sc.get(f"/events/{event}")).text
    assert f'data-src="/streams/{event}/live.m3u8"' in public and "/vendor/hls.min.js" in public
    stopped = await sc.post(f"/console/showcases/{event}/end", {}, csrf)
    assert stopped.status_code == 303
    row = await sc.store.showcases.get(event)
    assert (row.state, row.stream_state) == ("ended", "ended")
    assert (data / "streams" / str(event) / "replay.m3u8").is_file()
    listed = (await sc.get("/events")).text
    assert listed.index('id="replays"') < listed.index(f'href="/events/{event}"')  # listed among the replays
    replay = (await sc.get(f"/events/{event}")).text
    assert f'data-src="/streams/{event}/replay.m3u8"' in replay and "Replay" in replay
    stage = await ShowcaseStages(sc.service).stage_of(PARK)
    assert stage is not None and stage.hls == f"/streams/{event}/replay.m3u8"




async def test_a_dead_encoder_shows_stream_interrupted_and_the_event_goes_on(sc: ShowcaseApp) -> None:  # noqa: F811
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is missing: run bash tools/setup.sh")
    event = await _schedule(sc)
    to_local(sc.clock, MONDAY, "14:00")
    csrf = await sc.as_("orla")
    await sc.post(f"/console/showcases/{event}/live", {"kind": "test_pattern"}, csrf)
    await _stream_state(sc, event, "live")
    (encoder,) = [p for p in psutil.Process().children(recursive=True) if p.name() == "ffmpeg"]
    os.kill(encoder.pid, signal.SIGKILL)
    state = await _stream_state(sc, event, "interrupted", 10)
    assert state["event"] == "live" and "ffmpeg exited" in str(state["reason"])
    console = (await sc.get(f"/console/showcases/{event}")).text
    assert 'id="sc-stream-state">Stream interrupted: reconnecting; the event goes on' in console
    public = (await sc.get(f"/events/{event}", "zh")).text
    assert 'id="sc-interrupted">直播流中断，正在重连；活动继续' in public
    stage = await ShowcaseStages(sc.service).stage_of(PARK)
    assert stage is not None and stage.state == "interrupted"
    await _stream_state(sc, event, "live", 30)  # restarted after its backoff
    assert (await sc.store.showcases.get(event)).stream_state == "live"
    await sc.post(f"/console/showcases/{event}/stop", {}, csrf)
    assert (await sc.store.showcases.get(event)).state == "live"  # the stream stopped, the event goes on


def _video(folder: Path, seconds: int = 3) -> Path:
    """A short real video (ffmpeg's test source) to upload."""
    out = folder / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate=25:duration={seconds}",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


async def test_an_uploaded_video_is_judged_by_ffprobe_and_streamed(sc: ShowcaseApp, tmp_path: Path) -> None:  # noqa: F811
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is missing: run bash tools/setup.sh")
    event = await _schedule(sc)
    to_local(sc.clock, MONDAY, "14:00")
    csrf = await sc.as_("orla")
    fake = await sc.client.post(f"/console/showcases/{event}/video", data={"csrf": csrf},
                                files={"video": ("launch.mp4", b"not a video at all" * 100, "video/mp4")},
                                headers={"Accept-Language": "en"})
    assert fake.status_code == 422
    assert problems(fake.text)["source.file"] == [
        "file: launch.mp4 is not a video ffmpeg can read: launch.mp4: Invalid data found when processing input"]
    media = Path(sc.app.state.web.config.data_dir) / "showcase-media"
    assert [p for p in media.rglob("*") if p.is_file()] == []  # refused: not kept
    clip = _video(tmp_path)
    sent = await sc.client.post(f"/console/showcases/{event}/video", data={"csrf": csrf},
                                files={"video": ("launch.mp4", clip.read_bytes(), "video/mp4")},
                                headers={"Accept-Language": "en"})
    assert sent.status_code == 200 and "Ready: launch.mp4" in sent.text
    path = re.search(r'name="path" value="([0-9a-f/]+)"', sent.text).group(1)  # type: ignore[union-attr]
    stored = Path(sc.app.state.web.config.data_dir) / "showcase-media" / path
    assert stored.read_bytes() == clip.read_bytes()
    outside = await sc.post(f"/console/showcases/{event}/live", {"kind": "file", "path": "../../cloudpark.sqlite3"},
                            csrf)
    assert outside.status_code == 422 and "outside the media folder" in problems(outside.text)["source.file"][0]
    live = await sc.post(f"/console/showcases/{event}/live", {"kind": "file", "path": path, "loop": "1"}, csrf)
    assert live.status_code == 303
    await _stream_state(sc, event, "live")
    assert (await sc.client.get(f"/streams/{event}/live.m3u8")).status_code == 200
    await sc.post(f"/console/showcases/{event}/stop", {}, csrf)
    assert (await sc.store.showcases.get(event)).stream_state == "ended"


class _Playlist(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the handler's name
        body = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nseg0.ts\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.apple.mpegurl")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


async def test_an_external_hls_url_is_checked_and_handed_to_the_stage(sc: ShowcaseApp) -> None:  # noqa: F811
    served = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Playlist)
    threading.Thread(target=served.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{served.server_port}/cdn/launch.m3u8"
        event = await _schedule(sc)
        to_local(sc.clock, MONDAY, "14:00")
        csrf = await sc.as_("orla")
        gone = await sc.post(f"/console/showcases/{event}/live", {"kind": "hls", "url": "http://127.0.0.1:9/x.m3u8"},
                             csrf)
        assert gone.status_code == 422 and problems(gone.text)["source.url"][0].startswith(
            "url: http://127.0.0.1:9/x.m3u8 could not be fetched")
        assert (await sc.post(f"/console/showcases/{event}/live", {"kind": "hls", "url": url}, csrf)).status_code == 303
        await _stream_state(sc, event, "live", 5)
        stage = await ShowcaseStages(sc.service).stage_of(PARK)
        assert stage is not None and (stage.state, stage.hls) == ("live", url)
        assert f'data-src="{url}"' in (await sc.get(f"/events/{event}")).text
    finally:
        served.shutdown()
        served.server_close()


async def test_after_a_restart_a_stream_without_its_encoder_is_interrupted(sc: ShowcaseApp) -> None:  # noqa: F811
    own = await _schedule(sc, start="14:00", end="15:00")
    later = await _schedule(sc, start="15:00", end="16:00", title_en="Later")
    to_local(sc.clock, MONDAY, "14:50")
    await sc.service.start(own)
    await sc.service.set_stream(own, "live")
    assert (await sc.store.showcases.get(later)).state == "scheduled"
    assert await showcase_desk.reconcile(sc.app) == [own]  # what the app's start does
    assert (await sc.store.showcases.get(own)).stream_state == "interrupted"
    await sc.as_("orla")
    page = (await sc.get(f"/console/showcases/{own}")).text
    assert 'data-stream="idle"' in page and 'id="sc-go-live"' in page  # nothing runs here: go live again
    assert 'id="sc-interrupted"' in (await sc.get(f"/events/{own}")).text
    assert await showcase_desk.reconcile(sc.app) == []


async def test_ending_after_a_restart_offers_the_recording_left_as_the_replay(sc: ShowcaseApp) -> None:  # noqa: F811
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is missing: run bash tools/setup.sh")
    event = await _schedule(sc)
    to_local(sc.clock, MONDAY, "14:00")
    csrf = await sc.as_("orla")
    await sc.post(f"/console/showcases/{event}/live", {"kind": "test_pattern"}, csrf)
    await _stream_state(sc, event, "live")
    await showcase_desk.close(sc.app)  # the app stops: its streams end without telling the events
    del sc.app.state.stream_desk  # a new process: a new desk and supervisor
    assert await showcase_desk.reconcile(sc.app) == [event]
    ended = await sc.post(f"/console/showcases/{event}/end", {}, csrf)
    assert ended.status_code == 303
    row = await sc.store.showcases.get(event)
    assert (row.state, row.stream_state) == ("ended", "ended")
    stage = await ShowcaseStages(sc.service).stage_of(PARK)
    assert stage is not None and stage.hls == f"/streams/{event}/replay.m3u8"
    assert (await sc.client.get(f"/streams/{event}/replay.m3u8")).status_code == 200


async def test_a_video_over_the_limit_gets_a_page_saying_so(sc: ShowcaseApp, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    limit = showcase_live.FORM_ROOM + 2**20  # a 1 MiB video
    monkeypatch.setattr(showcase_live, "LARGER", (Larger(re.compile(showcase_live.VIDEO_PATH), limit,
                                                         showcase_live.too_large),))
    web = sc.app.state.web
    small = create_app(web.config, sc.store, sc.bus, sc.clock, texts=web.texts)
    event = await _schedule(sc)
    csrf = await sc.as_("orla")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://park.test",
                                 cookies=sc.client.cookies) as client:
        big = await client.post(f"/console/showcases/{event}/video", data={"csrf": csrf},
                                files={"video": ("long.mp4", b"\0" * (2**20 + 100_000), "video/mp4")},
                                headers={"Accept-Language": "en"})
    await small.state.web.online.close()
    assert big.status_code == 413 and "The video is too large: at most 1 MiB." in big.text
    assert f'href="/console/showcases/{event}"' in big.text
