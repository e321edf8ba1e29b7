"""The park console's enterprises: a park office lists its tenants (searchable, a page
at a time, from the directory), admits a registered enterprise (by credit code or by
name), removes one (its profile stays; its booth slots in the park are freed through
``server.booths.assign``, which tells the 3D park at once) and confirms the facts its
tenants declared. Each of these is audit-logged and tells the enterprise's owners and
admins through the inbox.

Every route asks ``park.tenants`` of the park in the path (its staff; admins). The
other park console services (import, staff, booth slots, audit) are sibling modules
that share ``ParkId``, ``park_resource`` and ``park_page`` from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server import notices
from server.booths import assign
from server.db.directory import DirectoryQuery
from server.db.inbox import Notice
from server.web.guard import Viewer, need, web_of
from server.web.rematch import rematch
from server.web.render import render
from server.web.services import Web
from world.credit_code import is_valid, normalize
from world.people import Person
from world.permissions import Resource
from world.profiles import FACT_FIELDS, EnterpriseProfile, Profile, Verification

router = APIRouter(prefix="/console/park", include_in_schema=False)
ParkId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
OrgId = Annotated[int, Path(ge=1, le=2**62)]
PAGE = 20
FOUND = 10  # candidates shown when admitting
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # no control characters (NUL breaks SQLite's FTS match, PostgreSQL refuses it)
Note = Literal["admitted", "removed", "confirmed"]


async def park_resource(request: Request, person: Person) -> Resource:
    return Resource(park_id=str(request.path_params.get("park", "")))


Tenants = Annotated[Viewer, Depends(need("park.tenants", park_resource))]


def park_names(web: Web, park_id: str) -> tuple[str, str]:
    """The park's names (zh, en) from the catalogue; its id for a park not in it."""
    entry = next((p for p in web.catalogue if p.id == park_id), None)
    return (entry.name_zh, entry.name_en) if entry is not None else (park_id, park_id)


def name_in(lang: str, zh: str, en: str) -> str:
    return (zh or en) if lang == "zh" else (en or zh)


def park_page(request: Request, viewer: Viewer, template: str, park: str, section: str, *, status: int = 200,
              **context: Any) -> HTMLResponse:
    """A park console page: the park's name and the section tabs come with it."""
    zh, en = park_names(web_of(request), park)
    return render(request, viewer, template, status=status, console="park", park=park,
                  park_title=name_in(viewer.lang, zh, en), section=section, **context)


def audit_target(park: str, what: str) -> str:
    """Audit targets of a park's own work start with ``park:<id>/`` (the park's audit page reads them)."""
    return f"park:{park}/{what}"


async def tell_managers(web: Web, org_id: int, notice: Notice) -> int:
    """Tell the enterprise's owners and admins (an imported enterprise may have none yet)."""
    people = [m.user for m in await web.store.orgs.members(org_id) if m.role in ("owner", "admin")]
    return await notices.send(web.store, web.bus, people, notice, now=web.clock.now())


def _notice(web: Web, park: str, kind: str, enterprise: str, **extra: Any) -> Notice:
    zh, en = park_names(web, park)
    return Notice("park", f"inbox.park_{kind}.title", f"inbox.park_{kind}.body",
                  {"park_zh": zh, "park_en": en, "enterprise": enterprise, **extra}, link="/console/enterprise")


def _name(p: Profile) -> str:
    return p.name_zh or p.name_en


async def candidates(web: Web, find: str) -> list[dict[str, Any]]:
    """Registered enterprises matching what was typed: a credit code exactly, else a name."""
    code = normalize(find)
    if len(code) == 18 and is_valid(code):
        org_id = await web.store.profiles.by_credit_code(code)
        profile = await web.store.profiles.get(org_id) if org_id is not None else None
        if org_id is None or profile is None:
            return []
        return [{"org_id": org_id, "name_zh": profile.name_zh, "name_en": profile.name_en,
                 "park_id": profile.park_id, "kind": "enterprise" if isinstance(profile, EnterpriseProfile)
                 else "institution"}]
    hits = await web.store.directory.search(DirectoryQuery(text=find, limit=FOUND))
    return [{"org_id": h.org_id, "name_zh": h.name_zh, "name_en": h.name_en, "park_id": h.park_id, "kind": h.kind}
            for h in hits.hits]


async def _enterprises(request: Request, viewer: Viewer, park: str, q: str, offset: int, find: str, *,
                       status: int = 200, note: str = "", error: str = "") -> HTMLResponse:
    web = web_of(request)
    tenants = await web.store.directory.search(DirectoryQuery(text=q, park_id=park, offset=offset, limit=PAGE))
    found = await candidates(web, find) if find.strip() else None
    names = {p.id: name_in(viewer.lang, p.name_zh, p.name_en) for p in web.catalogue}
    return park_page(request, viewer, "park_enterprises.html", park, "enterprises", status=status,
                     tenants=tenants, q=q, find=find, found=found, parks=names, note=note, error=error, page=PAGE)


@router.get("/{park}/enterprises", response_class=HTMLResponse)
async def enterprises(request: Request, viewer: Tenants, park: ParkId,
                      q: Annotated[str, Query(max_length=100, pattern=PRINTABLE)] = "",
                      offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
                      find: Annotated[str, Query(max_length=100, pattern=PRINTABLE)] = "",
                      note: Note | None = None) -> Response:
    t = web_of(request).texts.translate
    return await _enterprises(request, viewer, park, q, offset, find,
                              note=t(viewer.lang, f"tenants.note.{note}") if note else "")


@router.post("/{park}/enterprises/admit", response_class=HTMLResponse)
async def admit(request: Request, viewer: Tenants, park: ParkId, org: Annotated[int, Form(ge=1, le=2**62)],
                csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    t, lang, now = web.texts.translate, viewer.lang, web.clock.now()
    profile = await web.store.profiles.get(org)
    if profile is None:
        return await _enterprises(request, viewer, park, "", 0, "", status=404,
                                  error=t(lang, "tenants.no_profile", org=org))
    office = await web.store.park_office.office(park, now)
    done = await web.store.park_office.admit(org, park, Verification(viewer.person.user_id, office, now))
    if done.outcome == "here":
        return await _enterprises(request, viewer, park, "", 0, "", status=409,
                                  error=t(lang, "tenants.already_here", name=_name(profile)))
    if done.outcome == "elsewhere":
        zh, en = park_names(web, done.park_id)
        return await _enterprises(request, viewer, park, "", 0, "", status=409,
                                  error=t(lang, "tenants.elsewhere", name=_name(profile), park=name_in(lang, zh, en)))
    if done.outcome == "no_profile":
        return await _enterprises(request, viewer, park, "", 0, "", status=404,
                                  error=t(lang, "tenants.no_profile", org=org))
    await web.store.audit.add(viewer.person.user_id, "park.admit", audit_target(park, f"org:{org}"),
                              {"org": org, "name": _name(profile)}, now=now)
    await rematch(web, org, now=now)
    await tell_managers(web, org, _notice(web, park, "admitted", _name(profile)))
    return RedirectResponse(f"/console/park/{park}/enterprises?note=admitted", status_code=303)


async def _tenant(request: Request, viewer: Viewer, park: str, org: int) -> Profile | HTMLResponse:
    """The tenant's profile, or the page that says it is none of this park's."""
    web = web_of(request)
    profile = await web.store.profiles.get(org)
    if profile is None or profile.park_id != park:
        return park_page(request, viewer, "park_enterprise.html", park, "enterprises", status=404, org=org,
                         profile=None, facts=[], error=web.texts.translate(viewer.lang, "tenants.not_tenant", org=org))
    return profile


def facts_of(web: Web, lang: str, profile: Profile) -> list[dict[str, Any]]:
    if not isinstance(profile, EnterpriseProfile):
        return []
    out = []
    for fact in FACT_FIELDS:
        value = getattr(profile, fact)
        shown = ", ".join(value) if isinstance(value, tuple) else ("" if value is None else str(value))
        if fact == "park_id" and value:
            shown = name_in(lang, *park_names(web, value))
        if fact == "revenue_band" and value:
            shown = web.texts.translate(lang, f"tenants.band.{value}")
        v = profile.verified.get(fact)
        at = datetime.fromtimestamp(v.at, ZoneInfo(zone_of(web))).strftime("%Y-%m-%d %H:%M") if v else ""
        out.append({"fact": fact, "value": shown, "verified": v, "at": at})
    return out


def zone_of(web: Web) -> str:
    """The zone's time zone (an IANA name, ``zone_timezone`` in the configuration)."""
    return str(web.config.zone_timezone)


def _tenant_page(request: Request, viewer: Viewer, park: str, org: int, profile: Profile, *, status: int = 200,
                 note: str = "", error: str = "") -> HTMLResponse:
    web = web_of(request)
    return park_page(request, viewer, "park_enterprise.html", park, "enterprises", status=status, org=org,
                     profile=profile, facts=facts_of(web, viewer.lang, profile), note=note, error=error)


@router.get("/{park}/enterprises/{org}", response_class=HTMLResponse)
async def tenant(request: Request, viewer: Tenants, park: ParkId, org: OrgId, note: Note | None = None) -> Response:
    profile = await _tenant(request, viewer, park, org)
    if isinstance(profile, HTMLResponse):
        return profile
    t = web_of(request).texts.translate
    return _tenant_page(request, viewer, park, org, profile, note=t(viewer.lang, f"tenants.note.{note}") if note else "")


@router.post("/{park}/enterprises/{org}/confirm", response_class=HTMLResponse)
async def confirm(request: Request, viewer: Tenants, park: ParkId, org: OrgId,
                  fact: Annotated[Literal[FACT_FIELDS], Form()],  # type: ignore[valid-type]
                  csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    profile = await _tenant(request, viewer, park, org)
    if isinstance(profile, HTMLResponse):
        return profile
    office = await web.store.park_office.office(park, web.clock.now())
    error = await confirm_fact(web, viewer, org, profile, fact, office, "park.confirm", audit_target(park, f"org:{org}"))
    if error:
        return _tenant_page(request, viewer, park, org, profile, status=422, error=error)
    return RedirectResponse(f"/console/park/{park}/enterprises/{org}?note=confirmed", status_code=303)


async def confirm_fact(web: Web, viewer: Viewer, org: int, profile: Profile, fact: str, verifier: int, action: str,
                       target: str) -> str:
    """Confirm one declared fact of an enterprise for organization ``verifier`` (a park's
    office or a department): ``ProfileRepo.verify``, audit-logged as ``action`` on
    ``target``, and its policy matches redone. The problem in the viewer's words, or ""."""
    t, now = web.texts.translate, web.clock.now()
    value = getattr(profile, fact, None) if isinstance(profile, EnterpriseProfile) else None
    if value is None or value == () or value == "":
        return t(viewer.lang, "tenants.nothing_to_confirm", fact=t(viewer.lang, f"tenants.fact.{fact}"))
    await web.store.profiles.verify(org, fact, Verification(viewer.person.user_id, verifier, now))
    await web.store.audit.add(viewer.person.user_id, action, target,
                              {"org": org, "fact": fact, "value": value if not isinstance(value, tuple) else list(value)},
                              now=now)
    await rematch(web, org, now=now)
    return ""


@router.post("/{park}/enterprises/{org}/remove", response_class=HTMLResponse)
async def remove(request: Request, viewer: Tenants, park: ParkId, org: OrgId,
                 sure: Annotated[bool, Form()] = False, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    profile = await _tenant(request, viewer, park, org)
    if isinstance(profile, HTMLResponse):
        return profile
    t, now, user = web.texts.translate, web.clock.now(), viewer.person.user_id
    if not sure:
        return _tenant_page(request, viewer, park, org, profile, status=422, error=t(viewer.lang, "tenants.remove_sure"))
    if not await web.store.park_office.remove(org, park, now):  # removed meanwhile by someone else
        return await _enterprises(request, viewer, park, "", 0, "", status=409,
                                  error=t(viewer.lang, "tenants.not_tenant", org=org))
    freed = [b.booth for b in await web.store.booths.all() if b.park == park and b.owner_org == org]
    for booth in freed:
        await assign(web.store, web.bus, park, booth, None, now, actor=user)
    await web.store.audit.add(user, "park.remove", audit_target(park, f"org:{org}"),
                              {"org": org, "name": _name(profile), "booths_freed": freed}, now=now)
    await rematch(web, org, now=now)
    await tell_managers(web, org, _notice(web, park, "removed", _name(profile), booths=len(freed)))
    return RedirectResponse(f"/console/park/{park}/enterprises?note=removed", status_code=303)
