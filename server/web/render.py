"""Rendering a page: the template gets ``t`` (the catalogue in the viewer's language),
the viewer, the CSRF token for its forms and the language switch."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from server.web.guard import Viewer, web_of
from world.i18n import LANG_NAMES, LANGS
from world.people import Membership


def render(request: Request, viewer: Viewer, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    web = web_of(request)
    lang = viewer.lang

    def t(key: str, **params: object) -> str:
        return web.texts.translate(lang, key, **params)

    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    switch = [(code, LANG_NAMES[code], here) for code in LANGS if code != lang]  # forms to POST /lang/<code>
    def org_title(m: Membership) -> str:
        """A membership's organization by name: a park's in the viewer's language from the catalogue."""
        entry = next((p for p in web.catalogue if p.id == m.park_id), None) if m.kind == "park" else None
        if entry is None:
            return m.org_name
        return (entry.name_zh or entry.name_en) if lang == "zh" else (entry.name_en or entry.name_zh)

    base = {"t": t, "lang": lang, "viewer": viewer, "person": viewer.person, "csrf": web.csrf.token(viewer.seed),
            "switch": switch, "path": request.url.path, "org_title": org_title}
    return web.templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site (no scheme, no //host): nothing redirects elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
