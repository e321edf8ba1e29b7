"""The audience's part on an event's page, for people watching in the browser without
the 3D park: ask a question, upvote one (and take the vote back), vote in an open poll.
The board is the one the halls use (``ShowcaseService.ask``, ``upvote``, ``vote``): the
same limits (300 characters, 5 questions a minute, one vote per person, no vote after a
poll closed), the same keyword filter, the same hints to the halls. A refusal is shown
on the page in the viewer's language; what was typed stays in the box."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.showcases.service import ShowcaseRefused
from server.web.guard import Viewer, need, web_of
from server.web.showcase_desk import showcases_of
from server.web.showcase_forms import problem_text
from server.web.showcase_pages import EventId, event_page_of, event_resource
from world.bookings.check import Problem

router = APIRouter(include_in_schema=False)
Audience = Annotated[Viewer, Depends(need("showcase.ask", event_resource))]
RowId = Annotated[int, Path(ge=1, le=2**62)]
Csrf = Annotated[str, Form(max_length=128)]


async def _refused(request: Request, viewer: Viewer, event_id: int, exc: ShowcaseRefused, typed: str = "") -> Response:
    texts = web_of(request).texts
    return await event_page_of(request, viewer, event_id, status=409 if exc.code in ("state", "closed") else 422,
                               errors=[problem_text(texts, viewer.lang, p) for p in exc.problems], typed=typed)


@router.post("/events/{event_id}/ask", response_class=HTMLResponse)
async def ask(request: Request, viewer: Audience, event_id: EventId,
              text: Annotated[str, Form(max_length=2000)] = "", csrf: Csrf = "") -> Response:
    try:
        q = await showcases_of(request).ask(viewer.person, event_id, text)
    except ShowcaseRefused as exc:
        return await _refused(request, viewer, event_id, exc, typed=text)
    note = "asked_pending" if q.state == "pending" else "asked"
    return RedirectResponse(f"/events/{event_id}?note={note}#board", status_code=303)


@router.post("/events/{event_id}/questions/{question_id}/{verb}", response_class=HTMLResponse)
async def vote_question(request: Request, viewer: Audience, event_id: EventId, question_id: RowId,
                        verb: Annotated[Literal["upvote", "unvote"], Path()], csrf: Csrf = "") -> Response:
    service = showcases_of(request)
    q = await service.store.showcases.question(question_id)
    try:
        if q is None or q.event_id != event_id:
            raise ShowcaseRefused([_no_such("question", question_id)])
        await (service.upvote(viewer.person, question_id) if verb == "upvote"
               else service.unvote(viewer.person, question_id))
    except ShowcaseRefused as exc:
        return await _refused(request, viewer, event_id, exc)
    return RedirectResponse(f"/events/{event_id}#board", status_code=303)


@router.post("/events/{event_id}/polls/{poll_id}/vote", response_class=HTMLResponse)
async def vote_poll(request: Request, viewer: Audience, event_id: EventId, poll_id: RowId) -> Response:
    service = showcases_of(request)
    form = await request.form()
    picked = [int(v) for v in form.getlist("choice") if isinstance(v, str) and v.isdigit() and len(v) < 4]
    p = await service.store.showcases.poll(poll_id)
    try:
        if p is None or p.event_id != event_id:
            raise ShowcaseRefused([_no_such("poll", poll_id)])
        await service.vote(viewer.person, poll_id, picked)
    except ShowcaseRefused as exc:
        return await _refused(request, viewer, event_id, exc)
    return RedirectResponse(f"/events/{event_id}?note=voted#polls", status_code=303)


def _no_such(what: str, row_id: int) -> Problem:
    return Problem(f"unknown_{what}", what, f"this event has no {what} {row_id}")
