"""The enterprise console: ``/console/enterprise`` lists the enterprises the person runs
(owner or admin); each has its profile (``/console/enterprise/<org>/profile``), its
people and invitations (``enterprise_people``), its booths and their figures
(``booth_stats_pages``, ``booth_pages``).

Profile facts the enterprise changes lose their confirmation (``ProfileRepo.save``
keeps only those of unchanged facts) and show as unverified until its park or a
department confirms them again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from server.web.guard import Viewer, need, web_of
from server.web.profile_form import ProfileForm, form_values, problem_lines, read_form
from server.web.rematch import rematch
from server.web.render import render
from world.people import ENTERPRISE_MANAGERS, Person
from world.permissions import Resource
from world.profiles import (
    CERTIFICATIONS,
    CONTACT_KINDS,
    FACT_FIELDS,
    REVENUE_BANDS,
    SERVICE_KINDS,
    VISIBILITIES,
    EnterpriseProfile,
    FieldProblem,
    InstitutionProfile,
    Profile,
    ProfileError,
)

router = APIRouter(prefix="/console/enterprise", include_in_schema=False)


async def org_of_path(request: Request, person: Person) -> Resource:
    """The enterprise a ``/console/enterprise/<org>/...`` path names (404 when not a number)."""
    return Resource(owner_org=org_id_of(request))


def org_id_of(request: Request) -> int:
    text = str(request.path_params["org"])
    if not (text.isascii() and text.isdigit()) or len(text) > 18:  # "²".isdigit() is True
        raise HTTPException(404, f"org: {text!r} is not an organization id")
    return int(text)


async def enterprise_or_404(request: Request, org_id: int) -> Any:
    org = await web_of(request).store.orgs.get(org_id)
    if org is None or org.kind != "enterprise":
        raise HTTPException(404, f"org: no enterprise {org_id}")
    return org


def park_title(request: Request, lang: str, park_id: str) -> str:
    entry = next((p for p in web_of(request).catalogue if p.id == park_id), None)
    if entry is None:
        return park_id
    return entry.name_zh if lang == "zh" else entry.name_en


@router.get("", response_class=HTMLResponse)
async def home(request: Request, viewer: Annotated[Viewer, Depends(need("console.enterprise"))]) -> Response:
    web = web_of(request)
    ids = set(viewer.person.enterprises(ENTERPRISE_MANAGERS))
    booths = [b for b in await web.store.booths.all() if b.owner_org in ids]
    mine = []
    for m in viewer.person.memberships:
        if m.org_id in ids:
            own = [{"park": b.park, "booth": b.booth, "name": b.content.name,
                    "park_title": park_title(request, viewer.lang, b.park)} for b in booths if b.owner_org == m.org_id]
            mine.append({"membership": m, "members": len(await web.store.orgs.members(m.org_id)), "booths": own,
                         "profile": await web.store.profiles.get(m.org_id)})
    return render(request, viewer, "enterprise_home.html", console="enterprise", enterprises=mine)


Manager = Annotated[Viewer, Depends(need("org.profile", org_of_path))]


def _page(request: Request, viewer: Viewer, org: Any, profile: Profile | None, values: dict[str, Any],
          *, status: int = 200, problems: list[FieldProblem] | None = None, saved: bool = False) -> Response:
    """The profile page of an enterprise or a service institution (``org.kind``): one
    template, the institution's without the enterprise's facts and with its services.
    ``problems`` are said in the person's language, each field by its label."""
    t = web_of(request).texts.translate
    lines = problem_lines(lambda key, **params: t(viewer.lang, key, **params), problems or [])
    verified = set(profile.verified) if isinstance(profile, EnterpriseProfile) else set()
    console = "institution" if org.kind == "institution" else "enterprise"
    return render(request, viewer, "enterprise_profile.html", status=status, console=console, org=org,
                  values=values, problems=lines, saved=saved, facts=FACT_FIELDS, verified=verified,
                  bands=REVENUE_BANDS, certifications=CERTIFICATIONS, contact_kinds=CONTACT_KINDS,
                  visibilities=VISIBILITIES, service_kinds=SERVICE_KINDS,
                  park=park_title(request, viewer.lang, profile.park_id) if profile is not None and profile.park_id else "")


def _blank(org: Any) -> Profile:
    if org.kind == "institution":
        return InstitutionProfile(name_zh=org.name)
    return EnterpriseProfile(name_zh=org.name)


def _stored(org: Any, stored: Profile | None) -> Profile | None:
    wanted = InstitutionProfile if org.kind == "institution" else EnterpriseProfile
    return stored if isinstance(stored, wanted) else None


async def show_profile(request: Request, viewer: Viewer, found: Any) -> Response:
    """The profile page of ``found`` (an enterprise or an institution organization)."""
    profile = _stored(found, await web_of(request).store.profiles.get(found.id))
    return _page(request, viewer, found, profile, form_values(profile or _blank(found)))


async def save_profile_of(request: Request, viewer: Viewer, found: Any) -> Response:
    """Save the posted form as ``found``'s profile (every problem named per field, the
    form's own and the profile's, nothing half-written), audit-logged."""
    web, org = web_of(request), found.id
    before = _stored(found, await web.store.profiles.get(org))
    form = read_form(list((await request.form()).multi_items()))
    if not isinstance(form, ProfileForm):
        refused, typed = form
        return _page(request, viewer, found, before, typed, status=422, problems=refused)
    wanted: Profile = (form.institution(before if isinstance(before, InstitutionProfile) else None)
                       if found.kind == "institution" else
                       form.profile(before if isinstance(before, EnterpriseProfile) else None))
    now = web.clock.now()
    try:
        await web.store.profiles.save(org, wanted, now=now)
    except ProfileError as exc:
        return _page(request, viewer, found, before, form_values(wanted), status=422, problems=exc.keyed)
    except IntegrityError:
        problem = FieldProblem("credit_code", "taken", {}, "is already registered to another organization")
        return _page(request, viewer, found, before, form_values(wanted), status=409, problems=[problem])
    after = await web.store.profiles.get(org)
    assert after is not None
    facts = FACT_FIELDS if isinstance(after, EnterpriseProfile) else ()
    changed = [f for f in facts if before is None or getattr(before, f) != getattr(after, f)]
    await web.store.audit.add(viewer.person.user_id, "org.profile", f"org:{org}",
                              {"changed_facts": changed}, now=now)
    if changed:
        await rematch(web, org, now=now)
    return _page(request, viewer, found, after, form_values(after), saved=True)


@router.get("/{org}/profile", response_class=HTMLResponse)
async def profile_page(request: Request, viewer: Manager, org: int) -> Response:
    return await show_profile(request, viewer, await enterprise_or_404(request, org))


@router.post("/{org}/profile", response_class=HTMLResponse)
async def save_profile(request: Request, viewer: Manager, org: int) -> Response:
    return await save_profile_of(request, viewer, await enterprise_or_404(request, org))
