"""What a showcase streams from, each checked before anything runs.

- ``TestPattern``: ffmpeg's moving ``testsrc2``, a tone, and the pixel clock.
- ``VideoFile``: a file on the server, looped or played once; probed with ffprobe first.
- ``PushRtmp`` / ``PushSrt``: a broadcasting tool (OBS, ffmpeg) pushes to a local ffmpeg
  that listens. ffmpeg's RTMP listener accepts any stream key, so RTMP listens on the
  loopback address unless told otherwise (reach it through a tunnel or a proxy); SRT
  carries its own encryption: the caller must know the passphrase.
- ``ExternalHls``: an HLS playlist served elsewhere; nothing is run, the URL is checked
  (http or https, and what it answers starts ``#EXTM3U``) and handed to the viewers.

A refusal is a ``StreamRefused`` with a code (the catalogue's ``stream.refused.<code>``),
the field it is about, its parameters and an English message.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

KINDS = ("test_pattern", "file", "rtmp", "srt", "hls")
KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
PASSPHRASE = re.compile(r"^[\x21-\x7e]{10,64}$")  # printable ASCII, no spaces: what libsrt takes
MAX_URL = 2048
MAX_PLAYLIST = 1024 * 1024
PROBE_TIMEOUT_S = 20.0
MIN_DURATION_S = 1.0
SRT_LATENCY_US = 200_000  # the receiver's buffer for retransmissions


class StreamRefused(ValueError):
    """Why a stream cannot start: ``code`` (``stream.refused.<code>``), the ``field`` it
    is about, ``params`` for the text, ``message`` in English (naming the field)."""

    def __init__(self, code: str, field: str, message: str, **params: Any) -> None:
        self.code, self.field, self.params = code, field, params
        self.message = f"{field}: {message}"
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class TestPattern:
    kind = "test_pattern"
    __test__ = False  # not a pytest class


@dataclass(frozen=True, slots=True)
class VideoFile:
    """A file ffprobe has read: it has a video stream (``has_audio`` when it has sound)."""

    path: Path
    loop: bool = True
    has_audio: bool = False
    duration_s: float = 0.0
    kind = "file"


@dataclass(frozen=True, slots=True)
class PushRtmp:
    port: int
    key: str
    host: str = "127.0.0.1"
    kind = "rtmp"

    @property
    def url(self) -> str:
        """Where the broadcasting tool publishes (server ``rtmp://HOST:PORT/live``, key ``KEY``)."""
        return f"rtmp://{_host(self.host)}:{self.port}/live/{self.key}"

    def listen_args(self) -> list[str]:
        return ["-listen", "1", "-i", self.url]


@dataclass(frozen=True, slots=True)
class PushSrt:
    port: int
    passphrase: str
    host: str = "127.0.0.1"
    kind = "srt"

    @property
    def url(self) -> str:
        """What the broadcasting tool calls (caller mode, the same passphrase)."""
        return f"srt://{_host(self.host)}:{self.port}?passphrase={quote(self.passphrase, safe='')}&pbkeylen=16"

    def listen_args(self) -> list[str]:
        listen = (f"srt://{_host(self.host)}:{self.port}?mode=listener&passphrase={quote(self.passphrase, safe='')}"
                  f"&pbkeylen=16&enforced_encryption=1&latency={SRT_LATENCY_US}")
        return ["-i", listen]


@dataclass(frozen=True, slots=True)
class ExternalHls:
    url: str
    kind = "hls"


Source = TestPattern | VideoFile | PushRtmp | PushSrt | ExternalHls
Fetch = Callable[[str], Awaitable[tuple[int, str, bytes]]]  # url -> (status, content type, first bytes)


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _address(value: Any) -> str:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError:
        raise StreamRefused("host", "host", f"must be an IP address to listen on (such as 127.0.0.1), got {value!r}",
                            value=str(value)) from None


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1024 <= value <= 65535:
        raise StreamRefused("port", "port", f"must be a whole number in 1024..65535, got {value!r}", value=str(value))
    return value


def check_port_free(host: str, port: int, udp: bool) -> None:
    """Refuse a port something else already listens on (ffmpeg would only fail later)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM) as probe:
        if not udp:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StreamRefused("port_busy", "port", f"{host}:{port} cannot be listened on ({exc.strerror})",
                                port=port) from None


def push_rtmp(port: Any, key: Any, host: Any = "127.0.0.1") -> PushRtmp:
    if not isinstance(key, str) or not KEY.match(key):
        raise StreamRefused("key", "key", "must be 8 to 64 letters, digits, '-' or '_'")
    return PushRtmp(_port(port), key, _address(host))


def push_srt(port: Any, passphrase: Any, host: Any = "127.0.0.1") -> PushSrt:
    if not isinstance(passphrase, str) or not PASSPHRASE.match(passphrase):
        raise StreamRefused("passphrase", "passphrase", "must be 10 to 64 printable ASCII characters without spaces")
    return PushSrt(_port(port), passphrase, _address(host))


async def probe_file(path: Any, *, loop: bool = True, root: Path | None = None,
                     ffprobe: str = "ffprobe") -> VideoFile:
    """A ``VideoFile`` for ``path`` once ffprobe has found a video stream in it; inside
    ``root`` when given (the folder organizers' files live in)."""
    if not isinstance(path, str | Path) or not str(path).strip():
        raise StreamRefused("file_missing", "file", "no file named")
    file = Path(path).expanduser()
    if root is not None:
        file = (root / file).resolve() if not file.is_absolute() else file.resolve()
        if not file.is_relative_to(root.resolve()):
            raise StreamRefused("file_outside", "file", f"{path} is outside the media folder {root}", name=str(path))
    if not file.exists():
        raise StreamRefused("file_missing", "file", f"{file} does not exist", name=str(path))
    if not file.is_file():
        raise StreamRefused("file_not_file", "file", f"{file} is not a file", name=str(path))
    try:
        with file.open("rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise StreamRefused("file_unreadable", "file", f"{file} cannot be read ({exc.strerror})", name=str(path)) from None
    proc = await asyncio.create_subprocess_exec(
        ffprobe, "-v", "error", "-show_entries",
        "format=format_name,duration:stream=codec_type,codec_name,width,height",
        "-of", "json", str(file), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), PROBE_TIMEOUT_S)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise StreamRefused("file_invalid", "file", f"ffprobe took over {PROBE_TIMEOUT_S:.0f} s on {file}",
                            name=str(path)) from None
    said = err.decode(errors="replace").strip().splitlines()
    if proc.returncode != 0:
        why = said[-1] if said else f"ffprobe exited with {proc.returncode}"
        raise StreamRefused("file_invalid", "file", f"{file} is not a video ffmpeg can read: {why}",
                            name=str(path), why=why)
    info = json.loads(out or b"{}")
    streams = info.get("streams", [])
    fmt = info.get("format", {})
    video = [s for s in streams if s.get("codec_type") == "video"]
    if not video:
        raise StreamRefused("file_no_video", "file", f"{file} has no video stream", name=str(path))
    if "_pipe" in str(fmt.get("format_name", "")) or str(fmt.get("format_name", "")).startswith("image2"):
        raise StreamRefused("file_still", "file", f"{file} is a still image, not a video", name=str(path))
    try:
        duration = float(fmt.get("duration", 0.0))
    except (TypeError, ValueError):
        duration = 0.0
    if duration < MIN_DURATION_S:
        raise StreamRefused("file_short", "file", f"{file} lasts {duration:.2f} s; a stream needs at least "
                            f"{MIN_DURATION_S:.0f} s", name=str(path), seconds=round(duration, 2))
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    return VideoFile(file, loop, has_audio, duration)


async def _fetch(url: str) -> tuple[int, str, bytes]:
    async with httpx.AsyncClient(timeout=5.0, follow_redirects=True) as client:
        async with client.stream("GET", url) as reply:
            body = b""
            async for chunk in reply.aiter_bytes():
                body += chunk
                if len(body) >= MAX_PLAYLIST:
                    break
            return reply.status_code, reply.headers.get("content-type", ""), body


async def external_hls(url: Any, *, fetch: Fetch | None = None) -> ExternalHls:
    """An ``ExternalHls`` for ``url`` once it answers with an HLS playlist."""
    if not isinstance(url, str) or not url.strip():
        raise StreamRefused("url", "url", "no URL given")
    url = url.strip()
    if len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise StreamRefused("url", "url", f"must be one line of at most {MAX_URL} characters without spaces")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise StreamRefused("url_scheme", "url", f"must start with http:// or https://, not {parts.scheme or url!r}",
                            scheme=parts.scheme)
    if not parts.hostname:
        raise StreamRefused("url", "url", "names no host")
    if parts.username or parts.password:
        raise StreamRefused("url", "url", "must not carry a user name or password (viewers would all see it)")
    try:
        status, _, body = await (fetch or _fetch)(url)
    except (httpx.HTTPError, OSError) as exc:
        raise StreamRefused("url_unreachable", "url", f"{url} could not be fetched ({type(exc).__name__}: {exc})",
                            url=url) from None
    if status != 200:
        raise StreamRefused("url_unreachable", "url", f"{url} answered HTTP {status}", url=url, status=status)
    if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"#EXTM3U"):
        raise StreamRefused("url_not_playlist", "url", f"{url} is not an HLS playlist (it does not start #EXTM3U)",
                            url=url)
    return ExternalHls(url)


async def prepare(spec: Mapping[str, Any], *, root: Path | None = None, ffprobe: str = "ffprobe",
                  fetch: Fetch | None = None) -> Source:
    """A checked ``Source`` from a form or API body: ``{"kind": "test_pattern"}``,
    ``{"kind": "file", "path": ..., "loop": true}``, ``{"kind": "rtmp", "port": ..., "key": ...}``,
    ``{"kind": "srt", "port": ..., "passphrase": ...}`` (both with an optional ``host``),
    ``{"kind": "hls", "url": ...}``."""
    kind = spec.get("kind")
    if kind == "test_pattern":
        return TestPattern()
    if kind == "file":
        loop = spec.get("loop", True)
        if not isinstance(loop, bool):
            raise StreamRefused("loop", "loop", f"must be true or false, got {loop!r}")
        return await probe_file(spec.get("path"), loop=loop, root=root, ffprobe=ffprobe)
    if kind == "rtmp":
        return push_rtmp(spec.get("port"), spec.get("key"), spec.get("host", "127.0.0.1"))
    if kind == "srt":
        return push_srt(spec.get("port"), spec.get("passphrase"), spec.get("host", "127.0.0.1"))
    if kind == "hls":
        return await external_hls(spec.get("url"), fetch=fetch)
    raise StreamRefused("kind", "kind", f"must be one of {', '.join(KINDS)}, got {kind!r}", value=str(kind))
