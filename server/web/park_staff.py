"""The park console's staff: the park's staff list; a staff member (or an admin) adds
a person by user name or removes one. Nobody removes themselves when they are the
park's last staff member (the park would have no office). Each change is
audit-logged and published as ``account.changed``, so the person's live 3D session
gets its new permission map at once (``server.account_watch``)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.web.guard import Viewer, need, web_of
from server.web.park_console import ParkId, audit_target, park_page, park_resource

router = APIRouter(prefix="/console/park", include_in_schema=False)
Staffer = Annotated[Viewer, Depends(need("park.staff", park_resource))]
UserName = Annotated[str, Path(pattern=r"^[^/]{1,64}$")]
Note = Literal["added", "removed"]
ACCOUNT_CHANGED = "account.changed"


async def _page(request: Request, viewer: Viewer, park: str, *, status: int = 200, note: str = "",
                error: str = "", user: str = "") -> HTMLResponse:
    staff = await web_of(request).store.park_office.staff(park)
    return park_page(request, viewer, "park_staff.html", park, "staff", status=status, staff=staff, note=note,
                     error=error, user=user)


@router.get("/{park}/staff", response_class=HTMLResponse)
async def staff_page(request: Request, viewer: Staffer, park: ParkId, note: Note | None = None,
                     who: Annotated[str, Query(max_length=64)] = "") -> Response:
    t = web_of(request).texts.translate
    return await _page(request, viewer, park, note=t(viewer.lang, f"pstaff.note.{note}", user=who) if note else "")


@router.post("/{park}/staff", response_class=HTMLResponse)
async def add(request: Request, viewer: Staffer, park: ParkId,
              user: Annotated[str, Form(min_length=1, max_length=64, pattern=r"^\s*[A-Za-z0-9._@-]{1,64}\s*$")],
              csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    t, now, user = web.texts.translate, web.clock.now(), user.strip()
    done = await web.store.park_office.add_staff(park, user, now)
    if done == "no_account":
        return await _page(request, viewer, park, status=404, user=user, error=t(viewer.lang, "pstaff.no_account", user=user))
    if done == "already":
        return await _page(request, viewer, park, status=409, user=user, error=t(viewer.lang, "pstaff.already", user=user))
    await web.store.audit.add(viewer.person.user_id, "park.staff_add", audit_target(park, f"staff:{user}"),
                              {"user": user}, now=now)
    web.bus.publish(ACCOUNT_CHANGED, {"user": user})
    return RedirectResponse(f"/console/park/{park}/staff?note=added&who={quote(user, safe='')}", status_code=303)


@router.post("/{park}/staff/{user}/remove", response_class=HTMLResponse)
async def remove(request: Request, viewer: Staffer, park: ParkId, user: UserName,
                 csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    t, now = web.texts.translate, web.clock.now()
    done = await web.store.park_office.remove_staff(park, user, keep_last=user == viewer.person.user_id)
    if done == "not_staff":
        return await _page(request, viewer, park, status=404, error=t(viewer.lang, "pstaff.not_staff", user=user))
    if done == "last":
        return await _page(request, viewer, park, status=409, error=t(viewer.lang, "pstaff.last"))
    await web.store.audit.add(viewer.person.user_id, "park.staff_remove", audit_target(park, f"staff:{user}"),
                              {"user": user}, now=now)
    web.bus.publish(ACCOUNT_CHANGED, {"user": user})
    if user == viewer.person.user_id:  # no longer staff here: the park's pages are closed to them now
        return RedirectResponse("/console/", status_code=303)
    return RedirectResponse(f"/console/park/{park}/staff?note=removed&who={quote(user, safe='')}", status_code=303)
