"""The park console's booth slots: the park's slots (from its plan, the same
``world.siteplan`` plan its scene is built from) with their owners; a slot is given
to one of the park's enterprises or freed through ``server.booths.assign``, the one
assignment write the websocket desk and the CLI use too: it records the audit entry
and publishes ``booth.changed``, so visitors in the 3D park see the new owner at once.

``assign`` itself is last-writer-wins. The form carries the owner the person saw
(``was``); the slot is read again under this app's per-park lock and a slot that
changed meanwhile (another staff member, the CLI) is refused with 409 saying who has
it now, instead of silently taking it from them.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.booths import assign
from server.db.directory import DirectoryQuery
from server.web.guard import Viewer, need, web_of
from server.web.park_console import ParkId, name_in, park_page
from server.web.services import Web
from world.booths import BoothRuleError
from world.people import Person
from world.permissions import Resource
from world.siteplan import plan_park

router = APIRouter(prefix="/console/park", include_in_schema=False)
BoothId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Note = Literal["assigned", "freed"]
FOUND = 20


async def _slot(request: Request, person: Person) -> Resource:
    return Resource(park_id=str(request.path_params.get("park", "")),
                    booth_id=str(request.path_params.get("booth", "")))


Assigner = Annotated[Viewer, Depends(need("booth.assign", _slot))]


def slots_of(web: Web, park: str) -> list[str] | None:
    """The park's booth slot ids from its plan (None: the park is not in the catalogue)."""
    entry = next((p for p in web.catalogue if p.id == park), None)
    return None if entry is None else [b.id for b in plan_park(entry).layout.booths]


def _lock(request: Request, park: str) -> asyncio.Lock:
    """One lock per park in this app (app state, not a module global)."""
    state = request.app.state
    locks: dict[str, asyncio.Lock] | None = getattr(state, "park_booth_locks", None)
    if locks is None:
        locks = state.park_booth_locks = {}
    return locks.setdefault(park, asyncio.Lock())


@router.get("/{park}/booths", response_class=HTMLResponse)
async def booths(request: Request, viewer: Assigner, park: ParkId, note: Note | None = None,
                 booth: Annotated[str, Query(max_length=64)] = "") -> Response:
    web = web_of(request)
    slots = slots_of(web, park)
    rows = {r.booth: r for r in await web.store.booths.all() if r.park == park}
    shown = [{"id": s, "row": rows.get(s)} for s in slots or ()]
    t = web.texts.translate
    return park_page(request, viewer, "park_booths.html", park, "booths", slots=shown, planned=slots is not None,
                     note=t(viewer.lang, f"slots.note.{note}", booth=booth) if note else "")


async def _slot_page(request: Request, viewer: Viewer, park: str, booth: str, q: str, *, status: int = 200,
                     error: str = "") -> HTMLResponse:
    web = web_of(request)
    slots = slots_of(web, park)
    if slots is None or booth not in slots:
        return park_page(request, viewer, "park_booth.html", park, "booths", status=404, booth=booth, row=None,
                         tenants=None, q=q, error=web.texts.translate(viewer.lang, "slots.no_slot", booth=booth))
    row = await web.store.booths.get(park, booth)
    found = await web.store.directory.search(DirectoryQuery(text=q, park_id=park, kinds=("enterprise",), limit=FOUND))
    tenants = [{"org_id": h.org_id, "name": name_in(viewer.lang, h.name_zh, h.name_en)} for h in found.hits]
    return park_page(request, viewer, "park_booth.html", park, "booths", status=status, booth=booth, row=row,
                     tenants=tenants, more=found.more, q=q, error=error)


@router.get("/{park}/booths/{booth}", response_class=HTMLResponse)
async def slot(request: Request, viewer: Assigner, park: ParkId, booth: BoothId,
               q: Annotated[str, Query(max_length=100)] = "") -> Response:
    return await _slot_page(request, viewer, park, booth, q)


def _owner_text(web: Web, lang: str, row: Any) -> str:
    if row is None or row.owner_org is None:
        return web.texts.translate(lang, "slots.free")
    return row.owner_name or str(row.owner_org)


@router.post("/{park}/booths/{booth}", response_class=HTMLResponse)
async def assign_slot(request: Request, viewer: Assigner, park: ParkId, booth: BoothId,
                      org: Annotated[str, Form(pattern=r"^(|[1-9][0-9]{0,17})$")] = "",
                      was: Annotated[str, Form(pattern=r"^(|[1-9][0-9]{0,17})$")] = "",
                      csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    """``org``: the enterprise that gets the slot ("" frees it); ``was``: its owner as
    the page showed it ("" free)."""
    web = web_of(request)
    t, lang = web.texts.translate, viewer.lang
    slots = slots_of(web, park)
    if slots is None or booth not in slots:
        return await _slot_page(request, viewer, park, booth, "")
    new = int(org) if org else None
    if new is not None and await web.store.park_office.tenant_of(new) != park:
        return await _slot_page(request, viewer, park, booth, "", status=422,
                                error=t(lang, "slots.not_tenant", org=new))
    async with _lock(request, park):
        row = await web.store.booths.get(park, booth)
        now_owner = None if row is None else row.owner_org
        if now_owner != (int(was) if was else None):
            return await _slot_page(request, viewer, park, booth, "", status=409,
                                    error=t(lang, "slots.changed", owner=_owner_text(web, lang, row)))
        if now_owner == new:
            return RedirectResponse(f"/console/park/{park}/booths?note={'assigned' if new else 'freed'}&booth={booth}",
                                    status_code=303)
        try:
            await assign(web.store, web.bus, park, booth, new, web.clock.now(), actor=viewer.person.user_id)
        except LookupError:
            return await _slot_page(request, viewer, park, booth, "", status=422,
                                    error=t(lang, "slots.refused", problem=t(lang, "slots.p.no_org", org=new)))
        except BoothRuleError as exc:  # in the person's language where the rule has its words
            words = {**exc.params, "kind": t(lang, f"kind.{exc.params.get('kind')}")} if exc.code else {}
            return await _slot_page(request, viewer, park, booth, "", status=422, error=t(
                lang, "slots.refused", problem=t(lang, f"slots.p.{exc.code}", **words) if exc.code else str(exc)))
    return RedirectResponse(f"/console/park/{park}/booths?note={'assigned' if new else 'freed'}&booth={booth}",
                            status_code=303)
