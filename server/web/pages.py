"""The public pages: the portal, sign-in and sign-out, the language switch."""

from __future__ import annotations

import json
import re
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from server.accounts import AccountError, token_hash
from server.desks.front import FailureLimit
from server.web.forms import LangForm, SignInForm, SignOutForm
from server.web.guard import Viewer, public, web_of
from server.web.parks import park_cards
from server.web.render import render, safe_next
from server.web.sessions import LANG_COOKIE, SESSION_COOKIE
from server.web.showcase_desk import showcases_of
from server.web.showcase_pages import event_cards
from world.i18n import LANGS
from world.zoneplan import zone_plan

router = APIRouter(include_in_schema=False)
PARK_TEMPLATE = ".park.html"  # the export's page for any park (tools/webxr/export.py TEMPLATE)
TITLE_MARK = "{{title}}"  # where the park's name goes in it (export.py TITLE_MARK)
Public = Annotated[Viewer, Depends(public)]
YEAR = 365 * 24 * 3600


@router.get("/", response_class=HTMLResponse)
async def portal(request: Request, viewer: Public) -> Response:
    web = web_of(request)
    cards = await park_cards(web)
    known = [c.online for c in cards if c.online is not None]
    events = await event_cards(request, viewer.lang, limit=6)
    coming = await showcases_of(request).upcoming(limit=500)  # which parks' cards link to their events
    return render(request, viewer, "portal.html", parks=cards, online_total=sum(known) if known else None,
                  game_url=web.config.game_url, plan=zone_plan(web.catalogue), event_cards=events,
                  event_parks={e.park_id for e in coming},
                  names={c.id: (c.name_zh if viewer.lang == "zh" else c.name_en) for c in cards})


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(request: Request, viewer: Public,
                      next: Annotated[str, Query(max_length=512)] = "/console/") -> Response:
    return render(request, viewer, "signin.html", next=safe_next(next, "/console/"), errors={}, user="")


@router.post("/signin", response_class=HTMLResponse)
async def signin(request: Request, viewer: Public, form: Annotated[SignInForm, Form()]) -> Response:
    web = web_of(request)
    if not signin_allowed(request):
        return render(request, viewer, "signin.html", status=429, next=safe_next(form.next, "/console/"),
                      errors={"form": "signin.rate_limited"}, user=form.user)
    try:
        account = await web.accounts.login(form.user, form.password)
    except AccountError:
        signin_failed(request)
        return render(request, viewer, "signin.html", status=401, next=safe_next(form.next, "/console/"),
                      errors={"form": "signin.failed"}, user=form.user)
    token, expires = await web.accounts.issue_token(account.user, now=web.clock.now())
    response = RedirectResponse(safe_next(form.next, "/console/"), status_code=303)
    set_session(request, response, token, int(expires - web.clock.now()))
    lang = await adopt_lang(request, account)
    if lang:
        set_lang_cookie(response, lang)
    return response


def _failures(request: Request) -> FailureLimit:
    """Wrong passwords per address on the web (the form and ``POST /api/session``), as
    the world server limits wrong one-time codes: a burst, then a steady rate (the
    ``code_failures_*`` settings); a right password costs nothing."""
    state = request.app.state
    limit: FailureLimit | None = getattr(state, "signin_failures", None)
    if limit is None:
        cfg = web_of(request).config
        limit = state.signin_failures = FailureLimit(burst=float(cfg.code_failures_burst),
                                                     rate=cfg.code_failures_per_hour / 3600.0)
    return limit


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


def signin_allowed(request: Request) -> bool:
    return _failures(request).allow(_address(request), web_of(request).clock.monotonic())


def signin_failed(request: Request) -> None:
    _failures(request).failed(_address(request), web_of(request).clock.monotonic())


def set_session(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def set_lang_cookie(response: Response, lang: str) -> None:
    response.set_cookie(LANG_COOKIE, lang, max_age=YEAR, samesite="lax", path="/")


async def adopt_lang(request: Request, account: Any) -> str:
    """The language a sign-in adopts: the account's when it has one; else the choice this
    browser made before signing in, now stored on the account so that it follows the
    person to the 3D clients; "" when neither chose. The caller sets the cookie to it."""
    if account.lang in LANGS:
        return str(account.lang)
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGS:
        await web_of(request).accounts.set_lang(account.user, chosen)
        return chosen
    return ""


@router.get("/signout", response_class=HTMLResponse)
async def signout_page(request: Request, viewer: Public) -> Response:
    if not viewer.signed_in:
        return RedirectResponse("/", status_code=303)
    return render(request, viewer, "signout.html")


@router.post("/signout")
async def signout(request: Request, viewer: Public, form: Annotated[SignOutForm, Form()]) -> Response:
    if viewer.signed_in:
        await web_of(request).accounts.sign_out(viewer.person.user_id, token_hash(viewer.token), form.everywhere)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang/{code}")
async def choose_language(request: Request, viewer: Public,
                          code: Annotated[str, Path(pattern="^(" + "|".join(LANGS) + ")$")],
                          form: Annotated[LangForm, Form()]) -> Response:
    """The language switch: this browser's cookie, and for a signed-in person the account
    (the 3D clients follow: their live sessions get a fresh ``session`` through the bus).
    A POST with the CSRF field (every page's header has the form), so a link from another
    site cannot change an account's language."""
    response = RedirectResponse(safe_next(form.next), status_code=303)
    set_lang_cookie(response, code)
    if viewer.signed_in and viewer.person.lang != code:
        web = web_of(request)
        await web.accounts.set_lang(viewer.person.user_id, code)
        web.bus.publish("account.changed", {"user": viewer.person.user_id})
    return response


@router.get("/web/", response_class=HTMLResponse)
async def web_index(request: Request, viewer: Public) -> Response:
    """The portal replaces the export's bare list of parks."""
    return RedirectResponse("/", status_code=308)


@router.get("/web/{park}/", response_class=HTMLResponse)
async def park_in_3d(request: Request, viewer: Public, park: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
                     ) -> Response:
    """A live park's browser 3D page, for every park in the catalogue (one approved a
    minute ago too: no new export needed): the export's one page for any park
    (``DATA_DIR/web/.park.html``) with the park and its names filled in, and where the game
    websocket is (the world server is its own process on its own port). The page names no
    scene: the client loads the world server's ``/scenes/<park>.glb`` and follows it when
    the park is rebuilt. Unknown, proposed or rejected parks: the 404 page."""
    web = web_of(request)
    entry = next((p for p in web.catalogue if p.id == park), None)
    if entry is None:
        raise HTTPException(404, f"no live park {park} in the catalogue")
    template = web.config.web_dir / PARK_TEMPLATE
    if not template.is_file():
        return HTMLResponse("no browser client exported yet: cloudpark up (or cloudpark webxr export) writes "
                            "DATA_DIR/web", status_code=404)
    shown = entry.name_zh if viewer.lang == "zh" else entry.name_en
    html = template.read_text(encoding="utf-8").replace(TITLE_MARK, escape(shown or park))
    # the viewer's language; and "web_session": the page is served by the web app, so it may
    # ask /api/session for a ticket (served by the world server, it never asks: no such path)
    html = fill_config(html, park=park, title=entry.name_en or park, title_zh=entry.name_zh,
                       server=web.config.game_url, lang=viewer.lang, web_session="/api/session")
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


CONFIG = re.compile(r'(<script\b[^>]*\bid="cloudpark-config"[^>]*>)(.*?)(</script>)', re.S)


def fill_config(html: str, **values: str) -> str:
    """The page's ``cloudpark-config`` JSON with ``values`` where the export left them
    empty (a server the export was given stays; a page exported before a field existed
    gets it too)."""
    found = CONFIG.search(html)
    if found is None:
        return html
    try:
        config = json.loads(found.group(2))
    except ValueError:
        return html
    config.update({k: v for k, v in values.items() if not config.get(k)})
    # no "<" at all inside the script element: neither "</script>" nor "<!--" can end or
    # bend it, whatever a park's name holds (JSON reads \u003c as "<")
    text = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
    return html[:found.start(2)] + text + html[found.end(2):]
