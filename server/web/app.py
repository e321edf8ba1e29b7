"""``create_app(config, store, bus, clock)``: the web app, built from what it is given.

Routes come from three routers (pages, consoles, API); every route depends on
``guard.need(action)`` or ``guard.public``, and ``route_actions()`` reads that table.
The one ``can()`` call of the web transport is in ``guard.need``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from server.accounts import Accounts
from server.bus import Bus
from server.clock import Clock
from server.config import ServerConfig
from server.parks import load_catalogue
from server.web import (
    admin_orgs,
    api,
    application_api,
    audit_pages,
    booking_api,
    booking_calendar,
    booking_office,
    booking_pages,
    booth_pages,
    booth_stats_pages,
    consoles,
    directory_api,
    directory_pages,
    employee_console,
    enterprise_console,
    enterprise_people,
    enterprise_policies,
    government_confirm,
    inbox_pages,
    institution_console,
    pages,
    park_booths,
    park_catalogue,
    park_console,
    park_import,
    park_staff,
    people_pages,
    policy_forms,
    policy_pages,
    policy_publish,
    policy_review,
    policy_topics,
    showcase_audience,
    showcase_board,
    showcase_console,
    showcase_desk,
    showcase_live,
    showcase_pages,
    signin_pages,
    stream_files,
    vendor,
    zone_figures,
)
from server.web.files import OptionalFolder
from server.web.guard import Refused, action_of, viewer_of, web_of
from server.web.live_parks import LiveParks, fresh_catalogue
from server.web.online import OnlineCounts
from server.web.profile_form import pydantic_code
from server.web.protect import BodyLimit, BodyTooLarge, CsrfRefused, check_csrf, pre_session
from server.web.render import render
from server.web.services import Web
from server.web.sessions import Csrf, load_secret
from server.web.texts import load_texts
from world.i18n import Texts

HERE = Path(__file__).resolve().parent
ROUTERS: tuple[APIRouter, ...] = (pages.router, consoles.router, booth_pages.router, park_catalogue.router, api.router,
                                  enterprise_console.router, enterprise_people.router, booth_stats_pages.router,
                                  employee_console.router, zone_figures.router, people_pages.router, vendor.router,
                                  inbox_pages.router, inbox_pages.api, signin_pages.router, signin_pages.api,
                                  directory_pages.router, directory_api.router,
                                  park_console.router, park_import.router, park_staff.router, park_booths.router,
                                  audit_pages.router, booking_pages.router, booking_office.router, booking_calendar.router,
                                  booking_api.router,
                                  policy_pages.router, policy_pages.api, enterprise_policies.router, policy_review.router,
                                  policy_publish.router, application_api.router, policy_topics.router,
                                  stream_files.router, showcase_pages.router, showcase_console.router,
                                  showcase_live.router, showcase_board.router, showcase_audience.router,
                                  admin_orgs.router, government_confirm.router,
                                  institution_console.router)


def route_actions() -> list[tuple[str, str, str]]:
    """(method, path, action) for every route; action "" is a public route."""
    out = []
    for router in ROUTERS:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            asked = [a for d in route.dependant.dependencies if (a := action_of(d.call)) is not None]
            if len(asked) != 1:
                raise AssertionError(f"{route.path}: a route needs exactly one need()/public, has {asked}")
            for method in sorted(route.methods or ()):
                out.append((method, route.path, asked[0]))
    return out


def create_app(config: ServerConfig, store: Any, bus: Bus, clock: Clock, *, texts: Texts | None = None,
               online: OnlineCounts | None = None) -> FastAPI:
    """The app over ``store`` (a ``server.db.Store``, opened and closed by the caller).
    ``texts``: the catalogue (default: ``assets/i18n``, lenient; tests pass a strict one
    so a missing string fails them)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await showcase_desk.reconcile(app)  # streams this process ran before a restart: interrupted
        yield
        await showcase_desk.close(app)  # every stream stopped, its replay written
        await web.online.close()

    app = FastAPI(title="Cloud Park", version="1", openapi_url="/api/openapi.json", docs_url=None,
                  redoc_url=None, lifespan=lifespan, dependencies=[Depends(check_csrf)],
                  description="The zone platform's API. Unsafe methods need the X-CSRF-Token header "
                  "from GET /api/session; the session is a cookie (docs/platform.md).")
    web = Web(config=config, store=store, bus=bus, clock=clock,
              accounts=Accounts(store, scrypt_n=config.scrypt_n, token_ttl=config.token_ttl),
              texts=texts or load_texts(strict=False), csrf=Csrf(load_secret(config.data_dir)),
              catalogue=load_catalogue(config.catalogue_dir),
              online=online or OnlineCounts(config.game_url, clock),
              templates=Jinja2Templates(directory=HERE / "templates"))
    web.live = LiveParks(store, bus, clock, config.catalogue_dir)
    app.state.web = web
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/web", OptionalFolder(str(config.web_dir), html=True, missing="no browser client exported yet: "
                                     "cloudpark up (or cloudpark webxr export) writes DATA_DIR/web"), name="web")
    app.mount("/previews", OptionalFolder(str(config.previews_dir), missing="no park pictures"),
              name="previews")
    app.middleware("http")(fresh_catalogue)
    app.middleware("http")(pre_session)
    app.add_middleware(BodyLimit, limit=config.web_max_body, larger=(*park_import.LARGER, policy_forms.LARGER,
                                                                               *showcase_live.LARGER))
    app.add_middleware(stream_files.NoCookies)  # outermost: stream files leave without a cookie
    _answers(app)
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
    return ".".join(parts) or "body"


def _answers(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        status = 401 if not exc.viewer.signed_in else 403
        if _is_api(request):
            return JSONResponse({"detail": exc.reason, "action": exc.action}, status_code=status)
        if not exc.viewer.signed_in:
            return RedirectResponse("/signin?next=" + quote(request.url.path, safe=""), status_code=303)
        return render(request, exc.viewer, "forbidden.html", status=403, action=exc.action, reason=exc.reason)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "CSRF token missing or wrong: send the X-CSRF-Token header "
                                 "(GET /api/session gives it) or the csrf form field"}, status_code=403)
        return render(request, await viewer_of(request), "error.html", status=403, message="error.csrf", fields=[])

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge) -> Response:
        return JSONResponse({"detail": f"request body too large: at most {exc.limit} bytes"}, status_code=413)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = [{"field": _field(e.get("loc", ())), "message": str(e.get("msg", "")), "type": str(e.get("type", "")),
                   "ctx": {k: str(v) for k, v in (e.get("ctx") or {}).items()}} for e in exc.errors()]
        if _is_api(request):
            text = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
            return JSONResponse({"detail": fields, "message": text}, status_code=422)
        viewer = await viewer_of(request)
        if request.url.path == "/signin":
            errors = {str(f["field"]): _field_key(str(f["type"])) for f in fields}
            return render(request, viewer, "signin.html", status=422, next="/console/", errors=errors, user="",
                          limits={f["field"]: f["ctx"] for f in fields})
        t = web_of(request).texts.translate  # each field's problem in the person's language (its name as sent)
        for f, e in zip(fields, exc.errors(), strict=True):
            code, params = pydantic_code(e)
            f["message"] = t(viewer.lang, f"profile.p.{code}", **params)
        return render(request, viewer, "error.html", status=422, message="error.invalid", fields=fields)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request) or exc.status_code != 404:
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, await viewer_of(request), "error.html", status=404, message="error.not_found",
                      fields=[])


def _field_key(kind: str) -> str:
    """The catalogue key that explains a validation error of this pydantic type."""
    return {"missing": "field.missing", "string_too_short": "field.too_short",
            "string_too_long": "field.too_long"}.get(kind, "field.invalid")
