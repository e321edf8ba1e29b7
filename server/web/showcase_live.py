"""Going live from the organizer console: choose the source (ffmpeg's test pattern, a
video file uploaded here, a push from a broadcasting tool over RTMP or SRT, an external
HLS URL), start and stop the stream, end the event.

``POST /console/showcases/<id>/live`` takes the event live when it is not yet
(``ShowcaseService.start``: from 15 minutes before its start) and starts its stream on
the app's supervisor (``showcase_desk``); a source the supervisor refuses is shown
beside its field (``stream.refused.<code>``) and the event stays live: a stream can be
started again. ``/stop`` ends the stream (its replay is written), ``/end`` stops the
stream and ends the event. A push source's page shows where the broadcaster sends
(server and stream key for OBS, or the SRT URL with its passphrase) to the event's
managers only.

``/video`` stores an uploaded video in ``DATA_DIR/showcase-media`` under the SHA-256 of
its bytes (``server.uploads.LocalFolder``: written to a temporary name and renamed, the
same bytes kept once); ffprobe judges it (``server.streams.sources.probe_file``), not its
name, and a file that is no video is deleted again. ``/live.json`` is what the console's
live panel polls: the stream's state and reason, the people in the halls now, the
questions waiting.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.types import Scope

from server.showcases.service import ShowcaseRefused
from server.streams.sources import StreamRefused, probe_file
from server.uploads import LocalFolder
from server.web.guard import Viewer, need, viewer_of, web_of
from server.web.protect import Larger
from server.web.render import render
from server.web.showcase_console import Manager, Moderator
from server.web.showcase_desk import desk_of, showcases_of
from server.web.showcase_forms import by_field
from server.web.showcase_pages import EventId, event_resource
from server.web.showcase_panel import manage_page
from world.bookings.check import Problem

router = APIRouter(prefix="/console/showcases", include_in_schema=False)
VIDEO_PATH = r"/console/showcases/[0-9]+/video"
MAX_VIDEO = 200 * 1024 * 1024  # one uploaded video
CHUNK = 1024 * 1024
FORM_ROOM = 64 * 1024  # the multipart framing and the form's other fields
Uploader = Annotated[Viewer, Depends(need("showcase.manage", event_resource))]


def _stream_text(request: Request, viewer: Viewer, exc: StreamRefused) -> str:
    texts = web_of(request).texts
    key = f"stream.refused.{exc.code}"
    if viewer.lang == "en" or key not in texts.keys():
        return exc.message
    try:
        return texts.translate(viewer.lang, key, **exc.params)
    except (KeyError, IndexError):
        return exc.message


def _spec(form: Any) -> dict[str, Any]:
    """The source form as ``server.streams.sources.prepare`` reads it."""
    def text(name: str) -> str:
        value = form.get(name, "")
        return value.strip() if isinstance(value, str) else ""

    kind = text("kind")
    spec: dict[str, Any] = {"kind": kind}
    if kind == "file":
        spec.update(path=text("path"), loop=text("loop") in ("1", "on", "true"))
    elif kind in ("rtmp", "srt"):
        port = text("port")
        spec["port"] = int(port) if port.isdigit() and len(port) < 7 else port
        spec["host"] = text("host") or "127.0.0.1"
        if kind == "rtmp":
            spec["key"] = text("key") or secrets.token_urlsafe(18)
        else:
            spec["passphrase"] = text("passphrase") or secrets.token_urlsafe(18)
    elif kind == "hls":
        spec["url"] = text("url")
    return spec


@router.post("/{event_id}/live", response_class=HTMLResponse)
async def go_live(request: Request, viewer: Manager, event_id: EventId) -> Response:
    service = showcases_of(request)
    desk = desk_of(request)
    form = await request.form()
    spec = _spec(form)
    shown = dict(spec)  # the form again after a refusal (a key made here is kept: the managers see it anyway)
    row = await service.event(event_id)
    if row.state not in ("scheduled", "live"):
        problems = by_field(web_of(request).texts, viewer.lang, [
            Problem("state", "event", f"this event is {row.state}: it cannot go live")])
        return await manage_page(request, viewer, event_id, status=409, errors=problems, live_form=shown)
    try:
        source = await desk.supervisor.prepare(spec)
    except StreamRefused as exc:
        return await manage_page(request, viewer, event_id, status=422, live_form=shown,
                                 errors={f"source.{exc.field}": [_stream_text(request, viewer, exc)]})
    if row.state == "scheduled":
        try:
            await service.start(event_id)
        except ShowcaseRefused as exc:
            return await manage_page(request, viewer, event_id, status=409, live_form=shown,
                                     errors=by_field(web_of(request).texts, viewer.lang, list(exc.problems)))
    try:
        await desk.supervisor.start(event_id, source)
    except StreamRefused as exc:
        return await manage_page(request, viewer, event_id, status=409, live_form=shown,
                                 errors={f"source.{exc.field}": [_stream_text(request, viewer, exc)]})
    return RedirectResponse(f"/console/showcases/{event_id}?note=live", status_code=303)


@router.post("/{event_id}/stop", response_class=HTMLResponse)
async def stop(request: Request, viewer: Manager, event_id: EventId) -> Response:
    await desk_of(request).stop(event_id)
    return RedirectResponse(f"/console/showcases/{event_id}?note=stopped", status_code=303)


@router.post("/{event_id}/end", response_class=HTMLResponse)
async def end(request: Request, viewer: Manager, event_id: EventId) -> Response:
    await desk_of(request).stop(event_id)
    try:
        await showcases_of(request).end(event_id)
    except ShowcaseRefused as exc:
        return await manage_page(request, viewer, event_id, status=409,
                                 errors=by_field(web_of(request).texts, viewer.lang, list(exc.problems)))
    return RedirectResponse(f"/console/showcases/{event_id}?note=ended", status_code=303)


@router.post("/{event_id}/video", response_class=HTMLResponse)
async def upload_video(request: Request, viewer: Uploader, event_id: EventId) -> Response:
    form = await request.form()
    file = form.get("video")
    if not isinstance(file, StarletteUpload | UploadFile) or not file.filename:
        return await manage_page(request, viewer, event_id, status=422, live_form={"kind": "file"},
                                 errors={"source.file": [_stream_text(request, viewer, StreamRefused(
                                     "file_missing", "file", "choose a video file to upload", name="-"))]})
    digest = hashlib.sha256()
    chunks = []
    while chunk := await file.read(CHUNK):
        digest.update(chunk)
        chunks.append(chunk)
    key = digest.hexdigest()
    desk = desk_of(request)
    folder = LocalFolder(desk.media_dir)
    if not folder.has(key):
        folder.put(key, b"".join(chunks))
    path = folder.path(key)
    try:
        await probe_file(path, root=desk.media_dir, ffprobe=desk.supervisor.ffprobe)
    except StreamRefused as exc:
        path.unlink(missing_ok=True)
        name = file.filename[:120]  # the organizer's name for it, never the server's path
        params = {k: str(v).replace(str(path), name) for k, v in exc.params.items()} | {"name": name}
        exc = StreamRefused(exc.code, exc.field, exc.message.removeprefix(f"{exc.field}: ").replace(str(path), name),
                            **params)
        return await manage_page(request, viewer, event_id, status=422, live_form={"kind": "file"},
                                 errors={"source.file": [_stream_text(request, viewer, exc)]})
    return await manage_page(request, viewer, event_id, note="uploaded",
                             live_form={"kind": "file", "path": f"{key[:2]}/{key}", "loop": True,
                                        "name": file.filename[:120]})


@router.get("/{event_id}/live.json")
async def live_state(request: Request, viewer: Moderator, event_id: EventId) -> Response:
    web = web_of(request)
    row = await showcases_of(request).event(event_id)
    status = desk_of(request).status(event_id)
    visits = await web.store.showcases.attendance(event_id)
    here = sorted({v.user for v in visits if v.left is None})
    pending = [q for q in await web.store.showcases.questions(event_id) if q.state == "pending"]
    counts = await web.online.counts()
    return JSONResponse({"event": row.state, "stream": status.state, "reason": status.reason,
                         "viewers": len(here), "in_park": None if counts is None else counts.get(row.park_id, 0),
                         "questions": len(await web.store.showcases.questions(event_id)), "pending": len(pending)},
                        headers={"Cache-Control": "no-store"})


async def too_large(scope: Scope, limit: int) -> Response:
    """A video over the limit: the page says so (before anyone's rights are known)."""
    request = Request(scope)
    return render(request, await viewer_of(request), "showcase_too_large.html", status=413,
                  max_mib=f"{(limit - FORM_ROOM) / 2**20:g}", back=scope.get("path", "").removesuffix("/video"))


LARGER = (Larger(re.compile(VIDEO_PATH), MAX_VIDEO + FORM_ROOM, too_large),)
