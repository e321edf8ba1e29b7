"""The consoles: ``/console/`` sends each person to the consoles their memberships
allow; one page per console (government, park, enterprise, employee) shows the
person, their organizations and what the store holds about them. Later services add
their pages under each console's prefix: the government console is ``zone_figures``,
the enterprise console ``enterprise_console`` (+ ``enterprise_people``,
``booth_stats_pages``, ``booth_pages``), the employee console ``employee_console``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.web.guard import Viewer, need, web_of
from server.web.render import render
from world.people import Person
from world.permissions import NOTHING, can, perm_map

router = APIRouter(prefix="/console", include_in_schema=False)
CONSOLES = ("government", "park", "enterprise", "employee", "institution")


def consoles_of(person: Person) -> list[str]:
    """The consoles this person may open (from the permission map the 3D clients get too)."""
    perms = perm_map(person)
    return [c for c in CONSOLES if perms[f"console.{c}"]]


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request, viewer: Annotated[Viewer, Depends(need("account.self"))]) -> Response:
    mine = consoles_of(viewer.person)
    if len(mine) == 1:
        return RedirectResponse(f"/console/{mine[0]}", status_code=303)
    return render(request, viewer, "console_home.html", consoles=mine,
                  showcases=bool(can(viewer.person, "showcase.schedule", NOTHING)),
                  admin=bool(can(viewer.person, "platform.orgs", NOTHING)))


@router.get("/park", response_class=HTMLResponse)
async def park(request: Request, viewer: Annotated[Viewer, Depends(need("console.park"))]) -> Response:
    web = web_of(request)
    staffed = []
    for park_id in sorted(viewer.person.parks):
        org = await web.store.orgs.park(park_id)
        entry = next((p for p in web.catalogue if p.id == park_id), None)
        staffed.append({"id": park_id, "park": entry,
                        "staff": await web.store.orgs.members(org.id) if org else []})
    return render(request, viewer, "console_park.html", console="park", staffed=staffed)
