"""The organizer console's page of one event, drawn from everything the event has: the
facts, the stream (the app's ``showcase_desk``), the live panel (questions as moderators
see them, polls with their counts, the people in the halls now) and the forms; every
route of the console that answers with the page again (a refusal beside its field)
draws it through ``manage_page``."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from server.db.showcases import EventRow
from server.showcases.service import ShowcaseRefused, resource
from server.streams.sources import KINDS
from server.web.guard import Viewer, web_of
from server.web.parks import park_titles
from server.web.render import render
from server.web.showcase_desk import desk_of, showcases_of
from server.web.showcase_forms import EventForm
from server.web.showcase_pages import card_of, local, web_url
from world.permissions import can


async def board_context(request: Request, viewer: Viewer, row: EventRow) -> dict[str, Any]:
    service = showcases_of(request)
    questions = await service.questions(row.id, viewer.person.user_id, moderator=True)
    polls = await service.polls(row.id, viewer.person.user_id, moderator=True)
    visits = await service.store.showcases.attendance(row.id)
    counts = await web_of(request).online.counts()
    return {"questions": questions, "polls": polls, "viewers": len({v.user for v in visits if v.left is None}),
            "in_park": None if counts is None else counts.get(row.park_id, 0)}


async def event_row(request: Request, event_id: int) -> EventRow:
    try:
        return await showcases_of(request).event(event_id)
    except ShowcaseRefused:
        raise HTTPException(404, "no such event") from None


async def manage_page(request: Request, viewer: Viewer, event_id: int, *, status: int = 200,
                      errors: dict[str, list[str]] | None = None, note: str = "",
                      live_form: dict[str, Any] | None = None) -> Response:
    """The event's console page: the facts, the stream, the live panel, the edit form."""
    service = showcases_of(request)
    web = web_of(request)
    row = await event_row(request, event_id)
    names = await park_titles(web, viewer.lang)
    card = await card_of(web, service.tz, row, viewer.lang, names)
    manages = bool(can(viewer.person, "showcase.manage", resource(row)))
    stream = desk_of(request).status(event_id)
    board = await board_context(request, viewer, row)
    return render(request, viewer, "showcase_manage.html", status=status, console="showcases", row=row, card=card,
                  manages=manages, stream=stream, errors=errors or {}, note=note, kinds=KINDS,
                  live_form=live_form or {"kind": "test_pattern"}, web_url=web_url(web, row.park_id),
                  form=EventForm.of_event(row, service.tz), parks=[(row.park_id, card.park)],
                  ended_at=local(row.end, service.tz), **board)
