"""Plain HTTP on the game port, through websockets' ``process_request`` hook.

Websocket upgrades are accepted on ``/ws`` only (any other path: 404). Routes:
``/healthz`` (JSON), ``/parks.json``, ``/scenes/<park>.glb`` (bytes held in
memory, ETag = SHA-256 of the content, immutable caching when ``?h=<hash>`` names the
current content), ``/metrics`` (Prometheus text), ``/web/...`` (the WebXR export
folder, when present). Nothing outside the served folders is reachable: encoded
slashes, dot segments, hidden names, backslashes, NULs and symlinks leading out of
the folder are all refused before the file system is touched.
"""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import hashlib
import http
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from server.parks import SceneFile

IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".glb": "model/gltf-binary",
    ".gltf": "model/gltf+json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".txt": "text/plain; charset=utf-8",
    ".ico": "image/x-icon",
}
MAX_WEB_FILE = 64 * 1024 * 1024
WEBSOCKET_PATH = "/ws"  # the one path that accepts a websocket upgrade


@dataclass(frozen=True, slots=True)
class Site:
    """What the HTTP side can see of the running server (callables: always current)."""

    health: Callable[[], dict[str, Any]]
    parks: Callable[[], list[dict[str, Any]]]
    metrics: Callable[[], str]
    scenes: dict[str, SceneFile]
    web_dir: Path | None


def response(status: int, body: bytes, content_type: str, **headers: str) -> Response:
    st = http.HTTPStatus(status)
    h = Headers([
        ("Date", email.utils.formatdate(usegmt=True)),
        ("Connection", "close"),
        ("Content-Length", str(len(body))),
        ("Content-Type", content_type),
        ("X-Content-Type-Options", "nosniff"),
    ])
    for key, value in headers.items():
        h[key.replace("_", "-")] = value
    return Response(st.value, st.phrase, h, body)


def text(status: int, message: str) -> Response:
    return response(status, (message + "\n").encode(), "text/plain; charset=utf-8", Cache_Control="no-store")


def as_json(data: Any) -> Response:
    return response(200, json.dumps(data, ensure_ascii=False).encode(), "application/json", Cache_Control="no-store")


def safe_file(root: Path, raw: str) -> Path | None:
    """The file ``raw`` (still percent-encoded, relative to ``root``) names, or None if unsafe."""
    lowered = raw.lower()
    if "\\" in raw or "\0" in raw or "%2f" in lowered or "%5c" in lowered or "%00" in lowered:
        return None
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if decoded == "" or decoded.endswith("/"):
        decoded += "index.html"
    parts = decoded.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") or "\0" in p for p in parts):
        return None
    root_real = os.path.realpath(root)
    real = os.path.realpath(os.path.join(root_real, *parts))
    if os.path.commonpath([root_real, real]) != root_real or real == root_real:
        return None
    if not os.path.isfile(real):
        return None
    return Path(real)


def _etag_match(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (f'"{etag}"', f'W/"{etag}"', "*") for tag in header.split(","))


# Text assets of the web export shrink 3-4x with gzip (app.js: 680 KiB -> 175 KiB).
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MAX_GZIP_CACHE = 256  # compressed files kept in memory (the export has a few dozen)


def _accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0"):
            return True
    return False


def _read_small(path: Path) -> bytes | None:
    if path.stat().st_size > MAX_WEB_FILE:
        return None
    return path.read_bytes()


class Routes:
    """The ``process_request`` hook: answers plain HTTP, lets websocket upgrades through."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._gzipped: dict[str, bytes] = {}  # content sha256 -> gzip bytes

    async def __call__(self, connection: ServerConnection, request: Request) -> Response | None:
        """GET answers; HEAD answers the same headers without the body; any other
        method gets 405 naming the allowed ones."""
        if request.method not in ("GET", "HEAD"):
            return response(405, f"method {request.method[:20]} is not allowed here: use GET or HEAD\n".encode(),
                            "text/plain; charset=utf-8", Allow="GET, HEAD", Cache_Control="no-store")
        answer = await self._get(request)
        if answer is not None and request.method == "HEAD":
            answer = Response(answer.status_code, answer.reason_phrase, answer.headers, b"")
        return answer

    async def _get(self, request: Request) -> Response | None:
        path, _, query = request.path.partition("?")
        if "upgrade" in request.headers.get("Connection", "").lower():
            if path == WEBSOCKET_PATH:
                return None
            return text(404, f"no websocket endpoint at {path[:200]}: the game websocket is {WEBSOCKET_PATH}")
        if path == "/healthz":
            return as_json(self.site.health())
        if path == "/parks.json":
            return as_json(self.site.parks())
        if path == "/metrics":
            return response(200, self.site.metrics().encode(), "text/plain; version=0.0.4; charset=utf-8",
                            Cache_Control="no-store")
        if path.startswith("/scenes/"):
            return self._scene(request, path[len("/scenes/"):], query)
        if path == "/web":
            return response(301, b"", "text/plain", Location="/web/")
        if path.startswith("/web/"):
            return await self._web(request, path[len("/web/"):])
        if path == WEBSOCKET_PATH:
            return response(426, f"{WEBSOCKET_PATH} is the game websocket: open it with a websocket client "
                            "(docs/protocol.md)\n".encode(), "text/plain; charset=utf-8", Upgrade="websocket",
                            Cache_Control="no-store")
        if path == "/":
            return text(200, f"Cloud Park server: the game websocket is {WEBSOCKET_PATH}; "
                        "see /healthz, /parks.json, /metrics, /web/")
        return text(404, f"not found: {path[:200]}")

    def _scene(self, request: Request, name: str, query: str) -> Response:
        park = name[:-4] if name.endswith(".glb") else None
        scene = self.site.scenes.get(park) if park else None
        if scene is None:  # only known park ids are served: no path is ever built from input
            return text(404, "no such scene")
        wanted = parse_qs(query).get("h", [""])[0]
        cache = IMMUTABLE if wanted == scene.sha256 else "no-cache"
        # scenes are public: the browser client on the web app's origin refetches a rebuilt one
        # (and reads the ETag, the scene hash, of the one it loaded first)
        cors = {"Access_Control_Allow_Origin": "*", "Access_Control_Expose_Headers": "ETag"}
        if _etag_match(request, scene.sha256):
            return response(304, b"", "model/gltf-binary", ETag=f'"{scene.sha256}"', Cache_Control=cache, **cors)
        return response(200, scene.data, "model/gltf-binary", ETag=f'"{scene.sha256}"', Cache_Control=cache,
                        **cors)

    async def _web(self, request: Request, raw: str) -> Response:
        root = self.site.web_dir
        if root is None or not root.is_dir():
            return text(404, "no WebXR client has been exported (cloudpark web export)")
        path = safe_file(root, raw)
        if path is None:
            return text(404, "not found")
        data = await asyncio.to_thread(_read_small, path)
        if data is None:
            return text(413, "file too large to serve")
        digest = hashlib.sha256(data).hexdigest()
        kind = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        if not (kind.startswith(COMPRESSIBLE) and _accepts_gzip(request)):
            if _etag_match(request, digest):
                return response(304, b"", kind, ETag=f'"{digest}"', Cache_Control="no-cache", Vary="Accept-Encoding")
            return response(200, data, kind, ETag=f'"{digest}"', Cache_Control="no-cache", Vary="Accept-Encoding")
        etag = f"{digest}-gzip"  # a distinct tag per representation
        if _etag_match(request, etag):
            return response(304, b"", kind, ETag=f'"{etag}"', Cache_Control="no-cache", Vary="Accept-Encoding")
        packed = self._gzipped.get(digest)
        if packed is None:
            packed = await asyncio.to_thread(gzip.compress, data, 6, mtime=0)
            if len(self._gzipped) >= MAX_GZIP_CACHE:
                self._gzipped.clear()
            self._gzipped[digest] = packed
        return response(200, packed, kind, ETag=f'"{etag}"', Cache_Control="no-cache",
                        Content_Encoding="gzip", Vary="Accept-Encoding")
