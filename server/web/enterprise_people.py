"""An enterprise's people in its console: members and their roles, invitation codes,
one-time password reset links.

``org.members`` / ``org.invite`` / ``account.reset`` let an owner or admin in at all;
``world.membership_rules`` decides each step (the last owner stays, admins change
members only), checked inside the write against the owner count it changes. Every
change is audit-logged, tells the person in their inbox, and goes out as an
``account.changed`` hint so their live 3D sessions get the new permission map at once.
A code or a reset link is shown once, on the page that made it: the database keeps
only its hash."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

import segno
from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from server import notices
from server.db.inbox import Notice
from server.web.enterprise_console import enterprise_or_404, org_of_path
from server.web.guard import Viewer, need, web_of
from server.web.render import render
from world.membership_rules import (
    ENTERPRISE_ROLES,
    PLATFORM,
    Refusal,
    invite_problem,
    removal_problem,
    reset_problem,
    role_change_problem,
)
from world.people import Person

router = APIRouter(prefix="/console/enterprise", include_in_schema=False)
UserName = Annotated[str, Path(pattern=r"^[A-Za-z0-9._@-]{1,64}$")]
DAY_S = 86400.0
MAX_INVITE_DAYS = 30
EnterpriseRole = Literal["owner", "admin", "member"]

Members = Annotated[Viewer, Depends(need("org.members", org_of_path))]
Inviter = Annotated[Viewer, Depends(need("org.invite", org_of_path))]
Resetter = Annotated[Viewer, Depends(need("account.reset", org_of_path))]


class RoleForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    role: EnterpriseRole


class InviteForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    role: EnterpriseRole = "member"
    days: int = Field(default=7, ge=1, le=MAX_INVITE_DAYS, description="how many days the code works")


class CsrfForm(BaseModel):
    csrf: str = Field(default="", max_length=128)


def actor_role(person: Person, org_id: int) -> str:
    """The actor's rank for ``world.membership_rules``: its role here, or a platform admin's."""
    return person.role_in(org_id) or (PLATFORM if person.role == "admin" else "")


def qr_svg(text: str) -> str:
    """An inline SVG QR code (segno: no image files, nothing fetched)."""
    return str(segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#1d2430", title=None))


def site(request: Request) -> str:
    return str(request.base_url).rstrip("/")


_LABELS = {"role": "people.role", "user": "people.person"}


def said(request: Request, viewer: Viewer, problem: str) -> str:
    """A refusal in the person's language: the field's label and the ``people.p.<code>``
    sentence (a role named by its word); a problem without a code as it is."""
    if not isinstance(problem, Refusal):
        return problem
    texts = web_of(request).texts

    def t(key: str, **params: object) -> str:
        return texts.translate(viewer.lang, key, **params)

    params = {k: t(f"member.{v}") if k == "role" and f"member.{v}" in texts.keys() else v
              for k, v in problem.params.items()}
    sentence = t(f"people.p.{problem.code}", **params)
    return t("profile.problem_line", field=t(_LABELS[problem.field]), problem=sentence) \
        if problem.field in _LABELS else sentence


async def _page(request: Request, viewer: Viewer, org: Any, *, status: int = 200, problem: str = "",
                note: str = "", fresh: dict[str, Any] | None = None) -> Response:
    store = web_of(request).store
    now = web_of(request).clock.now()
    members = []
    for m in await store.orgs.members(org.id):
        account = await store.accounts.get(m.user)
        members.append({"user": m.user, "name": account.name if account else m.user, "role": m.role,
                        "me": m.user == viewer.person.user_id})
    invitations = [{"id": i.id, "role": i.role, "created_by": i.created_by, "used_by": i.used_by,
                    "state": "used" if i.used_at is not None else ("expired" if i.expires <= now else "open"),
                    "days_left": max(0, int((i.expires - now + DAY_S - 1) // DAY_S))}
                   for i in await store.invitations.of_org(org.id)]
    return render(request, viewer, "enterprise_people.html", status=status, console="enterprise", org=org,
                  members=members, invitations=invitations, roles=ENTERPRISE_ROLES,
                  problem=said(request, viewer, problem) if problem else "", note=note,
                  fresh=fresh, max_days=MAX_INVITE_DAYS)


@router.get("/{org}/people", response_class=HTMLResponse)
async def people(request: Request, viewer: Members, org: int, done: str = "") -> Response:
    found = await enterprise_or_404(request, org)
    note = {"role": "people.done.role", "removed": "people.done.removed", "revoked": "people.done.revoked"}.get(done, "")
    return await _page(request, viewer, found, note=note)


async def _told(request: Request, viewer: Viewer, org: Any, user: str, action: str, detail: dict[str, Any],
                body_key: str) -> None:
    """Audit, inbox and the live sessions' hint for one change to ``user``'s membership."""
    web = web_of(request)
    now = web.clock.now()
    await web.store.audit.add(viewer.person.user_id, action, f"org:{org.id}", {"user": user, **detail}, now=now)
    if await web.store.accounts.get(user) is not None:
        await notices.send(web.store, web.bus, [user], Notice("account", "notice.membership.title", body_key,
                                                  {"org": org.name, "by": viewer.person.name, **detail},
                                                  link="/console/employee"), now=now)
    web.bus.publish("account.changed", {"user": user})


@router.post("/{org}/members/{user}/role", response_class=HTMLResponse)
async def change_role(request: Request, viewer: Members, org: int, user: UserName,
                      form: Annotated[RoleForm, Form()]) -> Response:
    found = await enterprise_or_404(request, org)
    actor = actor_role(viewer.person, org)
    problem = await web_of(request).store.orgs.change_member(
        org, user, form.role, lambda current, owners: role_change_problem(actor, current, form.role, owners))
    if problem is not None:
        return await _page(request, viewer, found, status=409 if "last owner" in problem else 422, problem=problem)
    await _told(request, viewer, found, user, "org.member_role", {"role": form.role},
                f"notice.membership.role_{form.role}")
    return RedirectResponse(f"/console/enterprise/{org}/people?done=role", status_code=303)


@router.post("/{org}/members/{user}/remove", response_class=HTMLResponse)
async def remove(request: Request, viewer: Members, org: int, user: UserName,
                 form: Annotated[CsrfForm, Form()]) -> Response:
    found = await enterprise_or_404(request, org)
    actor = actor_role(viewer.person, org)
    problem = await web_of(request).store.orgs.change_member(
        org, user, None, lambda current, owners: removal_problem(actor, current, owners))
    if problem is not None:
        return await _page(request, viewer, found, status=409 if "last owner" in problem else 422, problem=problem)
    await _told(request, viewer, found, user, "org.remove_member", {}, "notice.membership.removed")
    return RedirectResponse(f"/console/enterprise/{org}/people?done=removed", status_code=303)


@router.post("/{org}/invitations", response_class=HTMLResponse)
async def invite(request: Request, viewer: Inviter, org: int, form: Annotated[InviteForm, Form()]) -> Response:
    web = web_of(request)
    found = await enterprise_or_404(request, org)
    problem = invite_problem(actor_role(viewer.person, org), form.role)
    if problem is not None:
        return await _page(request, viewer, found, status=422, problem=problem)
    now = web.clock.now()
    code = await web.store.invitations.create(org, form.role, created_by=viewer.person.user_id, now=now,
                                              ttl=form.days * DAY_S)
    await web.store.audit.add(viewer.person.user_id, "org.invite", f"org:{org}",
                              {"role": form.role, "days": form.days}, now=now)
    link = f"{site(request)}/join?code={quote(code)}"
    return await _page(request, viewer, found, status=200, fresh={"kind": "invite", "code": code, "link": link,
                                                                   "qr": qr_svg(link), "role": form.role,
                                                                   "days": form.days})


@router.post("/{org}/invitations/{invitation}/revoke", response_class=HTMLResponse)
async def revoke(request: Request, viewer: Inviter, org: int, invitation: Annotated[int, Path(ge=1, le=2**62)],
                 form: Annotated[CsrfForm, Form()]) -> Response:
    web = web_of(request)
    found = await enterprise_or_404(request, org)
    if not await web.store.invitations.revoke(invitation, org):
        return await _page(request, viewer, found, status=409, problem=Refusal("invitation", "already used, revoked or unknown", "invitation_gone"))
    await web.store.audit.add(viewer.person.user_id, "org.revoke_invitation", f"org:{org}",
                              {"invitation": invitation}, now=web.clock.now())
    return RedirectResponse(f"/console/enterprise/{org}/people?done=revoked", status_code=303)


@router.post("/{org}/members/{user}/reset", response_class=HTMLResponse)
async def reset_link(request: Request, viewer: Resetter, org: int, user: UserName,
                     form: Annotated[CsrfForm, Form()]) -> Response:
    web = web_of(request)
    found = await enterprise_or_404(request, org)
    target = next((m.role for m in await web.store.orgs.members(org) if m.user == user), "")
    problem = reset_problem(actor_role(viewer.person, org), target, self_reset=user == viewer.person.user_id,
                            elsewhere=await _holds_elsewhere(web, user, org))
    if problem is not None:
        return await _page(request, viewer, found, status=422, problem=problem)
    link = await issue_reset(request, viewer, user, f"org:{org}")
    return await _page(request, viewer, found, status=200, fresh={"kind": "reset", "user": user, "link": link,
                                                                   "qr": qr_svg(link)})


OWN_ROLES = ("visitor", "enterprise")  # platform roles an enterprise's reset link may carry


async def _holds_elsewhere(web: Any, user: str, org: int) -> bool:
    """Whether ``user`` holds more than a place in ``org``: another membership (a park's
    staff are members of its organization) or a platform role above visitor."""
    account = await web.store.accounts.get(user)
    if account is not None and account.role not in OWN_ROLES:
        return True
    return any(m.org_id != org for m in await web.store.orgs.memberships(user))


async def issue_reset(request: Request, viewer: Viewer, user: str, acting_for: str) -> str:
    """A one-time reset link for ``user`` (audit-logged); earlier unused links stop working."""
    web = web_of(request)
    now = web.clock.now()
    token = await web.store.password_resets.issue(user, issued_by=viewer.person.user_id, now=now)
    await web.store.audit.add(viewer.person.user_id, "account.reset_issued", f"account:{user}",
                              {"for": acting_for}, now=now)
    return f"{site(request)}/reset?token={quote(token)}"
