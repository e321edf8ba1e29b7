"""The web app's showcase desk: the one ``ShowcaseService`` of the app and the stream
supervisor it owns.

The web app process serves ``/streams/<event>/`` (``server.web.stream_files``), so it
runs the encoders too: ``StreamDesk`` holds one ``server.streams.StreamSupervisor``
(one ffmpeg per live event, files in ``DATA_DIR/streams``), made on first use and
closed with the app (``close``: every stream stopped, its replay written). Each state
change the supervisor reports lands where the showcase's model keeps it
(``ShowcaseService.set_stream``: the event's ``stream_state``, the external URL for an
HLS source), which publishes ``stage.changed {park, event}``: the world server pushes
the ``stage`` message to the park's visitors. The desk also listens for
``stage.changed`` itself: when an event ends or is cancelled elsewhere (the world
server's ``showcase.end`` job), its encoder here stops.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request

from server.showcases.service import STAGE_CHANGED, ShowcaseRefused, ShowcaseService
from server.streams.supervisor import StreamStatus, StreamSupervisor
from server.web.booking_api import bookings_of
from server.web.guard import web_of
from server.web.services import Web

log = logging.getLogger("cloudpark.web.showcases")
MEDIA = "showcase-media"  # DATA_DIR/showcase-media: the organizers' uploaded videos


def showcases_of(request: Request | Any) -> ShowcaseService:
    """The app's showcase service, made on first use (on the app's booking service);
    ``request``: a request, or anything with the ``app``."""
    service = getattr(request.app.state, "showcases", None)
    if not isinstance(service, ShowcaseService):
        web = web_of(request)
        service = ShowcaseService(web.store, web.clock, ZoneInfo(web.config.zone_timezone), bookings_of(request),
                                  bus=web.bus)
        request.app.state.showcases = service
    return service


class StreamDesk:
    def __init__(self, web: Web, service: ShowcaseService, **supervisor: Any) -> None:
        self.web = web
        self.service = service
        self.supervisor = StreamSupervisor(web.config.data_dir / "streams", on_change=self._changed,
                                           media_dir=self.media_dir, **supervisor)
        self._stopping: set[int] = set()
        self._sub = web.bus.subscribe(STAGE_CHANGED, self._stage_changed)

    @property
    def media_dir(self) -> Path:
        return self.web.config.data_dir / MEDIA

    def status(self, event_id: int) -> StreamStatus:
        """The stream as the supervisor sees it (idle when this process never ran it and
        there is no replay)."""
        return self.supervisor.status(event_id)

    async def _changed(self, status: StreamStatus) -> None:
        try:
            await self.service.set_stream(status.event_id, status.state,
                                          url=status.url if status.source == "hls" else None)
        except ShowcaseRefused as exc:
            log.warning("stream %s: state %s not recorded: %s", status.event_id, status.state, exc)

    async def _stage_changed(self, subject: str, hint: dict[str, Any]) -> None:
        try:
            event_id = int(hint["event"])
        except (KeyError, TypeError, ValueError):
            return
        if event_id not in self.supervisor.running() or event_id in self._stopping:
            return
        row = await self.web.store.showcases.get(event_id)
        if row is None or row.state in ("ended", "cancelled"):
            await self.stop(event_id)

    async def stop(self, event_id: int) -> StreamStatus:
        """Stop the event's stream. A recording left by this process before a restart
        gets its replay from the supervisor without a state change to report: the
        event's stream state is set here then, so the stage offers the replay."""
        self._stopping.add(event_id)
        try:
            status = await self.supervisor.stop(event_id)
        finally:
            self._stopping.discard(event_id)
        row = await self.web.store.showcases.get(event_id)
        if row is not None and status.state == "ended" and row.stream_state != "ended":
            await self._changed(status)
        return status

    async def close(self) -> None:
        self._sub.cancel()
        await self.supervisor.close()


def desk_of(request: Request) -> StreamDesk:
    desk = getattr(request.app.state, "stream_desk", None)
    if not isinstance(desk, StreamDesk):
        desk = StreamDesk(web_of(request), showcases_of(request))
        request.app.state.stream_desk = desk
    return desk


async def reconcile(app: FastAPI) -> list[int]:
    """At the app's start: a live event whose stream this process ran before a restart
    has no encoder now; its stream is ``interrupted`` (viewers and the organizer see it,
    the organizer goes live again). An external HLS stream needs nothing here. The ids
    marked."""
    service = showcases_of(SimpleNamespace(app=app))
    marked = []
    for row in await service.store.showcases.listed(since=service.clock.now(), states=("live",), limit=1000):
        if not row.stream_url and row.stream_state == "live":
            await service.set_stream(row.id, "interrupted")
            marked.append(row.id)
    if marked:
        log.warning("streams of live events %s have no encoder since the restart: interrupted", marked)
    return marked


async def close(app: FastAPI) -> None:
    """At the app's shutdown: every stream stopped (the replays written)."""
    desk = getattr(app.state, "stream_desk", None)
    if isinstance(desk, StreamDesk):
        await desk.close()
