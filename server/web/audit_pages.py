"""The audit log on the web: who did what privileged thing to what, newest first, a
page at a time (keyset: ``before`` the last id shown), filtered by target.

``/console/audit`` is the whole log (``audit.read`` without a park: admins and
government officers, read-only like every page here). ``/console/park/<park>/audit``
is one park's part of it (``audit.read`` of that park: its staff): the entries whose
target starts with ``park:<park>/`` (the park console's own work) or
``booth:<park>/`` (its booth slots, whoever assigned them). Times are shown in the
zone's time zone.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from server.db.audit import AuditEntry
from server.web.guard import Viewer, need, web_of
from server.web.park_console import ParkId, park_page, park_resource, zone_of
from server.web.render import render

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE = 50
Before = Annotated[int | None, Query(ge=1, le=2**62)]
Target = Annotated[str, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]  # no control characters (NUL: PostgreSQL)


def park_scope(park: str) -> tuple[str, str]:
    return (f"park:{park}/", f"booth:{park}/")


def _row(entry: AuditEntry, zone: ZoneInfo) -> dict[str, Any]:
    detail = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
                       for k, v in sorted(entry.detail.items()))
    return {"id": entry.id, "time": datetime.fromtimestamp(entry.ts, zone).strftime("%Y-%m-%d %H:%M:%S"),
            "actor": entry.actor, "action": entry.action, "target": entry.target, "detail": detail}


async def _entries(request: Request, before: int | None, target: str,
                   within: tuple[str, ...]) -> tuple[list[dict[str, Any]], int | None, str]:
    web = web_of(request)
    name = zone_of(web)
    found = await web.store.audit.page(before=before, limit=PAGE + 1, target=target.strip() or None, within=within)
    zone = ZoneInfo(name)
    rows = [_row(e, zone) for e in found[:PAGE]]
    return rows, (found[PAGE - 1].id if len(found) > PAGE else None), name


@router.get("/audit", response_class=HTMLResponse)
async def whole_log(request: Request, viewer: Annotated[Viewer, Depends(need("audit.read"))],
                    before: Before = None, target: Target = "") -> Response:
    rows, older, zone = await _entries(request, before, target, ())
    return render(request, viewer, "park_audit.html", console="audit", park="", section="audit", entries=rows,
                  older=older, before=before, target=target, zone=zone, base="/console/audit")


@router.get("/park/{park}/audit", response_class=HTMLResponse)
async def park_log(request: Request, viewer: Annotated[Viewer, Depends(need("audit.read", park_resource))],
                   park: ParkId, before: Before = None, target: Target = "") -> Response:
    rows, older, zone = await _entries(request, before, target, park_scope(park))
    return park_page(request, viewer, "park_audit.html", park, "audit", entries=rows, older=older, before=before,
                     target=target, zone=zone, base=f"/console/park/{park}/audit")
