"""The organizer console: the events one organizes (or, for park staff, every event on
their parks' stages), scheduling one, editing it, cancelling it, and the event's own
page with the stream controls (``showcase_live``), the live panel of questions and
polls and the attendance (``showcase_board``).

Who may: the list and the form ask ``showcase.schedule`` (the ``organizer`` role, park
staff; a park staff member's new event must be on their park: the form's park is the
resource); an event's page asks ``showcase.moderate`` (the organizer, the presenters,
the park's staff), and what changes the event asks ``showcase.manage`` (the organizer,
the park's staff). Every rule of an event is the showcase service's; its refusals are
shown beside their fields (``showcase_forms``) with nothing typed lost, and a taken
stage offers the nearest free starts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.db.showcases import EventRow
from server.showcases.service import ShowcaseRefused, ShowcaseService
from server.web.guard import Viewer, need, web_of
from server.web.parks import park_titles
from server.web.render import render
from server.web.showcase_desk import showcases_of
from server.web.showcase_forms import EventForm, by_field
from server.web.showcase_pages import EventId, card_of, event_resource
from server.web.showcase_panel import event_row, manage_page
from world.people import Person
from world.permissions import Resource

router = APIRouter(prefix="/console/showcases", include_in_schema=False)
PAST_DAYS = 60  # the console lists events that ended up to this long ago


async def form_park(request: Request, person: Person) -> Resource:
    """The park the submitted form names (a park's staff schedule on their own parks)."""
    form = await request.form()
    value = form.get("park_id", "")
    return Resource(park_id=value.strip() if isinstance(value, str) else "")


Organizer = Annotated[Viewer, Depends(need("showcase.schedule"))]
Scheduling = Annotated[Viewer, Depends(need("showcase.schedule", form_park))]
Moderator = Annotated[Viewer, Depends(need("showcase.moderate", event_resource))]
Manager = Annotated[Viewer, Depends(need("showcase.manage", event_resource))]


async def _events_of(service: ShowcaseService, person: Person) -> list[EventRow]:
    """The events this person runs: their own and presented ones, and every event of the
    parks they staff (newest first)."""
    seen = {r.id: r for r in await service.store.showcases.of_organizer(person.user_id)}
    now = service.clock.now()
    for park in sorted(person.parks):
        for r in await service.store.showcases.listed(since=now - PAST_DAYS * 86400, park_id=park,
                                                      states=("scheduled", "live", "ended", "cancelled"),
                                                      limit=200):
            seen.setdefault(r.id, r)
    return sorted(seen.values(), key=lambda r: (-r.start, -r.id))


async def _parks(request: Request, viewer: Viewer) -> list[tuple[str, str]]:
    """The parks the form offers: a park's staff their parks, an organizer every live park."""
    names = await park_titles(web_of(request), viewer.lang)
    ids = sorted(viewer.person.parks) if viewer.person.parks and viewer.person.role != "organizer" and \
        viewer.person.role != "admin" else [p.id for p in web_of(request).catalogue]
    return sorted(((i, names.get(i, i)) for i in ids), key=lambda p: p[1])


@router.get("", response_class=HTMLResponse)
async def listing(request: Request, viewer: Organizer) -> Response:
    service = showcases_of(request)
    web = web_of(request)
    names = await park_titles(web, viewer.lang)
    rows = await _events_of(service, viewer.person)
    cards = [await card_of(web, service.tz, r, viewer.lang, names) for r in rows]
    return render(request, viewer, "showcase_console.html", console="showcases", cards=cards)


def _form_page(request: Request, viewer: Viewer, form: EventForm, parks: list[tuple[str, str]], *,
               row: EventRow | None = None, status: int = 200, alternatives: list[datetime] | None = None
               ) -> Response:
    web = web_of(request)
    return render(request, viewer, "showcase_form.html", status=status, console="showcases", form=form, row=row,
                  parks=parks, errors=by_field(web.texts, viewer.lang, form.problems),
                  alternatives=alternatives or [])


@router.get("/new", response_class=HTMLResponse)
async def new(request: Request, viewer: Organizer, park: Annotated[str, Query(max_length=64)] = "") -> Response:
    parks = await _parks(request, viewer)
    form = EventForm(park_id=park or (parks[0][0] if parks else ""))
    return _form_page(request, viewer, form, parks)


def _alternatives(service: ShowcaseService, exc: ShowcaseRefused) -> list[datetime]:
    return [a.astimezone(service.tz) for a in exc.alternatives[:6]]


@router.post("/new", response_class=HTMLResponse)
async def schedule(request: Request, viewer: Scheduling) -> Response:
    service = showcases_of(request)
    form = EventForm.of(await request.form())
    draft = form.draft(service.tz)
    if draft is not None:
        try:
            row = await service.schedule(viewer.person, draft, premoderate=form.premoderate, words=form.word_list)
        except ShowcaseRefused as exc:
            form.problems = list(exc.problems)
            return _form_page(request, viewer, form, await _parks(request, viewer),
                              status=409 if exc.code == "taken" else 422, alternatives=_alternatives(service, exc))
        return RedirectResponse(f"/console/showcases/{row.id}?note=scheduled", status_code=303)
    return _form_page(request, viewer, form, await _parks(request, viewer), status=422)


@router.get("/{event_id}", response_class=HTMLResponse)
async def event(request: Request, viewer: Moderator, event_id: EventId,
                note: Annotated[str, Query(max_length=32, pattern=r"^[a-z_]*$")] = "") -> Response:
    return await manage_page(request, viewer, event_id, note=note)


@router.post("/{event_id}/edit", response_class=HTMLResponse)
async def edit(request: Request, viewer: Manager, event_id: EventId) -> Response:
    service = showcases_of(request)
    row = await event_row(request, event_id)
    form = EventForm.of(await request.form())
    form.park_id, form.stage_id = row.park_id, row.stage_id  # an event stays on its stage
    draft = form.draft(service.tz)
    alternatives: list[datetime] = []
    if draft is not None:
        try:
            await service.edit(viewer.person, event_id, draft, premoderate=form.premoderate, words=form.word_list)
        except ShowcaseRefused as exc:
            form.problems = list(exc.problems)
            alternatives = _alternatives(service, exc)
        else:
            return RedirectResponse(f"/console/showcases/{event_id}?note=saved", status_code=303)
    return _form_page(request, viewer, form, [(row.park_id, row.park_id)], row=row, status=422,
                      alternatives=alternatives)


@router.get("/{event_id}/edit", response_class=HTMLResponse)
async def edit_form(request: Request, viewer: Manager, event_id: EventId) -> Response:
    service = showcases_of(request)
    row = await event_row(request, event_id)
    names = await park_titles(web_of(request), viewer.lang)
    return _form_page(request, viewer, EventForm.of_event(row, service.tz),
                      [(row.park_id, names.get(row.park_id, row.park_id))], row=row)


@router.post("/{event_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, viewer: Manager, event_id: EventId,
                 reason: Annotated[str, Form(max_length=500)] = "",
                 csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    try:
        await showcases_of(request).cancel(viewer.person, event_id, reason)
    except ShowcaseRefused as exc:
        return await manage_page(request, viewer, event_id, status=409,
                                 errors=by_field(web_of(request).texts, viewer.lang, list(exc.problems)))
    return RedirectResponse(f"/console/showcases/{event_id}?note=cancelled", status_code=303)
