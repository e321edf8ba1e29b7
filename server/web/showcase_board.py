"""The organizer console's live panel and the attendance after the event.

Questions as moderators see them (``ShowcaseService.questions(moderator=True)``:
pending first, then by votes): approve, hide, mark answered (``showcase.moderate``:
the organizer, the presenters, the park's staff). Polls (``showcase.manage``): create
one (single or multiple choice, results live or hidden until closed), open it, close
it, and its counts (moderators always see them). Attendance (``showcase.manage``): the
service's summary (registered, came, minutes, peak, questions, poll results) and its
CSV file (``attendance_csv``: UTF-8 with a BOM, one row per person).

Muting the audience's park chat and the spotlight are the world server's stage
controls (``stage_chat``, ``spotlight`` on the game websocket, ``stage.control``): the
panel links to the park in 3D where the organizer uses them; the web app has no way to
send them. The reaction timeline is counted in the halls (per second, on the bus) and
not stored, so the attendance page does not show one.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.showcases.service import ShowcaseRefused
from server.web.guard import Viewer, need, web_of
from server.web.render import render
from server.web.showcase_desk import showcases_of
from server.web.showcase_forms import problem_text
from server.web.showcase_pages import EventId, event_resource, local
from server.web.showcase_panel import manage_page
from world.bookings.check import Problem

router = APIRouter(prefix="/console/showcases", include_in_schema=False)
Moderator = Annotated[Viewer, Depends(need("showcase.moderate", event_resource))]
Manager = Annotated[Viewer, Depends(need("showcase.manage", event_resource))]
RowId = Annotated[int, Path(ge=1, le=2**62)]
Csrf = Annotated[str, Form(max_length=128)]


async def _back(request: Request, viewer: Viewer, event_id: int, exc: ShowcaseRefused, anchor: str) -> Response:
    """The event's page again with the refusal in its panel (``qa.<field>``, ``poll.<field>``)."""
    texts = web_of(request).texts
    found: dict[str, list[str]] = {}
    for p in exc.problems:
        found.setdefault(f"{anchor}.{p.field}", []).append(problem_text(texts, viewer.lang, p))
    return await manage_page(request, viewer, event_id, status=409 if exc.code in ("state", "closed") else 422,
                             errors=found)


@router.post("/{event_id}/questions/{question_id}/{verb}", response_class=HTMLResponse)
async def moderate(request: Request, viewer: Moderator, event_id: EventId, question_id: RowId,
                   verb: Annotated[Literal["approve", "hide", "answer"], Path()], csrf: Csrf = "") -> Response:
    service = showcases_of(request)
    question = await service.store.showcases.question(question_id)
    if question is None or question.event_id != event_id:
        return await _back(request, viewer, event_id, ShowcaseRefused([_problem(
            "unknown_question", "question", f"event {event_id} has no question {question_id}")]), "qa")
    try:
        await service.moderate(viewer.person, question_id, verb)
    except ShowcaseRefused as exc:
        return await _back(request, viewer, event_id, exc, "qa")
    return RedirectResponse(f"/console/showcases/{event_id}?note=q_{verb}#qa", status_code=303)


def _problem(code: str, field: str, message: str) -> Problem:
    return Problem(code, field, message)


@router.post("/{event_id}/polls", response_class=HTMLResponse)
async def create_poll(request: Request, viewer: Manager, event_id: EventId,
                      question: Annotated[str, Form(max_length=1000)] = "",
                      options: Annotated[str, Form(max_length=4000)] = "",
                      kind: Annotated[str, Form(max_length=16)] = "single",
                      results: Annotated[str, Form(max_length=16)] = "live",
                      max_choices: Annotated[str, Form(max_length=4)] = "",
                      csrf: Csrf = "") -> Response:
    lines = [o.strip() for o in options.splitlines() if o.strip()]
    most = int(max_choices) if max_choices.isdigit() else None
    try:
        await showcases_of(request).create_poll(viewer.person, event_id, question, lines, kind=kind,
                                                results=results, max_choices=most)
    except ShowcaseRefused as exc:
        return await _back(request, viewer, event_id, exc, "poll")
    return RedirectResponse(f"/console/showcases/{event_id}?note=poll_made#polls", status_code=303)


@router.post("/{event_id}/polls/{poll_id}/{verb}", response_class=HTMLResponse)
async def poll_step(request: Request, viewer: Manager, event_id: EventId, poll_id: RowId,
                    verb: Annotated[Literal["open", "close"], Path()], csrf: Csrf = "") -> Response:
    service = showcases_of(request)
    poll = await service.store.showcases.poll(poll_id)
    if poll is None or poll.event_id != event_id:
        return await _back(request, viewer, event_id, ShowcaseRefused([_problem(
            "unknown_poll", "poll", f"event {event_id} has no poll {poll_id}")]), "poll")
    try:
        await (service.open_poll(poll_id) if verb == "open" else service.close_poll(poll_id))
    except ShowcaseRefused as exc:
        return await _back(request, viewer, event_id, exc, "poll")
    return RedirectResponse(f"/console/showcases/{event_id}?note=poll_{verb}#polls", status_code=303)


@router.get("/{event_id}/attendance", response_class=HTMLResponse)
async def attendance(request: Request, viewer: Manager, event_id: EventId) -> Response:
    service = showcases_of(request)
    row = await service.event(event_id)
    summary = await service.summary(event_id)
    return render(request, viewer, "showcase_attendance.html", console="showcases", row=row, s=summary,
                  title=row.event.title(viewer.lang),
                  peak_at=None if summary.peak_at is None else local(summary.peak_at, service.tz))


@router.get("/{event_id}/attendance.csv")
async def attendance_csv(request: Request, viewer: Manager, event_id: EventId) -> Response:
    service = showcases_of(request)
    data = await service.attendance_csv(event_id)
    web = web_of(request)
    await web.store.audit.add(viewer.person.user_id, "showcase.export", f"showcase:{event_id}", {},
                              now=web.clock.now())
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="attendance-{event_id}.csv"'})
