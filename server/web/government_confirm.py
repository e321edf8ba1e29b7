"""The government console's enterprises: an officer of a department finds an
enterprise (by credit code or name, as a park office does) and confirms the facts it
declared, the same way and through the same code as its park (``park_console.confirm_fact``:
``ProfileRepo.verify`` for the officer's department, audit-logged as
``department.confirm``, its policy matches redone). Every route asks ``org.confirm``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.web.guard import Viewer, need, web_of
from server.web.park_console import PRINTABLE, candidates, confirm_fact, facts_of
from server.web.render import render
from world.profiles import FACT_FIELDS, EnterpriseProfile

router = APIRouter(prefix="/console/government/enterprises", include_in_schema=False)
Officer = Annotated[Viewer, Depends(need("org.confirm"))]
OrgId = Annotated[int, Path(ge=1, le=2**62)]


def department_of(viewer: Viewer) -> int:
    """The department the officer confirms for (their first; 0 for a platform admin in none)."""
    return next((m.org_id for m in viewer.person.memberships if m.kind == "department" and m.role == "officer"), 0)


@router.get("", response_class=HTMLResponse)
async def find(request: Request, viewer: Officer,
               q: Annotated[str, Query(max_length=100, pattern=PRINTABLE)] = "") -> Response:
    found = await candidates(web_of(request), q) if q.strip() else None
    return render(request, viewer, "government_enterprises.html", console="government", q=q,
                  found=[f for f in found if f["kind"] == "enterprise"] if found is not None else None)


async def _page(request: Request, viewer: Viewer, org: int, *, status: int = 200, note: str = "",
                error: str = "") -> HTMLResponse:
    web = web_of(request)
    profile = await web.store.profiles.get(org)
    if not isinstance(profile, EnterpriseProfile):
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    return render(request, viewer, "government_enterprise.html", status=status, console="government", org=org,
                  profile=profile, facts=facts_of(web, viewer.lang, profile), note=note, error=error,
                  confirm_at=f"/console/government/enterprises/{org}/confirm")


@router.get("/{org}", response_class=HTMLResponse)
async def enterprise(request: Request, viewer: Officer, org: OrgId, note: Literal["confirmed"] | None = None) -> Response:
    t = web_of(request).texts.translate
    return await _page(request, viewer, org, note=t(viewer.lang, "tenants.note.confirmed") if note else "")


@router.post("/{org}/confirm", response_class=HTMLResponse)
async def confirm(request: Request, viewer: Officer, org: OrgId,
                  fact: Annotated[Literal[FACT_FIELDS], Form()],  # type: ignore[valid-type]
                  csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    profile = await web.store.profiles.get(org)
    if not isinstance(profile, EnterpriseProfile):
        return await _page(request, viewer, org)
    error = await confirm_fact(web, viewer, org, profile, fact, department_of(viewer), "department.confirm",
                               f"org:{org}")
    if error:
        return await _page(request, viewer, org, status=422, error=error)
    return RedirectResponse(f"/console/government/enterprises/{org}?note=confirmed", status_code=303)
