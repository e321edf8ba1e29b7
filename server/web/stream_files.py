"""The showcase streams' files, as a CDN can cache them: ``/streams/<event_id>/<name>``
serves ``DATA_DIR/streams/<event_id>/<name>`` (written by ``server.streams``).

Public read. Only names the packager writes are served (``live.m3u8``, ``replay.m3u8``,
``seg<digits>.ts``; ``.m4s``/``init.mp4`` for fragmented MP4), matched in full before a
path is built, so nothing else in the folder (the recording journal, the encoder's own
playlist and log) and nothing outside it is reachable. Playlists change every second:
``Cache-Control: no-cache``; a segment never changes once its name exists (ffmpeg
renames it into place when complete): ``public, max-age=31536000, immutable``. The
answers carry no cookie (``NoCookies``: a shared cache stores nothing that sets one)
and allow any origin (a browser client served by the world server's port plays them).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.web.guard import Viewer, public, web_of

router = APIRouter(include_in_schema=False)
PREFIX = "/streams/"
EVENT = re.compile(r"^[1-9][0-9]{0,11}$")
NAME = re.compile(r"^(?:(?:live|replay)\.m3u8|seg[0-9]{1,12}\.(?:ts|m4s)|init\.mp4)$")
TYPES = {"m3u8": "application/vnd.apple.mpegurl", "ts": "video/mp2t", "m4s": "video/iso.segment",
         "mp4": "video/mp4"}
PLAYLIST_CACHE = "no-cache"
SEGMENT_CACHE = "public, max-age=31536000, immutable"


class NoCookies:
    """ASGI middleware, outermost: an answer under ``/streams/`` leaves without
    ``Set-Cookie`` (the pre-session middleware gives every cookieless request one, and
    a CDN fetching from here never sends cookies), so shared caches store it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def without_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [(k, v) for k, v in message.get("headers", [])
                                                  if k.lower() != b"set-cookie"]}
            await send(message)

        await self.app(scope, receive, without_cookies)


@router.api_route("/streams/{event_id}/{name}", methods=["GET", "HEAD"])
async def stream_file(request: Request, viewer: Annotated[Viewer, Depends(public)], event_id: str,
                      name: str) -> Response:
    if not EVENT.match(event_id) or not NAME.match(name):
        raise HTTPException(404, "no such stream file")
    path = web_of(request).config.data_dir / "streams" / event_id / name
    if not path.is_file():
        raise HTTPException(404, "no such stream file (not live yet, or ended without a recording)")
    ext = name.rsplit(".", 1)[1]
    headers = {"Cache-Control": PLAYLIST_CACHE if ext == "m3u8" else SEGMENT_CACHE, "Access-Control-Allow-Origin": "*"}
    if ext == "m3u8":
        # A live playlist is replaced every second: read it whole, once, so its length and its
        # bytes agree (a file response stats, then opens by name, and a playlist replaced in
        # between broke the response: "Too much data for declared Content-Length").
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            raise HTTPException(404, "no such stream file (ended without a recording)") from None
        return Response(body if request.method != "HEAD" else b"", media_type=TYPES[ext],
                        headers={**headers, **({"Content-Length": str(len(body))} if request.method == "HEAD" else {})})
    return FileResponse(path, media_type=TYPES[ext], headers=headers)
