"""The JSON API of applying and reviewing (in the OpenAPI document).

Enterprise side (``policy.apply``, the organization in the path): its matched policies,
one verdict explained, applying (multipart: ``claimed`` and ``file.<material>`` fields),
its applications, one application with its steps and files, and a step (withdraw, or
resubmit with files). Reviewing side (``policy.review``): the queue of the issuing
organizations the person speaks for, and a step (start_review, ask_more, approve,
reject, disburse) on an application of their own department's policy. Refusals answer
``{detail: [{field, message, type}], message}`` (422 for a bad field, 409 for a step out
of turn or an open application already there, 404 for what does not exist)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from server.policies.applications import ApplyRefused
from server.web.enterprise_console import enterprise_or_404, org_id_of, org_of_path
from server.web.enterprise_policies import application_view, explained, mine_or_404
from server.web.guard import Viewer, need, web_of
from server.web.policy_forms import parse_amount, read_files, service_of
from server.web.policy_review import application_issuer, issuers_of
from world.policies.applications import APPLICANT, MAX_AMOUNT, MAX_NOTE, REVIEWER, STATES

router = APIRouter(prefix="/api", tags=["applications"])
Applicant = Annotated[Viewer, Depends(need("policy.apply", org_of_path))]
Reviewer = Annotated[Viewer, Depends(need("policy.review", application_issuer))]
Id = Annotated[int, Path(ge=1, le=2**53)]
ERRORS: dict[int | str, dict[str, Any]] = {404: {"description": "no such policy, enterprise or application"},
                                           409: {"description": "a step out of turn, or an open application exists"},
                                           422: {"description": "a field is wrong (named in detail)"}}


class MatchOut(BaseModel):
    policy_id: int
    title_zh: str
    title_en: str
    verdict: str
    amount: float | None


class Clause(BaseModel):
    state: str
    text: str


class VerdictOut(BaseModel):
    policy_id: int
    verdict: str
    clauses: list[Clause]
    amount: int | None
    arithmetic: list[str]


class StepOut(BaseModel):
    actor: str
    to_state: str
    note: str
    when: str


class FileOut(BaseModel):
    id: int
    material_key: str
    name: str
    content_type: str
    size: int
    url: str


class ApplicationOut(BaseModel):
    id: int
    policy_id: int
    version: int
    org_id: int
    org_name: str
    state: str
    title_zh: str
    title_en: str
    amount_claimed: float | None
    amount_approved: float | None
    note: str
    created: float
    updated: float


class ApplicationFull(ApplicationOut):
    steps: list[StepOut]
    files: list[FileOut]


class ReviewStep(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: Literal["start_review", "ask_more", "approve", "reject", "disburse"]
    note: str = Field(default="", max_length=MAX_NOTE)
    amount: int | None = Field(default=None, ge=0, le=MAX_AMOUNT, description="yuan approved (approve only)")


def refused(why: ApplyRefused) -> JSONResponse:
    return JSONResponse({"detail": [{"field": why.field or "body", "message": why.message, "type": why.code}],
                         "message": f"{why.field or 'body'}: {why.message}"}, status_code=why.status)


def _out(a: Any) -> ApplicationOut:
    return ApplicationOut(id=a.id, policy_id=a.policy_id, version=a.version, org_id=a.org_id, org_name=a.org_name,
                          state=a.state, title_zh=a.title_zh, title_en=a.title_en, amount_claimed=a.amount_claimed,
                          amount_approved=a.amount_approved, note=a.note, created=a.created, updated=a.updated)


async def _full(request: Request, a: Any, file_base: str) -> ApplicationFull:
    view = await application_view(request, a)
    return ApplicationFull(**_out(a).model_dump(), steps=[StepOut(**s) for s in view["steps"]],
                           files=[FileOut(id=f.id, material_key=f.material_key, name=f.name,
                                          content_type=f.content_type, size=f.size, url=f"{file_base}/{f.id}")
                                  for f in view["files"]])


@router.get("/enterprise/{org}/policies", response_model=list[MatchOut], summary="The enterprise's matched policies",
            responses=ERRORS)
async def matches(request: Request, viewer: Applicant, org: Annotated[str, Path(max_length=19)]) -> list[MatchOut]:
    store = web_of(request).store
    found = await enterprise_or_404(request, org_id_of(request))
    return [MatchOut(policy_id=p.id, title_zh=p.current.spec.title_zh, title_en=p.current.spec.title_en,
                     verdict=m.verdict, amount=m.amount)
            for m, p in await store.policies.matches_of(found.id) if p.current is not None]


@router.get("/enterprise/{org}/policies/{policy_id}/verdict", response_model=VerdictOut, responses=ERRORS,
            summary="The enterprise's verdict on a policy, a reason per clause, the amount's arithmetic")
async def verdict(request: Request, viewer: Applicant, org: Annotated[str, Path(max_length=19)],
                  policy_id: Id) -> VerdictOut:
    found = await enterprise_or_404(request, org_id_of(request))
    policy = await web_of(request).store.policies.get(policy_id)
    if policy is None or policy.current is None or policy.state == "draft":
        raise HTTPException(404, f"policy: no policy {policy_id}")
    v = await explained(request, viewer, found.id, policy)
    return VerdictOut(policy_id=policy_id, verdict=v["verdict"], amount=v["amount"], arithmetic=v["steps"],
                      clauses=[Clause(state=line.state, text=line.text) for line in v["lines"] if line.state])


@router.post("/enterprise/{org}/policies/{policy_id}/applications", response_model=ApplicationOut, status_code=201,
             responses=ERRORS, summary="Apply (multipart: claimed, file.<material> fields)")
async def apply(request: Request, viewer: Applicant, org: Annotated[str, Path(max_length=19)],
                policy_id: Id) -> Any:
    found = await enterprise_or_404(request, org_id_of(request))
    try:
        fields, files = await read_files(request)
        claimed = parse_amount(fields.get("claimed"), "claimed")
        a = await service_of(request).apply(viewer.person.user_id, policy_id, found.id, claimed=claimed, files=files)
    except ApplyRefused as why:
        return refused(why)
    return JSONResponse(_out(a).model_dump(), status_code=201)


@router.get("/enterprise/{org}/applications", response_model=list[ApplicationOut], responses=ERRORS,
            summary="The enterprise's applications, newest first")
async def applications(request: Request, viewer: Applicant, org: Annotated[str, Path(max_length=19)],
                       before: Annotated[int | None, Query(ge=1, le=2**53)] = None,
                       limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[ApplicationOut]:
    found = await enterprise_or_404(request, org_id_of(request))
    return [_out(a) for a in await web_of(request).store.applications.of_org(found.id, before=before, limit=limit)]


@router.get("/enterprise/{org}/applications/{application_id}", response_model=ApplicationFull, responses=ERRORS,
            summary="One of the enterprise's applications with its steps and files")
async def application(request: Request, viewer: Applicant, org: Annotated[str, Path(max_length=19)],
                      application_id: Id) -> ApplicationFull:
    org_id = org_id_of(request)
    a = await mine_or_404(request, org_id, application_id)
    return await _full(request, a, f"/console/enterprise/{org_id}/applications/{a.id}/files")


@router.post("/enterprise/{org}/applications/{application_id}/steps", response_model=ApplicationOut,
             responses=ERRORS, summary="Withdraw, or resubmit with files (multipart: step, note, file.<material>)")
async def applicant_step(request: Request, viewer: Applicant, org: Annotated[str, Path(max_length=19)],
                         application_id: Id) -> Any:
    await mine_or_404(request, org_id_of(request), application_id)
    try:
        fields, files = await read_files(request)
        step = fields.get("step", "")
        if step not in ("withdraw", "resubmit"):
            raise ApplyRefused("unknown_step", f"{step!r} is not a step the enterprise takes", field="step")
        a = await service_of(request).step(viewer.person.user_id, application_id, step, APPLICANT,
                                           note=fields.get("note", ""), files=files)
    except ApplyRefused as why:
        return refused(why)
    return _out(a)


@router.get("/review/applications", response_model=list[ApplicationOut], summary="The officer's review queue")
async def queue(request: Request, viewer: Annotated[Viewer, Depends(need("policy.review"))],
                state: Annotated[Literal[STATES] | None, Query()] = None,  # type: ignore[valid-type]
                before: Annotated[int | None, Query(ge=1, le=2**53)] = None,
                limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[ApplicationOut]:
    rows = await web_of(request).store.applications.queue(issuers_of(viewer.person), states=(state,) if state else (),
                                                          before=before, limit=limit)
    return [_out(a) for a in rows]


@router.get("/review/applications/{application_id}", response_model=ApplicationFull, responses=ERRORS,
            summary="An application for one of the officer's department's policies")
async def review_one(request: Request, viewer: Reviewer, application_id: Id) -> ApplicationFull:
    return await _full(request, request.state.application, f"/console/government/applications/{application_id}/files")


@router.post("/review/applications/{application_id}/steps", response_model=ApplicationOut, responses=ERRORS,
             summary="A reviewing step: start_review, ask_more (note), approve (amount), reject (note), disburse")
async def review_step(request: Request, viewer: Reviewer, application_id: Id,
                      body: Annotated[ReviewStep, Body()]) -> Any:
    try:
        a = await service_of(request).step(viewer.person.user_id, application_id, body.step, REVIEWER,
                                           note=body.note, amount=None if body.amount is None else float(body.amount))
    except ApplyRefused as why:
        return refused(why)
    return _out(a)
