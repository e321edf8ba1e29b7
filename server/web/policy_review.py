"""The officers' review queue in the government console (``policy.review``).

An officer sees the applications for the policies their own department issued (park
staff: their park's park-level policies), never another department's: the queue asks
the database for the issuing organizations the person speaks for, and a single
application's page is checked against its policy's issuer (the finder gives ``can()``
the issuing organization). Steps (start the review, ask for more, approve with the
amount, reject with a note, mark disbursed) go through the service, which follows
``world.policies.applications``' table, audits each one and tells the enterprise.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from server.policies.applications import ApplyRefused
from server.web.enterprise_policies import application_view, serve_file, title_of
from server.web.guard import Viewer, need, web_of
from server.web.policy_forms import parse_amount, refusal_text, service_of
from server.web.render import render
from world.people import Person
from world.permissions import Resource
from world.policies.applications import REVIEWER, STATES, steps_from

router = APIRouter(prefix="/console/government", include_in_schema=False)
Id = Annotated[int, Path(ge=1, le=2**53)]
REVIEW_STEPS = ("start_review", "ask_more", "approve", "reject", "disburse")


def issuers_of(person: Person) -> list[int]:
    """The organizations the person reviews for: departments they are an officer of,
    parks they are staff of."""
    return sorted({m.org_id for m in person.memberships
                   if (m.kind == "department" and m.role == "officer") or (m.kind == "park" and m.role == "staff")})


async def application_issuer(request: Request, person: Person) -> Resource:
    """The issuing organization of the application in the path (404 when there is none)."""
    text = str(request.path_params.get("application_id", ""))
    application = await web_of(request).store.applications.get(int(text)) if text.isascii() and text.isdigit() and len(text) < 16 \
        else None
    if application is None:
        raise HTTPException(404, f"application: no application {text}")
    request.state.application = application
    return Resource(owner_org=application.issuer_org_id)


Reviewer = Annotated[Viewer, Depends(need("policy.review", application_issuer))]


@router.get("/applications", response_class=HTMLResponse)
async def queue(request: Request, viewer: Annotated[Viewer, Depends(need("policy.review"))]) -> Response:
    store = web_of(request).store
    state = request.query_params.get("state", "")
    state = state if state in STATES else ""
    before = request.query_params.get("before", "")
    issuers = issuers_of(viewer.person)
    items = await store.applications.queue(issuers, states=(state,) if state else (),
                                           before=int(before) if before.isascii() and before.isdigit() and len(before) < 16 else None, limit=20)
    return render(request, viewer, "policy_review_queue.html", console="government", items=items, state=state,
                  states=STATES, counts=await store.applications.counts(issuers),
                  next=items[-1].id if len(items) == 20 else None,
                  titles={a.id: title_of(viewer.lang, a.title_zh, a.title_en) for a in items})


async def _page(request: Request, viewer: Viewer, application: Any, *, status: int = 200, error: str = "",
                error_field: str = "") -> Response:
    view = await application_view(request, application)
    policy = await web_of(request).store.policies.get(application.policy_id)
    return render(request, viewer, "policy_review.html", status=status, console="government", **view,
                  moves=[s.name for s in steps_from(application.state, REVIEWER)], error=error,
                  error_field=error_field, done=request.query_params.get("done", ""), policy=policy,
                  title=title_of(viewer.lang, application.title_zh, application.title_en))


@router.get("/applications/{application_id}", response_class=HTMLResponse)
async def review_page(request: Request, viewer: Reviewer, application_id: Id) -> Response:
    return await _page(request, viewer, request.state.application)


@router.post("/applications/{application_id}/step", response_class=HTMLResponse)
async def review_step(request: Request, viewer: Reviewer, application_id: Id) -> Response:
    form = await request.form()
    step = str(form.get("step", ""))
    try:
        if step not in REVIEW_STEPS:
            raise ApplyRefused("unknown_step", f"step: {step!r} is not a reviewing step", field="step")
        amount = parse_amount(str(form.get("amount", "")), "amount")
        await service_of(request).step(viewer.person.user_id, application_id, step, REVIEWER,
                                       note=str(form.get("note", "")), amount=amount)
    except ApplyRefused as why:
        fresh = await web_of(request).store.applications.get(application_id)
        return await _page(request, viewer, fresh, status=why.status, error=refusal_text(request, viewer.lang, why),
                           error_field=why.field)
    return RedirectResponse(f"/console/government/applications/{application_id}?done={step}", status_code=303)


@router.get("/applications/{application_id}/files/{file_id}")
async def review_file(request: Request, viewer: Reviewer, application_id: Id, file_id: Id) -> Response:
    return await serve_file(request, application_id, file_id)
