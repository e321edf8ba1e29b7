"""Pages that take a person in or back: ``/join`` (redeem an invitation code, signed in
or with a new account made in the same step) and ``/reset`` (a one-time password reset
link), plus ``/console/reset`` where a platform admin issues a link for anyone.

A new account and its membership are one transaction with the code
(``InvitationRepo.redeem_new``): a code used meanwhile leaves no account behind, a
user name taken leaves the code unused. New accounts per address are rate-limited
like registrations over the websocket (``register_burst``, ``register_per_hour``)."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from server import notices
from server.accounts import hash_password
from server.db.accounts import NewAccount
from server.db.inbox import Notice
from server.db.invitations import NewPassword, Redeemed
from server.web.enterprise_people import issue_reset
from server.web.guard import Viewer, need, public, web_of
from server.web.pages import set_session
from server.web.render import render
from world.chat import ChatLimiter
from world.protocol.constants import MIN_PASSWORD_CHARS
from world.text import TextRuleError, clean_name

router = APIRouter(include_in_schema=False)
Public = Annotated[Viewer, Depends(public)]
USER_PATTERN = r"^[A-Za-z0-9._@-]{1,64}$"


class JoinForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    code: str = Field(min_length=1, max_length=64, description="the invitation code")
    # a new person's account (ignored when signed in)
    user: str = Field(default="", max_length=64)
    name: str = Field(default="", max_length=64)
    password: str = Field(default="", max_length=256)


class ResetForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    token: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=256)
    again: str = Field(min_length=1, max_length=256)


class IssueForm(BaseModel):
    csrf: str = Field(default="", max_length=128)
    user: str = Field(pattern=USER_PATTERN)


def _registrations(request: Request) -> ChatLimiter:
    web = web_of(request)
    if web.registrations is None:
        web.registrations = ChatLimiter(burst=float(web.config.register_burst),
                                        rate=web.config.register_per_hour / 3600.0)
    return web.registrations


def _join_page(request: Request, viewer: Viewer, code: str, *, status: int = 200, error: str = "",
               fields: dict[str, str] | None = None, values: dict[str, str] | None = None) -> Response:
    return render(request, viewer, "join.html", status=status, code=code, error=error, fields=fields or {},
                  values=values or {}, min_password=MIN_PASSWORD_CHARS)


@router.get("/join", response_class=HTMLResponse)
async def join_page(request: Request, viewer: Public, code: Annotated[str, Query(max_length=64)] = "") -> Response:
    return _join_page(request, viewer, code.strip())


def _new_account_problems(form: JoinForm) -> dict[str, str]:
    """Field -> catalogue key, for a new person's account fields."""
    problems: dict[str, str] = {}
    if not re.match(USER_PATTERN, form.user):
        problems["user"] = "join.bad_user"
    try:  # the 3D clients' cleaner: no control, invisible or direction-flipping characters
        clean_name(form.name)
    except TextRuleError:
        problems["name"] = "join.bad_name"
    if len(form.password) < MIN_PASSWORD_CHARS:
        problems["password"] = "join.bad_password"
    return problems


@router.post("/join", response_class=HTMLResponse)
async def join(request: Request, viewer: Public, form: Annotated[JoinForm, Form()]) -> Response:
    web = web_of(request)
    now = web.clock.now()
    values = {"user": form.user, "name": form.name}
    if viewer.signed_in:
        user = viewer.person.user_id
        outcome: Any = await web.store.invitations.redeem(form.code, user, now=now)
    else:
        problems = _new_account_problems(form)
        if problems:
            return _join_page(request, viewer, form.code, status=422, fields=problems, values=values)
        address = request.client.host if request.client else "?"
        if not _registrations(request).allow(address, web.clock.monotonic()):
            return _join_page(request, viewer, form.code, status=429, error="join.rate_limited", values=values)
        user = form.user
        kdf, salt, digest = await asyncio.to_thread(hash_password, form.password, web.config.scrypt_n)
        new = NewAccount(user=user, name=clean_name(form.name), role="visitor", kdf=kdf, salt=salt, hash=digest,
                         created=now)
        outcome = await web.store.invitations.redeem_new(form.code, new, now=now)
    if not isinstance(outcome, Redeemed):
        if outcome == "taken":
            return _join_page(request, viewer, form.code, status=409, fields={"user": "join.taken"}, values=values)
        status = {"unknown": 404, "already": 409}.get(outcome, 410)
        return _join_page(request, viewer, form.code, status=status,
                          error=f"join.{outcome}", values=values)
    org = await web.store.orgs.get(outcome.org_id)
    org_name = org.name if org is not None else str(outcome.org_id)
    await web.store.audit.add(user, "org.join", f"org:{outcome.org_id}",
                              {"user": user, "role": outcome.role, "new_account": not viewer.signed_in}, now=now)
    await notices.send(web.store, web.bus, [user], Notice("account", "notice.membership.title", f"notice.membership.joined_{outcome.role}",
                                              {"org": org_name, "role": outcome.role}, link="/console/employee"),
                               now=now)
    web.bus.publish("account.changed", {"user": user})
    response = RedirectResponse("/console/employee?joined=1", status_code=303)
    if not viewer.signed_in:
        token, expires = await web.accounts.issue_token(user, now=now)
        set_session(request, response, token, int(expires - now))
    return response


@router.get("/reset", response_class=HTMLResponse)
async def reset_page(request: Request, viewer: Public, token: Annotated[str, Query(max_length=128)] = "") -> Response:
    return render(request, viewer, "reset.html", token=token, error="", done=False, min_password=MIN_PASSWORD_CHARS)


@router.post("/reset", response_class=HTMLResponse)
async def reset(request: Request, viewer: Public, form: Annotated[ResetForm, Form()]) -> Response:
    web = web_of(request)
    if form.password != form.again:
        return render(request, viewer, "reset.html", status=422, token=form.token, error="reset.mismatch",
                      done=False, min_password=MIN_PASSWORD_CHARS)
    kdf, salt, digest = await asyncio.to_thread(hash_password, form.password, web.config.scrypt_n)
    now = web.clock.now()
    user = await web.store.password_resets.consume(form.token, NewPassword(kdf, salt, digest), now=now)
    if user is None:
        return render(request, viewer, "reset.html", status=410, token="", error="reset.gone", done=False,
                      min_password=MIN_PASSWORD_CHARS)
    await web.store.audit.add(user, "account.reset_used", f"account:{user}", {"signed_out": True}, now=now)
    web.bus.publish("account.changed", {"user": user, "signed_out": True})  # live 3D sessions end now
    return render(request, viewer, "reset.html", token="", error="", done=True, min_password=MIN_PASSWORD_CHARS)


Admin = Annotated[Viewer, Depends(need("account.reset"))]


@router.get("/console/reset", response_class=HTMLResponse)
async def issue_page(request: Request, viewer: Admin) -> Response:
    return render(request, viewer, "reset_issue.html", console="employee", user="", link="", error="")


@router.post("/console/reset", response_class=HTMLResponse)
async def issue(request: Request, viewer: Admin, form: Annotated[IssueForm, Form()]) -> Response:
    if await web_of(request).store.accounts.get(form.user) is None:
        return render(request, viewer, "reset_issue.html", status=404, console="employee", user=form.user, link="",
                      error="reset.no_account")
    link = await issue_reset(request, viewer, form.user, "platform")
    return render(request, viewer, "reset_issue.html", console="employee", user=form.user, link=link, error="")
