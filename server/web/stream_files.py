"""The showcase streams' files, as a CDN can cache them: ``/streams/<event_id>/<name>``
serves ``DATA_DIR/streams/<event_id>/<name>`` (written by ``server.streams``).

Public read. Only names the packager writes are served (``live.m3u8``, ``replay.m3u8``,
``seg<digits>.ts``; ``.m4s``/``init.mp4`` for fragmented MP4), matched in full before a
path is built, so nothing else in the folder (the recording journal, the encoder's own
playlist and log) and nothing outside it is reachable. Playlists change every second:
``Cache-Control: no-cache``; a segment never changes once its name exists (ffmpeg
renames it into place when complete): ``public, max-age=31536000, immutable``. The
answers carry no cookie (a shared cache stores nothing that carries one) and allow any
origin (a browser client served by the world server's port plays them too).
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException

from server.web.guard import Viewer, public, web_of

router = APIRouter(include_in_schema=False)
EVENT = re.compile(r"^[1-9][0-9]{0,11}$")
NAME = re.compile(r"^(?:(?:live|replay)\.m3u8|seg[0-9]{1,12}\.(?:ts|m4s)|init\.mp4)$")
TYPES = {"m3u8": "application/vnd.apple.mpegurl", "ts": "video/mp2t", "m4s": "video/iso.segment",
         "mp4": "video/mp4"}
PLAYLIST_CACHE = "no-cache"
SEGMENT_CACHE = "public, max-age=31536000, immutable"


class StreamFile(FileResponse):
    """A file answer the session middleware cannot put a cookie on: the same bytes for
    everyone, cacheable by anyone."""

    def set_cookie(self, *args: Any, **kwargs: Any) -> None:
        return None


@router.api_route("/streams/{event_id}/{name}", methods=["GET", "HEAD"])
async def stream_file(request: Request, viewer: Annotated[Viewer, Depends(public)], event_id: str,
                      name: str) -> Response:
    if not EVENT.match(event_id) or not NAME.match(name):
        raise HTTPException(404, "no such stream file")
    path = web_of(request).config.data_dir / "streams" / event_id / name
    if not path.is_file():
        raise HTTPException(404, "no such stream file (not live yet, or ended without a recording)")
    ext = name.rsplit(".", 1)[1]
    cache = PLAYLIST_CACHE if ext == "m3u8" else SEGMENT_CACHE
    return StreamFile(path, media_type=TYPES[ext],
                      headers={"Cache-Control": cache, "Access-Control-Allow-Origin": "*"})
