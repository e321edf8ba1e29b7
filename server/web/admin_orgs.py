"""The platform admin's console (``/console/admin/...``): the zone's departments and
service institutions (create one, list them by kind a page at a time), each
organization's people (appoint an officer of a department or the owners, admins,
staff and members of an institution; remove one), and the event organizers (grant or
withdraw the ``organizer`` platform role). Parks come online through proposals
(``/console/park/proposals``) and their staff are run on each park's staff page.

Every route asks ``platform.orgs`` or ``platform.roles`` (admins only). The work is
``server.org_admin``, shared with ``cloudpark orgs create|appoint``: audit-logged, the
person told through the inbox and ``account.changed`` (their live 3D session gets its
new permission map at once)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from server import org_admin
from server.web.guard import Viewer, need, web_of
from server.web.profile_form import field_label
from server.web.render import render
from world.org_rules import APPOINTABLE, CREATABLE
from world.profiles import SERVICE_KINDS, FieldProblem
from world.protocol.constants import Role

router = APIRouter(prefix="/console/admin", include_in_schema=False)
Orgs = Annotated[Viewer, Depends(need("platform.orgs"))]
Roles = Annotated[Viewer, Depends(need("platform.roles"))]
OrgId = Annotated[int, Path(ge=1, le=2**62)]
USER = r"^\s*[A-Za-z0-9._@-]{1,64}\s*$"
UserName = Annotated[str, Path(pattern=r"^[^/]{1,64}$")]
PAGE = 50
Kind = Literal["department", "institution"]
Note = Literal["created", "appointed", "removed", "granted", "withdrawn"]


class NewOrgForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    kind: Kind
    name_zh: str = Field(default="", max_length=200)
    name_en: str = Field(default="", max_length=200)
    service_kinds: list[Literal[SERVICE_KINDS]] = Field(default_factory=list, max_length=len(SERVICE_KINDS))  # type: ignore[valid-type]
    park_id: str = Field(default="", max_length=64, pattern=r"^[a-z0-9-]*$")


class AppointForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    user: str = Field(min_length=1, max_length=64, pattern=USER)
    role: Literal["owner", "admin", "staff", "member", "officer"]


class UserForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    user: str = Field(min_length=1, max_length=64, pattern=USER)


# each field by its label on the admin's pages ("" for the organization itself: the page's subject)
_LABELS = {"name_zh": "admin.name_zh", "name_en": "admin.name_en", "kind": "admin.kind", "service_kinds": "admin.services",
           "park_id": "admin.park", "user": "pstaff.user", "role": "people.role"}
# parameters that are words of the catalogue: their key's prefix
_WORDS = {"kind": "kind.", "role": "member.", "platform_role": "role."}


def problem_line(request: Request, viewer: Viewer, p: FieldProblem) -> tuple[str, str]:
    """A refusal in the person's language: (the field's label on the page, the problem),
    the words of ``admin.p.<code>`` (or the shared form words ``profile.p.<code>``)."""
    texts = web_of(request).texts

    def t(key: str, **params: object) -> str:
        return texts.translate(viewer.lang, key, **params)

    base = p.field.split("[", 1)[0]
    label = t(_LABELS[base]) if base in _LABELS else "" if base == "org" else field_label(t, p.field)
    params = {k: t(_WORDS[k] + str(v)) if k in _WORDS and _WORDS[k] + str(v) in texts.keys() else v
              for k, v in p.params.items()}
    if "allowed" in params:
        params["allowed"] = ("、" if viewer.lang == "zh" else ", ").join(t(f"member.{r}") for r in str(params["allowed"]).split(", "))
    key = f"admin.p.{p.code}" if f"admin.p.{p.code}" in texts.keys() else f"profile.p.{p.code}"
    return label, t(key, **params)


def _status(problem: FieldProblem) -> int:
    return 404 if problem.code in ("no_org", "no_account", "not_member") \
        else 409 if problem.code.startswith("already_") else 422


def _note(request: Request, viewer: Viewer, note: str | None, who: str) -> str:
    return web_of(request).texts.translate(viewer.lang, f"admin.note.{note}", who=who) if note else ""


async def _orgs_page(request: Request, viewer: Viewer, kind: str, after: int, *, status: int = 200, note: str = "",
                     problems: list[FieldProblem] | None = None, form: NewOrgForm | None = None) -> HTMLResponse:
    web = web_of(request)
    orgs = await web.store.orgs.all(kind=kind, after=after, limit=PAGE + 1)
    values = form or NewOrgForm(kind="department")
    return render(request, viewer, "admin_orgs.html", status=status, console="admin", kind=kind, kinds=CREATABLE,
                  orgs=orgs[:PAGE], after=after, more=orgs[PAGE - 1].id if len(orgs) > PAGE else 0, note=note,
                  problems=[problem_line(request, viewer, p) for p in problems or []], values=values, service_kinds=SERVICE_KINDS,
                  parks=[(p.id, p.name_zh if viewer.lang == "zh" else p.name_en) for p in web.catalogue])


@router.get("", response_class=HTMLResponse)
async def orgs_page(request: Request, viewer: Orgs, kind: Kind = "department",
                    after: Annotated[int, Query(ge=0, le=2**62)] = 0, note: Note | None = None,
                    who: Annotated[str, Query(max_length=200)] = "") -> Response:
    return await _orgs_page(request, viewer, kind, after, note=_note(request, viewer, note, who))


@router.post("/orgs", response_class=HTMLResponse)
async def create(request: Request, viewer: Orgs, form: Annotated[NewOrgForm, Form()]) -> Response:
    web = web_of(request)
    new = org_admin.NewOrg(kind=form.kind, name_zh=form.name_zh, name_en=form.name_en,
                           service_kinds=tuple(form.service_kinds), park_id=form.park_id)
    try:
        org_id = await org_admin.create(web.store, new, parks={p.id for p in web.catalogue},
                                        actor=viewer.person.user_id, now=web.clock.now())
    except org_admin.OrgProblems as exc:
        return await _orgs_page(request, viewer, form.kind, 0, status=422, problems=exc.keyed, form=form)
    return RedirectResponse(f"/console/admin/orgs/{org_id}?note=created", status_code=303)


async def _org_page(request: Request, viewer: Viewer, org_id: int, *, status: int = 200, note: str = "",
                    problem: FieldProblem | None = None, user: str = "") -> HTMLResponse:
    web = web_of(request)
    org = await web.store.orgs.get(org_id)
    if org is None or org.kind not in APPOINTABLE:
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    return render(request, viewer, "admin_org.html", status=status, console="admin", org=org,
                  members=await web.store.orgs.members(org_id), roles=APPOINTABLE[org.kind],
                  profile=await web.store.profiles.get(org_id), note=note, user=user,
                  problem=problem_line(request, viewer, problem) if problem else None)


@router.get("/orgs/{org}", response_class=HTMLResponse)
async def org_page(request: Request, viewer: Orgs, org: OrgId, note: Note | None = None,
                   who: Annotated[str, Query(max_length=64)] = "") -> Response:
    return await _org_page(request, viewer, org, note=_note(request, viewer, note, who))


@router.post("/orgs/{org}/members", response_class=HTMLResponse)
async def appoint(request: Request, viewer: Orgs, org: OrgId, form: Annotated[AppointForm, Form()]) -> Response:
    web, user = web_of(request), form.user.strip()
    problem = await org_admin.appoint(web.store, web.bus, org, user, form.role, actor=viewer.person.user_id,
                                      by=viewer.person.name, now=web.clock.now())
    if problem is not None:
        return await _org_page(request, viewer, org, status=_status(problem), problem=problem, user=user)
    return RedirectResponse(f"/console/admin/orgs/{org}?note=appointed&who={quote(user, safe='')}", status_code=303)


@router.post("/orgs/{org}/members/{user}/remove", response_class=HTMLResponse)
async def dismiss(request: Request, viewer: Orgs, org: OrgId, user: UserName,
                  csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    problem = await org_admin.dismiss(web.store, web.bus, org, user, actor=viewer.person.user_id,
                                      by=viewer.person.name, now=web.clock.now())
    if problem is not None:
        return await _org_page(request, viewer, org, status=_status(problem), problem=problem)
    return RedirectResponse(f"/console/admin/orgs/{org}?note=removed&who={quote(user, safe='')}", status_code=303)


async def _organizers_page(request: Request, viewer: Viewer, *, status: int = 200, note: str = "",
                           problem: FieldProblem | None = None, user: str = "") -> HTMLResponse:
    people = await web_of(request).store.accounts.with_role(str(Role.ORGANIZER))
    return render(request, viewer, "admin_organizers.html", status=status, console="admin", organizers=people,
                  note=note, problem=problem_line(request, viewer, problem) if problem else None, user=user)


@router.get("/organizers", response_class=HTMLResponse)
async def organizers(request: Request, viewer: Roles, note: Note | None = None,
                     who: Annotated[str, Query(max_length=64)] = "") -> Response:
    return await _organizers_page(request, viewer, note=_note(request, viewer, note, who))


async def _organizer(request: Request, viewer: Viewer, user: str, grant: bool) -> Response:
    web = web_of(request)
    problem = await org_admin.set_organizer(web.store, web.bus, user, grant, actor=viewer.person.user_id,
                                            by=viewer.person.name, now=web.clock.now())
    if problem is not None:
        return await _organizers_page(request, viewer, status=_status(problem), problem=problem, user=user)
    note = "granted" if grant else "withdrawn"
    return RedirectResponse(f"/console/admin/organizers?note={note}&who={quote(user, safe='')}", status_code=303)


@router.post("/organizers", response_class=HTMLResponse)
async def grant(request: Request, viewer: Roles, form: Annotated[UserForm, Form()]) -> Response:
    return await _organizer(request, viewer, form.user.strip(), True)


@router.post("/organizers/{user}/withdraw", response_class=HTMLResponse)
async def withdraw(request: Request, viewer: Roles, user: UserName,
                   csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    return await _organizer(request, viewer, user, False)
