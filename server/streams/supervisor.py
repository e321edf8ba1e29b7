"""``StreamSupervisor``: one ffmpeg per live event, watched, restarted, recorded.

    supervisor = StreamSupervisor(config.data_dir / "streams", on_change=publish)
    status = await supervisor.start(event_id, await prepare({"kind": "test_pattern"}))
    ...                                     # on_change(StreamStatus) on every change
    status = await supervisor.stop(event_id)  # ended: replay.m3u8 written
    await supervisor.close()                # stops every stream (server shutdown)

Each event's files live in ``streams_dir/<event_id>/``: ffmpeg writes 1 s segments and
its own playlist there (``server.streams.encoder``); a poll every ``poll_s`` reads that
playlist, appends new segments to the recording (``recording.jsonl``, one line each,
so a server restart continues the numbering and loses no segment), and rewrites the
served ``live.m3u8``. On stop the live playlist gets ``EXT-X-ENDLIST`` and
``replay.m3u8`` lists the whole recording (every run, a discontinuity between runs).

ffmpeg (and the test pattern's clock strip) run niced (``nice -n 10``), in their own
session, and get SIGTERM when this process dies (``setpriv --pdeathsig``), so a
crashed server leaves no encoder behind. States and restarts: ``server.streams.watch``.
An external HLS URL runs nothing: it is live from start to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import inspect
import json
import logging
import os
import shutil
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from server.clock import Clock, SystemClock
from server.streams import playlist
from server.streams.encoder import ENCODER_PLAYLIST, commands
from server.streams.playlist import PlaylistError, Segment
from server.streams.sources import (
    ExternalHls,
    Fetch,
    PushRtmp,
    PushSrt,
    Source,
    StreamRefused,
    VideoFile,
    check_port_free,
    prepare,
)
from server.streams.watch import ENDED, IDLE, INTERRUPTED, LIVE, Watch

log = logging.getLogger("cloudpark.streams")
LIVE_NAME, REPLAY_NAME, RECORDING_NAME, ENCODER_LOG = "live.m3u8", "replay.m3u8", "recording.jsonl", "encoder.log"
NICE = 10
STOP_GRACE_S = 5.0
PIPE_BYTES = 4096  # the test pattern's pipe: one page, so its clock waits for ffmpeg


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """What viewers and the organizer are told about an event's stream."""

    event_id: int
    state: str  # idle | live | interrupted | ended
    url: str = ""  # the live playlist: /streams/<id>/live.m3u8, or the external URL
    replay_url: str = ""  # /streams/<id>/replay.m3u8 once ended with a recording
    reason: str = ""  # why it is interrupted (or what a push source is waiting for)
    source: str = ""  # the source's kind
    publish_url: str = ""  # a push source: where the broadcasting tool sends to

    def to_json(self) -> dict[str, Any]:
        return {"event": self.event_id, "state": self.state, "url": self.url, "replay_url": self.replay_url,
                "reason": self.reason, "source": self.source, "publish_url": self.publish_url}


OnChange = Callable[[StreamStatus], Awaitable[None] | None]


def url_of(event_id: int, name: str) -> str:
    """The web app's path of a stream file (``server.web.stream_files``)."""
    return f"/streams/{event_id}/{name}"


class _Stream:
    def __init__(self, event_id: int, source: Source, folder: Path, watch: Watch) -> None:
        self.event_id, self.source, self.folder, self.watch = event_id, source, folder, watch
        self.recording: list[Segment] = []
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.procs: list[asyncio.subprocess.Process] = []
        self.seen_stamp: tuple[int, int] | None = None
        self.new_run = False  # the next segment follows an encoder restart
        self.arrival: float | None = None  # a push run: wall time its first segment began arriving
        self.run_seconds = 0.0  # media seconds recorded in this run

    @property
    def next_sequence(self) -> int:
        return self.recording[-1].sequence + 1 if self.recording else 0


class StreamSupervisor:
    def __init__(self, streams_dir: Path, *, on_change: OnChange | None = None, clock: Clock | None = None,
                 ffmpeg: str = "ffmpeg", ffprobe: str = "ffprobe", media_dir: Path | None = None,
                 fetch: Fetch | None = None, poll_s: float = 0.05, stall_s: float = 4.0,
                 startup_s: float = 20.0, push_restart_s: float = 10.0,
                 backoff: tuple[float, ...] | None = None, stop_grace_s: float = STOP_GRACE_S) -> None:
        self.streams_dir = Path(streams_dir)
        self.on_change = on_change
        self.clock = clock or SystemClock()
        self.ffmpeg, self.ffprobe, self.media_dir, self.fetch = ffmpeg, ffprobe, media_dir, fetch
        self.poll_s, self.stall_s, self.startup_s, self.push_restart_s = poll_s, stall_s, startup_s, push_restart_s
        self.backoff, self.stop_grace_s = backoff, stop_grace_s
        self._streams: dict[int, _Stream] = {}
        self._closing = False
        self._prefix = (("setpriv", "--pdeathsig", "TERM") if shutil.which("setpriv") else ()) + ("nice", "-n", str(NICE))

    # -- the API ---------------------------------------------------------------------
    def folder(self, event_id: int) -> Path:
        return self.streams_dir / str(event_id)

    def status(self, event_id: int) -> StreamStatus:
        stream = self._streams.get(event_id)
        if stream is not None:
            return self._status(stream)
        replay = self.folder(event_id) / REPLAY_NAME
        if replay.is_file():
            return StreamStatus(event_id, ENDED, url_of(event_id, LIVE_NAME), url_of(event_id, REPLAY_NAME))
        return StreamStatus(event_id, IDLE)

    def running(self) -> list[int]:
        return sorted(i for i, s in self._streams.items() if s.watch.state != ENDED)

    async def prepare(self, spec: Mapping[str, Any]) -> Source:
        """A checked source from a form (``server.streams.sources.prepare``)."""
        return await prepare(spec, root=self.media_dir, ffprobe=self.ffprobe, fetch=self.fetch)

    async def start(self, event_id: int, source: Source | Mapping[str, Any]) -> StreamStatus:
        """Go live for ``event_id`` from ``source`` (a checked ``Source``, or a form for
        ``prepare``). ``StreamRefused`` when the event is streaming already or the
        source cannot be used; state changes come through ``on_change``."""
        if isinstance(event_id, bool) or not isinstance(event_id, int) or event_id <= 0:
            raise StreamRefused("event", "event", f"must be a positive event id, got {event_id!r}")
        current = self._streams.get(event_id)
        if current is not None and current.watch.state != ENDED:
            raise StreamRefused("already_live", "event", f"event {event_id} is streaming already; stop it first",
                                event=event_id)
        if isinstance(source, Mapping):
            source = await self.prepare(source)
            current = self._streams.get(event_id)  # a start that raced this one while it was checked
            if current is not None and current.watch.state != ENDED:
                raise StreamRefused("already_live", "event", f"event {event_id} is streaming already; stop it first",
                                    event=event_id)
        if not isinstance(source, ExternalHls) and shutil.which(self.ffmpeg) is None:
            raise StreamRefused("no_ffmpeg", "source", f"{self.ffmpeg} is not installed (tools/setup.sh installs it)")
        if isinstance(source, PushRtmp | PushSrt):
            self._check_push_port(event_id, source)
            check_port_free(source.host, source.port, udp=isinstance(source, PushSrt))
        folder = self.folder(event_id)
        folder.mkdir(parents=True, exist_ok=True)
        watch = Watch(push=isinstance(source, PushRtmp | PushSrt), stall_s=self.stall_s, startup_s=self.startup_s,
                      push_restart_s=self.push_restart_s, **({"backoff": self.backoff} if self.backoff else {}))
        stream = _Stream(event_id, source, folder, watch)
        stream.recording = _load_recording(folder / RECORDING_NAME)
        stream.new_run = bool(stream.recording)
        (folder / REPLAY_NAME).unlink(missing_ok=True)  # it is being recorded again
        self._streams[event_id] = stream
        if isinstance(source, ExternalHls):
            watch.segments(1, self.clock.monotonic())
            await self._notify(stream)
        else:
            await self._notify(stream)
            stream.task = asyncio.create_task(self._run(stream), name=f"stream-{event_id}")
        return self._status(stream)

    async def stop(self, event_id: int) -> StreamStatus:
        """End the event's stream: the encoder finishes its last segment, ``live.m3u8``
        ends, ``replay.m3u8`` is written. For a stream not running here, a recording left
        on disk (the server died while it ran) gets its replay; the status is answered."""
        stream = self._streams.get(event_id)
        if stream is None:
            self._finish_left(event_id)
            return self.status(event_id)
        if stream.watch.state == ENDED:
            return self.status(event_id)
        stream.stop.set()
        if stream.task is not None:
            await stream.task
        else:  # an external URL: nothing runs
            self._finish(stream)
            await self._notify(stream)
        return self._status(stream)

    async def close(self, *, notify: bool = False) -> None:
        """Stop every stream (server shutdown), their replays written; ``on_change`` is
        not told unless ``notify`` (the events go on, and ``start`` after a restart
        continues their recordings)."""
        self._closing = not notify
        await asyncio.gather(*(self.stop(i) for i in list(self._streams)))

    def _finish_left(self, event_id: int) -> None:
        """A recording left by a server that died mid-stream gets its replay."""
        folder = self.folder(event_id)
        recording = _load_recording(folder / RECORDING_NAME)
        if recording and not (folder / REPLAY_NAME).is_file():
            playlist.write(folder / LIVE_NAME, playlist.live(recording, ended=True))
            playlist.write(folder / REPLAY_NAME, playlist.replay(recording))

    # -- inside ----------------------------------------------------------------------
    def _check_push_port(self, event_id: int, source: PushRtmp | PushSrt) -> None:
        for other in self._streams.values():
            if (other.event_id != event_id and other.watch.state != ENDED
                    and isinstance(other.source, PushRtmp | PushSrt) and other.source.port == source.port):
                raise StreamRefused("port_busy", "port", f"port {source.port} is taken by event {other.event_id}",
                                    port=source.port)

    def _status(self, stream: _Stream) -> StreamStatus:
        source, eid, state = stream.source, stream.event_id, stream.watch.state
        url = source.url if isinstance(source, ExternalHls) else url_of(eid, LIVE_NAME)
        replay = url_of(eid, REPLAY_NAME) if state == ENDED and (stream.folder / REPLAY_NAME).is_file() else ""
        publish = source.url if isinstance(source, PushRtmp | PushSrt) else ""
        reason = stream.watch.reason
        if not reason and state == IDLE and publish:
            reason = "waiting for the broadcaster"
        return StreamStatus(eid, state, url, replay, reason, source.kind, publish)

    async def _notify(self, stream: _Stream) -> None:
        status = self._status(stream)
        log.info("stream %s: %s %s", stream.event_id, status.state, status.reason)
        if self.on_change is None or self._closing:
            return
        try:
            result = self.on_change(status)
            if inspect.isawaitable(result):
                await result
        except Exception:  # a receiver's failure must not stop the stream
            log.exception("stream %s: on_change failed", stream.event_id)

    async def _run(self, stream: _Stream) -> None:
        try:
            while not stream.stop.is_set():
                why, finished = await self._one_run(stream)
                if stream.stop.is_set() or finished:
                    break
                changed, delay = stream.watch.run_ended(why)
                if changed:
                    await self._notify(stream)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stream.stop.wait(), delay)
        except Exception:
            log.exception("stream %s: supervisor failed", stream.event_id)
            raise
        finally:
            await self._kill(stream)
            self._collect(stream)
            self._finish(stream)
            await self._notify(stream)

    async def _one_run(self, stream: _Stream) -> tuple[str, bool]:
        """Run the encoder once: (why it ended, whether the source finished for good)."""
        folder = stream.folder
        for name in (ENCODER_PLAYLIST, *(p.name for p in folder.glob("*.tmp"))):
            (folder / name).unlink(missing_ok=True)
        stream.seen_stamp, stream.arrival, stream.run_seconds = None, None, 0.0
        stream.new_run = stream.new_run or stream.watch.runs > 0
        cmds = commands(stream.source, stream.next_sequence, python=sys.executable, ffmpeg=self.ffmpeg)
        logfile = (folder / ENCODER_LOG).open("wb")
        stream.watch.run_started(self.clock.monotonic())
        try:
            ffmpeg = await self._spawn(stream, cmds.ffmpeg, cmds.source, logfile)
        except OSError as exc:
            logfile.close()
            await self._kill(stream)
            return f"ffmpeg could not start: {exc}", False
        exited = asyncio.ensure_future(ffmpeg.wait())
        stopping = asyncio.ensure_future(stream.stop.wait())
        # the clock strip ending is the source ending: ffmpeg 5.1 would wait for it forever
        # (its overlay ends, the tone does not, and -shortest does not end the output)
        fed = asyncio.ensure_future(stream.procs[0].wait()) if len(stream.procs) > 1 else stopping
        why = ""
        try:
            while True:
                await asyncio.wait({exited, stopping, fed}, timeout=self.poll_s, return_when=asyncio.FIRST_COMPLETED)
                now = self.clock.monotonic()
                if stream.watch.segments(self._collect(stream), now):
                    await self._notify(stream)
                if stopping.done():
                    break
                if exited.done() or fed.done():
                    why = self._exit_reason(stream, ffmpeg.returncode)
                    break
                changed, restart = stream.watch.check(now)
                if changed:
                    await self._notify(stream)
                if restart:
                    why = stream.watch.reason or "no segment since the encoder started"
                    break
        finally:
            stopping.cancel()
            await self._kill(stream)
            await exited
            if fed is not stopping:
                await fed
            logfile.close()
        stream.watch.segments(self._collect(stream), self.clock.monotonic())
        finished = (isinstance(stream.source, VideoFile) and not stream.source.loop and ffmpeg.returncode == 0)
        return why, finished

    async def _spawn(self, stream: _Stream, ffmpeg_cmd: tuple[str, ...], source_cmd: tuple[str, ...],
                     logfile: Any) -> asyncio.subprocess.Process:
        common: dict[str, Any] = {"cwd": stream.folder, "stderr": logfile, "start_new_session": True}
        stream.procs = []
        if not source_cmd:
            proc = await asyncio.create_subprocess_exec(*self._prefix, *ffmpeg_cmd, stdin=asyncio.subprocess.DEVNULL,
                                                        stdout=asyncio.subprocess.DEVNULL, **common)
            stream.procs.append(proc)
            return proc
        read, write = os.pipe()
        try:
            with contextlib.suppress(OSError):  # Linux: a one-page pipe paces the clock by ffmpeg
                fcntl.fcntl(write, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(_root()), os.environ.get("PYTHONPATH", "")) if p)}
            feeder = await asyncio.create_subprocess_exec(*self._prefix, *source_cmd, stdin=asyncio.subprocess.DEVNULL,
                                                          stdout=write, env=env, **common)
            stream.procs.append(feeder)
            proc = await asyncio.create_subprocess_exec(*self._prefix, *ffmpeg_cmd, stdin=read,
                                                        stdout=asyncio.subprocess.DEVNULL, **common)
            stream.procs.append(proc)
        finally:
            os.close(read)
            os.close(write)
        return proc

    def _exit_reason(self, stream: _Stream, code: int | None) -> str:
        lines = [line.strip() for line in (stream.folder / ENCODER_LOG).read_text(errors="replace").splitlines()
                 if line.strip() and "Last message repeated" not in line] if (stream.folder / ENCODER_LOG).is_file() else []
        tail = f": {lines[-1][:300]}" if lines else ""
        if isinstance(stream.source, PushRtmp | PushSrt):  # ffmpeg names the URL: keep the secret out
            secret = stream.source.key if isinstance(stream.source, PushRtmp) else stream.source.passphrase
            tail = tail.replace(secret, "***").replace(quote(secret, safe=""), "***")
        if isinstance(stream.source, PushRtmp | PushSrt) and code == 0:
            return "the broadcaster stopped sending" + tail
        feeder = stream.procs[0] if len(stream.procs) > 1 else None
        if feeder is not None and feeder.returncode is not None and (feeder.returncode != 0 or code is None):
            return f"the test pattern's clock exited with status {feeder.returncode}{tail}"
        return f"ffmpeg exited with status {code}{tail}"

    async def _kill(self, stream: _Stream) -> None:
        """Stop the run's processes: ffmpeg gets SIGINT (it closes its last segment), then
        SIGKILL after ``stop_grace_s``; the clock strip gets SIGTERM."""
        procs, stream.procs = stream.procs, []
        for proc in reversed(procs):  # ffmpeg first: it writes its last segment
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGINT if proc is procs[-1] else signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), self.stop_grace_s)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()

    def _collect(self, stream: _Stream) -> int:
        """Read ffmpeg's playlist when it changed: record and publish the new segments."""
        path = stream.folder / ENCODER_PLAYLIST
        try:
            info = path.stat()
        except FileNotFoundError:
            return 0
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp == stream.seen_stamp:
            return 0
        stream.seen_stamp = stamp
        try:
            seen = playlist.parse(path.read_text(encoding="utf-8"))
        except (OSError, PlaylistError, ValueError) as exc:
            log.warning("stream %s: unreadable %s: %s", stream.event_id, path, exc)
            return 0
        last = stream.recording[-1].sequence if stream.recording else -1
        new = [s for s in seen.segments if s.sequence > last]
        if not new:
            return 0
        push = isinstance(stream.source, PushRtmp | PushSrt)
        if push and stream.arrival is None:
            # ffmpeg dates a push from when its muxer starts, after probing the input
            # (about 1 s late, measured); date it from when it arrived instead: the
            # playlist listing these segments was written as the last of them ended
            stream.arrival = info.st_mtime_ns / 1e9 - sum(s.duration for s in new)
        with (stream.folder / RECORDING_NAME).open("a", encoding="utf-8") as journal:
            for seg in new:
                program = stream.arrival + stream.run_seconds if stream.arrival is not None else seg.program_time
                stream.run_seconds += seg.duration
                seg = Segment(seg.sequence, seg.uri, seg.duration, program, stream.new_run)
                stream.new_run = False
                stream.recording.append(seg)
                journal.write(json.dumps(seg.to_json()) + "\n")
        playlist.write(stream.folder / LIVE_NAME, playlist.live(stream.recording))
        return len(new)

    def _finish(self, stream: _Stream) -> None:
        if stream.recording:
            playlist.write(stream.folder / LIVE_NAME, playlist.live(stream.recording, ended=True))
            playlist.write(stream.folder / REPLAY_NAME, playlist.replay(stream.recording))
        stream.watch.end()


def _load_recording(path: Path) -> list[Segment]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(Segment.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                log.warning("%s: a broken line is skipped", path)
    return out


def _root() -> Path:
    """The folder holding the ``server`` package (for the clock strip's interpreter)."""
    return Path(__file__).resolve().parents[2]


__all__ = ["INTERRUPTED", "LIVE", "StreamStatus", "StreamSupervisor", "url_of"]
