"""Signing in to the 3D clients from the web, with one-time codes (``server.db.signin_codes``).

- ``/console/signin-code``: "Sign in on the desktop client". The desktop client cannot
  read browser cookies, so a signed-in person asks here (a POST: making a code is not
  a safe GET) for a short code, valid 10 minutes, and types it into the client
  (``cloudpark client --code K7QP-M2XD`` or its sign-in panel).
- ``POST /api/game-ticket``: the browser 3D page (``/web/<park>/``, same origin) asks
  with the session cookie and the CSRF header for a ticket valid 60 seconds and sends
  it in the websocket sign-in (``code_login``), so the visitor enters as themselves.
  The cookie's login token stays in its HttpOnly cookie.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from server.web.guard import Viewer, need, web_of
from server.web.render import render

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api")
Self = Annotated[Viewer, Depends(need("account.self"))]


class GameTicket(BaseModel):
    ticket: str = Field(description="send it once as `code_login.code` on the game websocket; valid 60 s")
    expires: float = Field(description="Unix seconds")
    server: str = Field(description="the game websocket URL")


class Problem(BaseModel):
    detail: str


def _command(game_url: str, code: str) -> str:
    return f"cloudpark client --server {game_url} --code {code}"


@router.get("/console/signin-code", response_class=HTMLResponse)
async def code_page(request: Request, viewer: Self) -> Response:
    return render(request, viewer, "signin_code.html", console="signin_code", issued=None, command="")


@router.post("/console/signin-code", response_class=HTMLResponse)
async def make_code(request: Request, viewer: Self) -> Response:
    web = web_of(request)
    now = web.clock.now()
    issued = await web.store.signin_codes.desktop_code(viewer.person.user_id, now=now)
    return render(request, viewer, "signin_code.html", console="signin_code", issued=issued,
                  minutes=round((issued.expires - now) / 60), command=_command(web.config.game_url, issued.code))


@api.post("/game-ticket", response_model=GameTicket, responses={401: {"model": Problem}, 403: {"model": Problem}})
async def game_ticket(request: Request, viewer: Self) -> GameTicket:
    """A one-time ticket for the browser 3D client (the signed-in person enters the park as themselves)."""
    web = web_of(request)
    issued = await web.store.signin_codes.browser_ticket(viewer.person.user_id, now=web.clock.now())
    return GameTicket(ticket=issued.code, expires=issued.expires, server=web.config.game_url)
