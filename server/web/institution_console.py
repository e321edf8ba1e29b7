"""The institution console: ``/console/institution`` shows each service institution the
person works for (their role, its services and park, its people), and its owners and
admins edit its profile at ``/console/institution/<org>/profile``: the enterprise
console's profile page and form (``enterprise_console.show_profile`` /
``save_profile_of``), which show an institution its own fields. Its people are
appointed by the platform admin (``admin_orgs``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from server.web.enterprise_console import org_of_path, park_title, save_profile_of, show_profile
from server.web.guard import Viewer, need, web_of
from server.web.render import render
from world.people import ENTERPRISE_MANAGERS
from world.profiles import InstitutionProfile

router = APIRouter(prefix="/console/institution", include_in_schema=False)
Manager = Annotated[Viewer, Depends(need("org.profile", org_of_path))]


async def institution_or_404(request: Request, org_id: int) -> Any:
    org = await web_of(request).store.orgs.get(org_id)
    if org is None or org.kind != "institution":
        raise HTTPException(404, f"org: no institution {org_id}")
    return org


@router.get("", response_class=HTMLResponse)
async def home(request: Request, viewer: Annotated[Viewer, Depends(need("console.institution"))]) -> Response:
    web = web_of(request)
    mine = []
    for m in viewer.person.memberships:
        if m.kind != "institution":
            continue
        profile = await web.store.profiles.get(m.org_id)
        mine.append({"membership": m, "people": await web.store.orgs.members(m.org_id),
                     "profile": profile if isinstance(profile, InstitutionProfile) else None,
                     "park": park_title(request, viewer.lang, profile.park_id) if profile and profile.park_id else "",
                     "manages": m.role in ENTERPRISE_MANAGERS})
    return render(request, viewer, "institution_home.html", console="institution", institutions=mine)


@router.get("/{org}/profile", response_class=HTMLResponse)
async def profile_page(request: Request, viewer: Manager, org: int) -> Response:
    return await show_profile(request, viewer, await institution_or_404(request, org))


@router.post("/{org}/profile", response_class=HTMLResponse)
async def save_profile(request: Request, viewer: Manager, org: int) -> Response:
    return await save_profile_of(request, viewer, await institution_or_404(request, org))
