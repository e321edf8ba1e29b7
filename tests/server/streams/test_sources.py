"""Every source is checked before anything runs, and a refusal names its field."""

from __future__ import annotations

import asyncio
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.streams.sources import (
    ExternalHls,
    PushRtmp,
    PushSrt,
    StreamRefused,
    TestPattern,
    VideoFile,
    external_hls,
    prepare,
    probe_file,
)
from server.streams.supervisor import StreamSupervisor


def refused(coro: object) -> StreamRefused:
    with pytest.raises(StreamRefused) as caught:
        asyncio.run(coro)  # type: ignore[arg-type]
    return caught.value


def test_a_video_file_is_probed_and_kept_with_what_it_holds(media: dict[str, Path]) -> None:
    found = asyncio.run(probe_file(media["clip"], loop=False))
    assert isinstance(found, VideoFile) and found.has_audio and not found.loop
    assert found.duration_s == pytest.approx(2.0, abs=0.1)
    looped = asyncio.run(prepare({"kind": "file", "path": str(media["clip"])}))
    assert isinstance(looped, VideoFile) and looped.loop  # a form without "loop" loops
    found_in_root = asyncio.run(probe_file("clip.mp4", root=media["clip"].parent))
    assert found_in_root.path == media["clip"].resolve()


def test_bad_files_are_refused_precisely(media: dict[str, Path], tmp_path: Path) -> None:
    missing = refused(probe_file(tmp_path / "gone.mp4"))
    assert missing.code == "file_missing" and missing.field == "file" and "does not exist" in missing.message
    assert refused(probe_file(tmp_path)).code == "file_not_file"
    assert refused(probe_file("")).code == "file_missing"
    junk = refused(probe_file(media["notes"]))
    assert junk.code == "file_invalid" and "not a video ffmpeg can read" in junk.message
    assert "Invalid data" in junk.params["why"]  # ffprobe's own words
    assert refused(probe_file(media["tone"])).code == "file_no_video"
    assert refused(probe_file(media["still"])).code == "file_still"
    short = refused(probe_file(media["blink"]))
    assert short.code == "file_short" and short.message.startswith("file: ") and "at least 1 s" in short.message
    outside = refused(probe_file(media["clip"], root=tmp_path))
    assert outside.code == "file_outside" and "outside the media folder" in outside.message
    assert refused(probe_file("../clip.mp4", root=tmp_path)).code == "file_outside"
    assert refused(prepare({"kind": "file", "path": str(media["clip"]), "loop": "yes"})).field == "loop"


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server over ``tmp_path`` on a free port."""
    (tmp_path / "ok.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:1\n")
    (tmp_path / "page.m3u8").write_text("<!doctype html><title>Not found</title>\n")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             lambda *a: _Files(*a, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_external_hls_url_must_be_http_and_answer_a_playlist(site: str) -> None:
    ok = asyncio.run(external_hls(f"{site}/ok.m3u8"))
    assert ok == ExternalHls(f"{site}/ok.m3u8")
    scheme = refused(external_hls("rtmp://example.org/live/x"))
    assert scheme.code == "url_scheme" and scheme.message == "url: must start with http:// or https://, not 'rtmp'"
    assert refused(external_hls("file:///etc/passwd")).code == "url_scheme"
    assert refused(external_hls("http:///live.m3u8")).message == "url: names no host"
    assert "user name or password" in refused(external_hls("https://u:p@cdn.example/live.m3u8")).message
    assert refused(external_hls("http://a b/x.m3u8")).field == "url"
    assert refused(external_hls("")).message == "url: no URL given"
    page = refused(external_hls(f"{site}/page.m3u8"))
    assert page.code == "url_not_playlist" and "does not start #EXTM3U" in page.message
    gone = refused(external_hls(f"{site}/nothing.m3u8"))
    assert gone.code == "url_unreachable" and gone.params["status"] == 404
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    down = refused(external_hls(f"http://127.0.0.1:{port}/live.m3u8"))
    assert down.code == "url_unreachable" and "could not be fetched (ConnectError" in down.message


def test_an_injected_fetch_is_used_for_the_check() -> None:
    async def fetch(url: str) -> tuple[int, str, bytes]:
        raise httpx.ConnectTimeout("timed out")
    assert refused(external_hls("https://cdn.example/live.m3u8", fetch=fetch)).code == "url_unreachable"


def test_push_sources_check_port_key_passphrase_and_host() -> None:
    rtmp = asyncio.run(prepare({"kind": "rtmp", "port": 19351, "key": "k3y-for-show_7"}))
    assert rtmp == PushRtmp(19351, "k3y-for-show_7") and rtmp.url == "rtmp://127.0.0.1:19351/live/k3y-for-show_7"
    srt = asyncio.run(prepare({"kind": "srt", "port": 19352, "passphrase": "correct-horse!", "host": "::1"}))
    assert srt == PushSrt(19352, "correct-horse!", "::1")
    assert srt.url == "srt://[::1]:19352?passphrase=correct-horse%21&pbkeylen=16"
    assert refused(prepare({"kind": "rtmp", "port": 80, "key": "abcdefgh"})).message == \
        "port: must be a whole number in 1024..65535, got 80"
    assert refused(prepare({"kind": "rtmp", "port": "1935", "key": "abcdefgh"})).field == "port"
    assert refused(prepare({"kind": "rtmp", "port": 1935, "key": "short"})).field == "key"
    assert refused(prepare({"kind": "rtmp", "port": 1935, "key": "a/b/../cdefgh"})).field == "key"
    assert refused(prepare({"kind": "rtmp", "port": 1935, "key": "abcdefgh", "host": "example.org"})).field == "host"
    assert refused(prepare({"kind": "srt", "port": 1935, "passphrase": "too short"})).field == "passphrase"
    assert refused(prepare({"kind": "webcam"})).message == \
        "kind: must be one of test_pattern, file, rtmp, srt, hls, got 'webcam'"
    assert asyncio.run(prepare({"kind": "test_pattern"})) == TestPattern()


def test_the_supervisor_refuses_a_second_start_a_taken_port_and_a_bad_event(tmp_path: Path) -> None:
    async def go() -> None:
        async def fetch(url: str) -> tuple[int, str, bytes]:
            return 200, "application/vnd.apple.mpegurl", b"#EXTM3U\n"
        told: list[str] = []
        sup = StreamSupervisor(tmp_path, fetch=fetch, on_change=lambda s: told.append(s.state))
        status = await sup.start(3, {"kind": "hls", "url": "https://cdn.example/show/live.m3u8"})
        assert (status.state, status.url, status.source) == ("live", "https://cdn.example/show/live.m3u8", "hls")
        again = await _refusal(sup.start(3, {"kind": "test_pattern"}))
        assert again.code == "already_live" and again.message == "event: event 3 is streaming already; stop it first"
        assert (await _refusal(sup.start(0, TestPattern()))).field == "event"
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            taken = await _refusal(sup.start(4, PushRtmp(port, "abcdefgh")))
            assert taken.code == "port_busy" and taken.message.startswith(f"port: 127.0.0.1:{port} cannot be listened on")
        missing = StreamSupervisor(tmp_path, ffmpeg="no-such-ffmpeg")
        assert (await _refusal(missing.start(5, TestPattern()))).code == "no_ffmpeg"
        ended = await sup.stop(3)
        assert ended.state == "ended" and ended.replay_url == ""  # nothing recorded here
        assert told == ["live", "ended"]
        assert sup.running() == []
    asyncio.run(go())


async def _refusal(coro: object) -> StreamRefused:
    try:
        await coro  # type: ignore[misc]
    except StreamRefused as exc:
        return exc
    raise AssertionError("not refused")


def test_every_refusal_has_its_text_in_both_languages(media: dict[str, Path], tmp_path: Path) -> None:
    """Each code the stream code raises has ``stream.refused.<code>`` in zh and en, and the
    parameters a refusal carries fill its text."""
    import re

    from server.web.texts import load_texts
    texts = load_texts(strict=True)
    source = "".join(p.read_text() for p in (Path(__file__).parents[3] / "server" / "streams").glob("*.py"))
    codes = set(re.findall(r'StreamRefused\("([a-z_]+)"', source))
    assert len(codes) >= 20
    for code in codes:
        for lang in ("zh", "en"):
            assert texts.translate(lang, f"stream.refused.{code}", name="x", why="y", port=1, seconds=0.2, url="u",
                                   status=404, scheme="ftp", value="v", event=3)
    samples = [refused(probe_file(media["blink"])), refused(probe_file(media["notes"])),
               refused(external_hls("ftp://x/y")), refused(probe_file(tmp_path / "gone.mp4"))]
    for exc in samples:
        text = texts.translate("zh", f"stream.refused.{exc.code}", **exc.params)
        assert "{" not in text, text
