"""The employee console: my profile (display name, password), my enterprises and my
role in each, my park (from the enterprise's profile: name, address, the way into it
in 3D), my latest messages (the inbox), and the places where bookings, events and
policies will appear, each with an empty state that says what will come there."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from server.accounts import AccountError, hash_password, token_hash
from server.web.guard import Viewer, need, web_of
from server.web.render import render
from server.web.showcase_pages import my_event_cards
from world.people import ENTERPRISE_PEOPLE
from world.profiles import EnterpriseProfile
from world.protocol.constants import MIN_PASSWORD_CHARS
from world.text import TextRuleError, clean_name

router = APIRouter(prefix="/console/employee", include_in_schema=False)
Self = Annotated[Viewer, Depends(need("account.self"))]
LATEST = 5


class NameForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    name: str = Field(min_length=1, max_length=64, description="the name others see")


class PasswordForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    current: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=256)
    again: str = Field(min_length=1, max_length=256)


async def _page(request: Request, viewer: Viewer, *, status: int = 200, note: str = "", error: str = "") -> Response:
    web = web_of(request)
    store = web.store
    parks = {p.id: p for p in web.catalogue}
    mine: list[dict[str, Any]] = []
    for m in viewer.person.memberships:
        if m.kind != "enterprise" or m.role not in ENTERPRISE_PEOPLE:
            continue
        profile = await store.profiles.get(m.org_id)
        park = parks.get(profile.park_id) if isinstance(profile, EnterpriseProfile) and profile.park_id else None
        mine.append({"membership": m, "park": park, "web_url": f"/web/{park.id}/?server={quote(web.config.game_url, safe='')}"
                     if park is not None else ""})
    notices = await store.inbox.page(viewer.person.user_id, limit=LATEST)
    events = await my_event_cards(request, viewer)
    return render(request, viewer, "console_employee.html", status=status, console="employee", enterprises=mine,
                  notices=notices, my_events=events, unread=await store.inbox.unread_count(viewer.person.user_id), note=note,
                  error=error, min_password=MIN_PASSWORD_CHARS,
                  joined=request.query_params.get("joined") == "1")


@router.get("", response_class=HTMLResponse)
async def employee(request: Request, viewer: Annotated[Viewer, Depends(need("console.employee"))]) -> Response:
    done = request.query_params.get("done") == "name"
    return await _page(request, viewer, note="me.name_saved" if done else "")


@router.post("/name", response_class=HTMLResponse)
async def rename(request: Request, viewer: Self, form: Annotated[NameForm, Form()]) -> Response:
    try:  # the cleaner of the 3D clients' names: no control, invisible or direction-flipping characters
        name = clean_name(form.name)
    except TextRuleError:
        return await _page(request, viewer, status=422, error="me.bad_name")
    await web_of(request).store.accounts.rename(viewer.person.user_id, name)
    web_of(request).bus.publish("account.changed", {"user": viewer.person.user_id})
    return RedirectResponse("/console/employee?done=name", status_code=303)


@router.post("/password", response_class=HTMLResponse)
async def change_password(request: Request, viewer: Self, form: Annotated[PasswordForm, Form()]) -> Response:
    web = web_of(request)
    if form.password != form.again:
        return await _page(request, viewer, status=422, error="me.mismatch")
    try:
        await web.accounts.login(viewer.person.user_id, form.current)
    except AccountError:
        return await _page(request, viewer, status=401, error="me.wrong_password")
    kdf, salt, digest = await asyncio.to_thread(hash_password, form.password, web.config.scrypt_n)
    await web.store.accounts.set_password(viewer.person.user_id, kdf, salt, digest, keep=token_hash(viewer.token))
    await web.store.audit.add(viewer.person.user_id, "account.password_changed", f"account:{viewer.person.user_id}",
                              {}, now=web.clock.now())
    # the other sessions' tokens are gone: their live 3D connections end now too
    web.bus.publish("account.changed", {"user": viewer.person.user_id, "signed_out": True})
    return await _page(request, viewer, note="me.password_changed")
