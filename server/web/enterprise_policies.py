"""The enterprise's policies and applications (``policy.apply``: its owners and admins).

- ``/console/enterprise/<org>/policies``: the policies the matcher found for it
  (eligible first, then possibly eligible), each with its amount and whether it is open;
- ``…/policies/<id>``: the verdict explained clause by clause, evaluated now against
  the stored profile (``world.policies.evaluate``), the amount with its arithmetic, and
  the application form with one file input per required material;
- ``…/applications`` and ``…/applications/<id>``: its applications (never another
  enterprise's: every query names the organization in the path, which the permission
  check ties to the person), their steps and files, withdrawing, and sending what the
  officers asked for;
- ``…/applications/<id>/files/<file>``: a file handed in, served only here (and to the
  reviewing officers in the government console).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from server.policies.applications import ApplyRefused
from server.web.enterprise_console import enterprise_or_404, org_id_of, org_of_path
from server.web.guard import Viewer, need, web_of
from server.web.policy_forms import parse_amount, read_files, refusal_text, service_of
from server.web.policy_verdicts import arithmetic, lines, zone_year
from server.web.render import render
from world.policies.applications import APPLICANT, steps_from
from world.policies.evaluate import Facts, evaluate
from world.policies.versions import is_open
from world.profiles import EnterpriseProfile

router = APIRouter(prefix="/console/enterprise", include_in_schema=False)
Applicant = Annotated[Viewer, Depends(need("policy.apply", org_of_path))]
Id = Annotated[int, Path(ge=1, le=2**53)]


def park_names(request: Request, lang: str) -> dict[str, str]:
    return {p.id: (p.name_zh if lang == "zh" else p.name_en) for p in web_of(request).catalogue}


def title_of(lang: str, zh: str, en: str) -> str:
    return en if lang != "zh" and en else zh


async def explained(request: Request, viewer: Viewer, org_id: int, policy: Any) -> dict[str, Any]:
    """The enterprise's verdict on the policy's current version, every clause in words."""
    web = web_of(request)
    profile = await web.store.profiles.get(org_id)
    if not isinstance(profile, EnterpriseProfile):
        profile = EnterpriseProfile(name_zh="")
    spec = policy.current.spec
    result = evaluate(spec.rule, spec.benefit, Facts(profile, await web.store.applications.awards(org_id),
                                                     zone_year(web.clock.now(), web.config.zone_timezone)))
    t = lambda key, **p: web.texts.translate(viewer.lang, key, **p)  # noqa: E731
    return {"verdict": result.verdict, "lines": lines(t, result, park_names(request, viewer.lang), spec.rule),
            "blockers": len(result.blockers),
            "amount": None if result.amount is None else result.amount.yuan,
            "steps": arithmetic(t, viewer.lang, result.amount)}


@router.get("/{org}/policies", response_class=HTMLResponse)
async def matched(request: Request, viewer: Applicant) -> Response:
    web = web_of(request)
    org = await enterprise_or_404(request, org_id_of(request))
    today = service_of(request).today()
    items = []
    for match, policy in await web.store.policies.matches_of(org.id):
        if policy.current is None or policy.state != "published":
            continue
        spec = policy.current.spec
        items.append({"match": match, "policy": policy, "title": title_of(viewer.lang, spec.title_zh, spec.title_en),
                      "open": is_open(spec, _date(today)), "apply_to": spec.apply_to,
                      "application": await web.store.applications.open_for(policy.id, org.id)})
    return render(request, viewer, "enterprise_policies.html", console="enterprise", org=org, tab="policies",
                  items=items)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


async def _policy_page(request: Request, viewer: Viewer, org: Any, policy_id: int, *, status: int = 200,
                       error: str = "", error_field: str = "", claimed: str = "") -> Response:
    web = web_of(request)
    policy = await web.store.policies.get(policy_id)
    if policy is None or policy.current is None or policy.state == "draft":
        raise HTTPException(404, f"policy: no policy {policy_id}")
    spec = policy.current.spec
    verdict = await explained(request, viewer, org.id, policy)
    today = _date(service_of(request).today())
    return render(request, viewer, "enterprise_policy.html", status=status, console="enterprise", org=org,
                  tab="policies", policy=policy, spec=spec, title=title_of(viewer.lang, spec.title_zh, spec.title_en),
                  v=verdict, open=is_open(spec, today) and policy.state == "published",
                  application=await web.store.applications.open_for(policy.id, org.id), error=error,
                  error_field=error_field, claimed=claimed or ("" if verdict["amount"] is None else
                                                              str(verdict["amount"])))


@router.get("/{org}/policies/{policy_id}", response_class=HTMLResponse)
async def policy_page(request: Request, viewer: Applicant, policy_id: Id) -> Response:
    return await _policy_page(request, viewer, await enterprise_or_404(request, org_id_of(request)), policy_id)


@router.post("/{org}/policies/{policy_id}/apply", response_class=HTMLResponse)
async def apply(request: Request, viewer: Applicant, policy_id: Id) -> Response:
    org = await enterprise_or_404(request, org_id_of(request))
    fields: dict[str, str] = {}
    try:
        fields, files = await read_files(request)
        claimed = parse_amount(fields.get("claimed"), "claimed")
        application = await service_of(request).apply(viewer.person.user_id, policy_id, org.id, claimed=claimed,
                                                      files=files)
    except ApplyRefused as why:
        return await _policy_page(request, viewer, org, policy_id, status=why.status,
                                  error=refusal_text(request, viewer.lang, why), error_field=why.field,
                                  claimed=fields.get("claimed", ""))
    return RedirectResponse(f"/console/enterprise/{org.id}/applications/{application.id}?done=submitted",
                            status_code=303)


@router.get("/{org}/applications", response_class=HTMLResponse)
async def applications(request: Request, viewer: Applicant) -> Response:
    web = web_of(request)
    org = await enterprise_or_404(request, org_id_of(request))
    before = request.query_params.get("before", "")
    page = await web.store.applications.of_org(org.id, before=int(before) if before.isascii() and before.isdigit() and len(before) < 16 else None, limit=20)
    return render(request, viewer, "enterprise_applications.html", console="enterprise", org=org,
                  tab="applications", items=page, next=page[-1].id if len(page) == 20 else None)


async def mine_or_404(request: Request, org_id: int, application_id: int) -> Any:
    application = await web_of(request).store.applications.get(application_id)
    if application is None or application.org_id != org_id:  # another enterprise's: as if it did not exist
        raise HTTPException(404, f"application: no application {application_id} of this enterprise")
    return application


async def application_view(request: Request, application: Any) -> dict[str, Any]:
    store = web_of(request).store
    terms = await store.applications.terms(application.policy_id, application.version)
    materials = {str(m.get("key")): m for m in (terms.materials if terms else ())}
    zone = ZoneInfo(web_of(request).config.zone_timezone)
    steps = [{"actor": s.actor, "to_state": s.to_state, "note": s.note,
              "when": dt.datetime.fromtimestamp(s.ts, zone).strftime("%Y-%m-%d %H:%M")}
             for s in await store.applications.steps(application.id)]
    return {"application": application, "steps": steps,
            "files": await store.applications.files(application.id), "materials": materials, "terms": terms}


async def _application_page(request: Request, viewer: Viewer, org: Any, application_id: int, *, status: int = 200,
                            error: str = "", error_field: str = "") -> Response:
    application = await mine_or_404(request, org.id, application_id)
    view = await application_view(request, application)
    return render(request, viewer, "enterprise_application.html", status=status, console="enterprise", org=org,
                  tab="applications", **view, moves=[s.name for s in steps_from(application.state, APPLICANT)],
                  error=error, error_field=error_field, done=request.query_params.get("done", ""),
                  title=title_of(viewer.lang, application.title_zh, application.title_en))


@router.get("/{org}/applications/{application_id}", response_class=HTMLResponse)
async def application_page(request: Request, viewer: Applicant, application_id: Id) -> Response:
    return await _application_page(request, viewer, await enterprise_or_404(request, org_id_of(request)),
                                   application_id)


@router.post("/{org}/applications/{application_id}/step", response_class=HTMLResponse)
async def take_step(request: Request, viewer: Applicant, application_id: Id) -> Response:
    org = await enterprise_or_404(request, org_id_of(request))
    await mine_or_404(request, org.id, application_id)
    try:
        fields, files = await read_files(request)
        step = fields.get("step", "")
        if step not in ("withdraw", "resubmit"):
            raise ApplyRefused("unknown_step", f"step: {step!r} is not a step the enterprise takes", field="step")
        await service_of(request).step(viewer.person.user_id, application_id, step, APPLICANT,
                                       note=fields.get("note", ""), files=files)
    except ApplyRefused as why:
        return await _application_page(request, viewer, org, application_id, status=why.status,
                                       error=refusal_text(request, viewer.lang, why), error_field=why.field)
    return RedirectResponse(f"/console/enterprise/{org.id}/applications/{application_id}?done={step}",
                            status_code=303)


def file_response(data: bytes, name: str, content_type: str) -> Response:
    return Response(data, media_type=content_type, headers={
        "content-disposition": f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}",
        "x-content-type-options": "nosniff", "cache-control": "private, no-store",
        "content-security-policy": "default-src 'none'; sandbox"})


async def serve_file(request: Request, application_id: int, file_id: int) -> Response:
    store = web_of(request).store
    found = next((f for f in await store.applications.files(application_id) if f.id == file_id), None)
    if found is None:
        raise HTTPException(404, f"file: no file {file_id} in application {application_id}")
    try:
        data = await service_of(request).uploads.read(found.upload_id)
    except KeyError:
        raise HTTPException(404, "file: the stored copy is missing or damaged") from None
    return file_response(data, found.name, found.content_type)


@router.get("/{org}/applications/{application_id}/files/{file_id}")
async def application_file(request: Request, viewer: Applicant, application_id: Id, file_id: Id) -> Response:
    await mine_or_404(request, org_id_of(request), application_id)
    return await serve_file(request, application_id, file_id)
