"""The consoles: ``/console/`` sends each person to the consoles their memberships
allow; one page per console (government, park, enterprise, employee) shows the
person, their organizations and what the store holds about them. Later services add
their pages under each console's prefix."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.web.guard import Viewer, need, web_of
from server.web.parks import park_cards
from server.web.render import render
from world.people import ENTERPRISE_MANAGERS, ENTERPRISE_PEOPLE, Person
from world.permissions import perm_map

router = APIRouter(prefix="/console", include_in_schema=False)
CONSOLES = ("government", "park", "enterprise", "employee")


def consoles_of(person: Person) -> list[str]:
    """The consoles this person may open (from the permission map the 3D clients get too)."""
    perms = perm_map(person)
    return [c for c in CONSOLES if perms[f"console.{c}"]]


@router.get("/", response_class=HTMLResponse)
async def landing(request: Request, viewer: Annotated[Viewer, Depends(need("account.self"))]) -> Response:
    mine = consoles_of(viewer.person)
    if len(mine) == 1:
        return RedirectResponse(f"/console/{mine[0]}", status_code=303)
    return render(request, viewer, "console_home.html", consoles=mine)


async def _enterprises(request: Request, person: Person, roles: frozenset[str]) -> list[dict[str, Any]]:
    store = web_of(request).store
    ids = set(person.enterprises(roles))
    booths = [b for b in await store.booths.all() if b.owner_org in ids]
    out = []
    for m in person.memberships:
        if m.org_id in ids:
            out.append({"membership": m, "members": await store.orgs.members(m.org_id),
                        "booths": [b for b in booths if b.owner_org == m.org_id]})
    return out


@router.get("/government", response_class=HTMLResponse)
async def government(request: Request,
                     viewer: Annotated[Viewer, Depends(need("console.government"))]) -> Response:
    cards = await park_cards(web_of(request))
    known = [c.online for c in cards if c.online is not None]
    busiest = sorted((c for c in cards if c.online), key=lambda c: -(c.online or 0))[:10]
    return render(request, viewer, "console_government.html", console="government", parks=cards,
                  online_total=sum(known) if known else None, busiest=busiest)


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


@router.get("/enterprise", response_class=HTMLResponse)
async def enterprise(request: Request,
                     viewer: Annotated[Viewer, Depends(need("console.enterprise"))]) -> Response:
    mine = await _enterprises(request, viewer.person, ENTERPRISE_MANAGERS)
    parks = {p.id: p for p in web_of(request).catalogue}
    return render(request, viewer, "console_enterprise.html", console="enterprise", enterprises=mine, parks=parks)


@router.get("/employee", response_class=HTMLResponse)
async def employee(request: Request, viewer: Annotated[Viewer, Depends(need("console.employee"))]) -> Response:
    mine = await _enterprises(request, viewer.person, ENTERPRISE_PEOPLE)
    parks = {p.id: p for p in web_of(request).catalogue}
    return render(request, viewer, "console_employee.html", console="employee", enterprises=mine, parks=parks)
