"""The JSON API under ``/api/`` (OpenAPI at ``/api/openapi.json``).

Unsafe methods need the CSRF token (``X-CSRF-Token``) that ``GET /api/session``
returns; signing in changes it (the token follows the session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from server.accounts import AccountError, token_hash
from server.web.consoles import consoles_of
from server.web.forms import SignIn
from server.web.guard import Viewer, need, public, web_of
from server.web.pages import adopt_lang, set_lang_cookie, set_session, signin_allowed, signin_failed
from server.web.parks import ParkCard, park_cards
from server.web.sessions import SESSION_COOKIE
from world.permissions import perm_map

router = APIRouter(prefix="/api")
Public = Annotated[Viewer, Depends(public)]


class SessionState(BaseModel):
    signed_in: bool
    user: str | None = Field(description="the signed-in account's user name; null when signed out")
    lang: str = Field(description="the interface language (zh or en): the account's when signed in and chosen, else this browser's")
    csrf: str = Field(description="send it as X-CSRF-Token with every POST, PUT, PATCH and DELETE")


class MembershipOut(BaseModel):
    org_id: int
    kind: str
    role: str
    org_name: str
    park_id: str


class Me(BaseModel):
    user: str
    name: str
    role: str
    memberships: list[MembershipOut]
    consoles: list[str] = Field(description="the consoles this person may open")
    permissions: dict[str, bool] = Field(description="every action's answer, as the 3D clients get it")


class SignedOut(BaseModel):
    revoked: int = Field(description="login tokens revoked")


class Problem(BaseModel):
    detail: str


def _state(request: Request, viewer: Viewer, seed: str | None = None, user: str | None = None) -> SessionState:
    csrf = web_of(request).csrf.token(seed if seed is not None else viewer.seed)
    who = user if user is not None else (viewer.person.user_id if viewer.signed_in else None)
    return SessionState(signed_in=who is not None, user=who, lang=viewer.lang, csrf=csrf)


@router.get("/parks", response_model=list[ParkCard])
async def parks(request: Request, viewer: Public) -> list[ParkCard]:
    return await park_cards(web_of(request))


@router.get("/session", response_model=SessionState)
async def session(request: Request, viewer: Public) -> SessionState:
    return _state(request, viewer)


@router.post("/session", response_model=SessionState, responses={401: {"model": Problem}, 403: {"model": Problem},
                                                                   429: {"model": Problem}})
async def sign_in(request: Request, viewer: Public, body: SignIn) -> Response:
    web = web_of(request)
    if not signin_allowed(request):
        return JSONResponse({"detail": "too many wrong passwords from your address: try again in a few minutes"},
                            status_code=429)
    try:
        account = await web.accounts.login(body.user, body.password)
    except AccountError as exc:
        signin_failed(request)
        return JSONResponse({"detail": str(exc)}, status_code=401)
    token, expires = await web.accounts.issue_token(account.user, now=web.clock.now())
    state = _state(request, viewer, seed=token, user=account.user)
    lang = await adopt_lang(request, account)
    if lang:
        state.lang = lang
    response = JSONResponse(state.model_dump())
    if lang:
        set_lang_cookie(response, lang)
    set_session(request, response, token, int(expires - web.clock.now()))
    return response


@router.delete("/session", response_model=SignedOut, responses={403: {"model": Problem}})
async def sign_out(request: Request, viewer: Public,
                   everywhere: Annotated[bool, Query(description="revoke every session of the account")] = False,
                   ) -> Response:
    revoked = 0
    if viewer.signed_in:
        revoked = await web_of(request).accounts.sign_out(viewer.person.user_id, token_hash(viewer.token), everywhere)
    response = JSONResponse(SignedOut(revoked=revoked).model_dump())
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=Me, responses={401: {"model": Problem}})
async def me(viewer: Annotated[Viewer, Depends(need("account.self"))]) -> Me:
    p = viewer.person
    return Me(user=p.user_id, name=p.name, role=p.role,
              memberships=[MembershipOut(org_id=m.org_id, kind=m.kind, role=m.role, org_name=m.org_name,
                                         park_id=m.park_id) for m in p.memberships],
              consoles=consoles_of(p), permissions=perm_map(p))
