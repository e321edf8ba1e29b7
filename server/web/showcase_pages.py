"""Showcase events for everyone: the list (``/events``, one park's with ``?park=``), an
event's page (title and description in the viewer's language, park, stage, time in the
zone's local time, seats left or the waitlist, the live badge), registering and
cancelling a registration (quota and waitlist: ``ShowcaseService.register``), the
calendar file, the way into the park in 3D and the stream in the page: the live
playlist while the event is on, the replay once it ended (hls.js, served from
``/vendor/hls.min.js``; Safari plays HLS itself).

``event_cards`` is what the portal, a park's list and the employee console show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from server.db.showcases import EventRow, RegistrationRow
from server.showcases.service import ShowcaseRefused, resource
from server.web.guard import Viewer, need, public, web_of
from server.web.parks import park_titles
from server.web.render import render
from server.web.services import Web
from server.web.showcase_desk import showcases_of
from server.web.showcase_forms import problem_text
from world.people import Person
from world.permissions import Resource, can

router = APIRouter(include_in_schema=False)
EventId = Annotated[int, Path(ge=1, le=2**62)]
ParkQuery = Annotated[str, Query(pattern=r"^([a-z0-9][a-z0-9-]{0,63})?$")]
Public = Annotated[Viewer, Depends(public)]
REPLAY_DAYS = 30  # the list offers the replays of events that ended this long ago
NOTES = ("registered", "waitlisted", "unregistered", "asked", "asked_pending", "voted")


async def event_resource(request: Request, person: Person) -> Resource:
    """The permission resource of the event in the path (its park; organizer, presenters)."""
    try:
        row = await showcases_of(request).event(int(request.path_params.get("event_id", 0)))
    except (ShowcaseRefused, ValueError):
        raise HTTPException(404, "no such event") from None
    return resource(row)


@dataclass(frozen=True, slots=True)
class EventCard:
    """An event as a list shows it, in one viewer's language and the zone's time."""

    row: EventRow
    title: str
    park: str
    start: datetime
    end: datetime
    seats_left: int
    waitlisted: int
    live: bool
    streaming: str  # the stream's state: idle, live, interrupted, ended

    @property
    def href(self) -> str:
        return f"/events/{self.row.id}"


def local(moment: float, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(moment, UTC).astimezone(tz)


def title_in(row: EventRow, lang: str) -> str:
    return row.event.title(lang)


async def card_of(web: Web, tz: tzinfo, row: EventRow, lang: str, names: dict[str, str]) -> EventCard:
    counts = await web.store.showcases.counts(row.id)
    return EventCard(row, title_in(row, lang), names.get(row.park_id, row.park_id), local(row.start, tz),
                     local(row.end, tz), max(row.seats - row.confirmed, 0), counts.get("waitlisted", 0),
                     row.state == "live", row.stream_state)


async def event_cards(request: Request, lang: str, *, park_id: str | None = None, limit: int = 20
                      ) -> list[EventCard]:
    """Live and upcoming events (the next 60 days), live first, then by start."""
    service = showcases_of(request)
    web = web_of(request)
    rows = await service.upcoming(park_id=park_id or None, limit=limit)
    names = await park_titles(web, lang)
    cards = [await card_of(web, service.tz, r, lang, names) for r in rows]
    return sorted(cards, key=lambda c: (not c.live, c.row.start, c.row.id))


@dataclass(frozen=True, slots=True)
class MyEvents:
    mine: list[EventCard]  # the events this person registered for (confirmed or waiting), not over
    coming: list[EventCard]  # the others coming up


async def my_event_cards(request: Request, viewer: Viewer, *, limit: int = 5) -> MyEvents:
    """The employee console's events: mine first, then the next others."""
    service = showcases_of(request)
    web = web_of(request)
    names = await park_titles(web, viewer.lang)
    now = service.clock.now()
    mine = []
    for reg in await web.store.showcases.registrations_of(viewer.person.user_id):
        if reg.state == "cancelled":
            continue
        row = await web.store.showcases.get(reg.event_id)
        if row is not None and row.state in ("scheduled", "live") and row.end > now:
            mine.append(await card_of(web, service.tz, row, viewer.lang, names))
    mine.sort(key=lambda c: (not c.live, c.row.start))
    taken = {c.row.id for c in mine}
    coming = [c for c in await event_cards(request, viewer.lang, limit=limit + len(taken)) if c.row.id not in taken]
    return MyEvents(mine, coming[:limit])


def web_url(web: Web, park_id: str) -> str:
    return f"/web/{park_id}/?server={quote(web.config.game_url, safe='')}"


async def replay_cards(request: Request, lang: str, *, park_id: str | None = None, days: int = REPLAY_DAYS,
                       limit: int = 20) -> list[EventCard]:
    """Events that ended within ``days`` and left a replay, the latest first."""
    service = showcases_of(request)
    web = web_of(request)
    names = await park_titles(web, lang)
    rows = await web.store.showcases.listed(since=service.clock.now() - days * 86400, park_id=park_id or None,
                                            states=("ended",), limit=500)
    shown = [r for r in rows if r.stream_state == "ended"
             and (web.config.data_dir / "streams" / str(r.id) / "replay.m3u8").is_file()]
    return [await card_of(web, service.tz, r, lang, names) for r in sorted(shown, key=lambda r: -r.end)[:limit]]


@router.get("/events", response_class=HTMLResponse)
async def events(request: Request, viewer: Public, park: ParkQuery = "") -> Response:
    names = await park_titles(web_of(request), viewer.lang)
    return render(request, viewer, "showcase_list.html", cards=await event_cards(request, viewer.lang, park_id=park,
                                                                                 limit=100),
                  replays=await replay_cards(request, viewer.lang, park_id=park), park=park,
                  park_name=names.get(park, park))


async def event_page_of(request: Request, viewer: Viewer, event_id: int, *, status: int = 200,
                        errors: list[str] | None = None, note: str = "", typed: str = "") -> Response:
    """The event's page (again, with ``errors`` after a refusal and ``typed`` back in the question box)."""
    service = showcases_of(request)
    web = web_of(request)
    try:
        row = await service.event(event_id)
    except ShowcaseRefused:
        raise HTTPException(404, "no such event") from None
    names = await park_titles(web, viewer.lang)
    card = await card_of(web, service.tz, row, viewer.lang, names)
    mine: RegistrationRow | None = None
    if viewer.signed_in:
        mine = await service.registration(viewer.person.user_id, event_id)
    presenters = []
    for user in row.presenters:
        account = await web.store.accounts.get(user)
        presenters.append(account.name if account is not None else user)
    stream = ""
    if row.stream_url and row.state in ("live", "ended"):
        stream = row.stream_url
    elif row.state == "live" and row.stream_state in ("live", "interrupted"):
        stream = f"/streams/{row.id}/live.m3u8"
    elif row.stream_state == "ended" and (web.config.data_dir / "streams" / str(row.id) / "replay.m3u8").is_file():
        stream = f"/streams/{row.id}/replay.m3u8"
    manage = bool(await _may(viewer.person, "showcase.manage", row))
    user = viewer.person.user_id if viewer.signed_in else ""
    board = await service.questions(row.id, user) if row.state != "cancelled" else []
    polls = await service.polls(row.id, user) if row.state != "cancelled" else []
    return render(request, viewer, "showcase_event.html", status=status, card=card, row=row, mine=mine,
                  presenters=presenters, description=row.event.description(viewer.lang), stream=stream,
                  replay=stream.endswith("replay.m3u8"), web_url=web_url(web, row.park_id), errors=errors or [],
                  note=note if note in NOTES else "", manage=manage, board=board, polls=polls, typed=typed)


async def _may(person: Person, action: str, row: EventRow) -> bool:
    return bool(can(person, action, resource(row)))


@router.get("/events/{event_id}.ics")
async def calendar_file(request: Request, viewer: Public, event_id: EventId) -> Response:
    """The event as a calendar file for this viewer's registration (confirmed, tentative
    while waitlisted or unregistered, cancelled)."""
    try:
        data = await showcases_of(request).ics(viewer.person, event_id, viewer.lang)
    except ShowcaseRefused:
        raise HTTPException(404, "no such event") from None
    return Response(data, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="event-{event_id}.ics"',
                             "Cache-Control": "private, no-cache"})


@router.get("/events/{event_id}", response_class=HTMLResponse)
async def event_page(request: Request, viewer: Public, event_id: EventId,
                     note: Annotated[str, Query(max_length=20)] = "") -> Response:
    return await event_page_of(request, viewer, event_id, note=note)


Registrant = Annotated[Viewer, Depends(need("showcase.register", event_resource))]


@router.post("/events/{event_id}/register", response_class=HTMLResponse)
async def register(request: Request, viewer: Registrant, event_id: EventId,
                   csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    try:
        row = await showcases_of(request).register(viewer.person, event_id)
    except ShowcaseRefused as exc:
        texts = web_of(request).texts
        return await event_page_of(request, viewer, event_id, status=409 if exc.code == "state" else 422,
                                 errors=[problem_text(texts, viewer.lang, p) for p in exc.problems])
    return RedirectResponse(f"/events/{event_id}?note={'registered' if row.state == 'confirmed' else 'waitlisted'}",
                            status_code=303)


@router.post("/events/{event_id}/unregister", response_class=HTMLResponse)
async def unregister(request: Request, viewer: Registrant, event_id: EventId,
                     csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    try:
        await showcases_of(request).unregister(viewer.person, event_id)
    except ShowcaseRefused as exc:
        texts = web_of(request).texts
        return await event_page_of(request, viewer, event_id, status=409,
                                 errors=[problem_text(texts, viewer.lang, p) for p in exc.problems])
    return RedirectResponse(f"/events/{event_id}?note=unregistered", status_code=303)
