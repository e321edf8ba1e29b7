"""The park console's catalogue editor, proposals of new parks and their decision.

A park's staff (and platform admins) edit its facts in a structured form; the form
becomes the entry's TOML (``world.catalogue_toml``, the files' own layout, fields the
form does not show kept as they were), ``world.catalogue`` checks it, the database
stores it over the revision the editor read (one transaction, audit-logged), the
park's bookable spaces follow its venues (``server.bookings.venues.sync_park``), and a
``park.changed`` hint makes the world server rebuild the scene and reload the park.
The page then shows what the world server reported (``park.rebuilt``).

Anyone signed in may propose a new park (the office of a park that is not on the
platform has no staff account yet); a platform admin approves it (the entry goes
live, the park's organization is created with the proposer as staff, the world
server builds and hosts it) or rejects it with a note. The proposer hears either way
in their inbox.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException

from server import notices
from server.bookings.venues import sync_park
from server.db.catalogue import CatalogueConflict, CatalogueEntry
from server.db.inbox import Notice
from server.park_reload import CHANGED
from server.web.guard import Viewer, need, web_of
from server.web.profile_form import pydantic_code
from server.web.render import render
from world.catalogue import AREA_KINDS, BUILDING_STYLES, VENUE_KINDS, CatalogueError, Park
from world.catalogue_toml import entry_text, header_for, split_header
from world.people import Person
from world.permissions import Resource

log = logging.getLogger("cloudpark.web")
router = APIRouter(prefix="/console/park", include_in_schema=False)
ParkId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
MAX_VENUES = 60
BLANK_VENUES = 1  # empty rows offered for new venues
ORIGIN_PROPOSED = "Proposed in the park console by a park office; every fact has a source below."
_ROW = re.compile(r"^venue-(\d{1,3})-(id|name|kind|capacity|building|estimated|remove|new)$")


async def _park(request: Request, person: Person) -> Resource:
    return Resource(park_id=request.path_params["park"])


Editor = Annotated[Viewer, Depends(need("park.edit", _park))]
Proposer = Annotated[Viewer, Depends(need("park.propose"))]
Admin = Annotated[Viewer, Depends(need("park.approve"))]
DecideAdmin = Annotated[Viewer, Depends(need("park.approve", _park))]


# --- the form ----------------------------------------------------------------------

class VenueRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field("", max_length=64)
    name: str = Field("", max_length=200)
    kind: str = Field("hall", max_length=16)
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    building: str = Field("", max_length=100)
    estimated: bool = False
    remove: bool = False
    new: bool = False  # a row for a venue that is not in the entry yet


class ParkFacts(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    park_id: str = Field("", max_length=64)
    revision: int = Field(0, ge=0)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    address_zh: str = Field("", max_length=200)
    notes: str = Field("", max_length=2000)
    style: str = Field(max_length=16)
    area_m2: float = Field(gt=0, le=1e9)
    area_kind: str = Field("site", max_length=16)
    area_estimated: bool = False
    area_basis: str = Field("", max_length=500)
    location_lat: float | None = Field(None, ge=-90, le=90)
    location_lon: float | None = Field(None, ge=-180, le=180)
    location_estimated: bool = False
    location_basis: str = Field("", max_length=500)
    sources: str = Field("", max_length=4000)
    venues: list[VenueRow] = Field(default_factory=list, max_length=MAX_VENUES)


FLAGS = ("area_estimated", "location_estimated")
NUMBERS = ("area_m2", "location_lat", "location_lon")


def _collect(form: Any) -> tuple[dict[str, Any], list[int]]:
    """The submitted fields as ``ParkFacts`` input, and the form row number of each venue."""
    data: dict[str, Any] = {k: False for k in FLAGS}
    rows: dict[int, dict[str, Any]] = {}
    for key, value in form.multi_items():
        if key == "csrf" or not isinstance(value, str):
            continue
        found = _ROW.match(key)
        if found:
            row = rows.setdefault(int(found.group(1)), {})
            name = found.group(2)
            row[name] = True if name in ("estimated", "remove", "new") else value
            continue
        if key in FLAGS:
            data[key] = True
        elif key in NUMBERS:
            data[key] = value.strip() or None
        else:
            data[key] = value
    order = sorted(rows)
    venues = []
    for n in order:
        row = rows[n]
        if row.get("capacity", "") == "":
            row["capacity"] = None
        venues.append(row)
    data["venues"] = venues
    return data, order


def _field_of(loc: tuple[Any, ...], order: list[int]) -> str:
    if len(loc) >= 3 and loc[0] == "venues" and isinstance(loc[1], int) and loc[1] < len(order):
        return f"venue-{order[loc[1]]}-{loc[2]}"
    return str(loc[0]) if loc else "form"


def _catalogue_field(fld: str, venue_rows: list[int]) -> str:
    """A ``world.catalogue`` field name (``area.m2``, ``venues[2].capacity``) as the form's."""
    found = re.match(r"^venues\[(\d+)\]\.?(.*)$", fld)
    if found:
        i = int(found.group(1))
        row = venue_rows[i] if i < len(venue_rows) else i
        return f"venue-{row}-{found.group(2) or 'name'}"
    if fld == "id":
        return "park_id"
    if fld in ("(file)", "(files)"):
        return "form"
    return fld.replace(".", "_")


def _number(typed: float, old: Any) -> int | float:
    """The figure as the entry writes it: the old value when it is the same number."""
    if isinstance(old, int | float) and not isinstance(old, bool) and float(old) == typed:
        return old
    return int(typed) if typed.is_integer() else typed


def _raw_from(facts: ParkFacts, base: dict[str, Any], park_id: str) -> tuple[dict[str, Any], list[int]]:
    """The entry's TOML table: ``base`` (the stored entry) with the form's facts put in,
    and for each venue written the index of its row in ``facts.venues``."""
    raw = dict(base)
    raw["id"] = park_id
    raw["name_zh"], raw["name_en"], raw["style"] = facts.name_zh, facts.name_en, facts.style
    for key in ("address_zh", "notes"):
        value = getattr(facts, key)
        if value:
            raw[key] = value
        else:
            raw.pop(key, None)
    old_area = base.get("area") if isinstance(base.get("area"), dict) else {}
    area: dict[str, Any] = {"m2": _number(facts.area_m2, old_area.get("m2")), "kind": facts.area_kind}
    if facts.area_estimated:
        area["estimated"] = True
    if facts.area_basis or facts.area_estimated:
        area["basis"] = facts.area_basis
    raw["area"] = area
    if facts.location_lat is None and facts.location_lon is None:
        raw.pop("location", None)
    else:
        location: dict[str, Any] = {"lat": facts.location_lat, "lon": facts.location_lon}
        if facts.location_estimated:
            location["estimated"] = True
        if facts.location_basis or facts.location_estimated:
            location["basis"] = facts.location_basis
        raw["location"] = {k: v for k, v in location.items() if v is not None}
    sources = [line.strip() for line in facts.sources.splitlines() if line.strip()]
    if sources or "sources" not in raw:
        raw["sources"] = sources
    old = {v.get("id"): v for v in base.get("venues", []) if isinstance(v, dict)}
    taken = {v.id for v in facts.venues if not v.new and v.id}
    venues: list[dict[str, Any]] = []
    rows: list[int] = []
    for i, row in enumerate(facts.venues):
        if row.remove or (row.new and not row.name and not row.id):
            continue
        vid = row.id
        if row.new and not vid:  # a new venue gets the next free id of its kind
            n = 1
            while f"{row.kind}-{n}" in taken:
                n += 1
            vid = f"{row.kind}-{n}"
        taken.add(vid)
        venue: dict[str, Any] = {**old.get(vid, {}), "id": vid, "name": row.name, "kind": row.kind}
        for key, value in (("capacity", row.capacity), ("building", row.building)):
            if value:
                venue[key] = value
            else:
                venue.pop(key, None)
        if row.estimated:
            venue["estimated"] = True
        else:
            venue.pop("estimated", None)
        venues.append(venue)
        rows.append(i)
    raw["venues"] = venues
    return raw, rows


def _header(old_document: str, facts: ParkFacts) -> str:
    header, _ = split_header(old_document) if old_document else ("", "")
    first = f"# Cloud Park catalogue entry: {facts.name_en} ({facts.name_zh}).\n"
    if header.startswith("# Cloud Park catalogue entry:"):
        return first + header.split("\n", 1)[1]
    return header_for(facts.name_en, facts.name_zh, ORIGIN_PROPOSED, BUILDING_STYLES)


def document_from(facts: ParkFacts, old_document: str, park_id: str, order: list[int]) -> tuple[str, list[int]]:
    """The entry's new TOML text, and the form row of each venue it holds."""
    base = tomllib.loads(split_header(old_document)[1]) if old_document else {}
    raw, rows = _raw_from(facts, base, park_id)
    return entry_text(raw, _header(old_document, facts)), [order[i] for i in rows]


def values_of(park: Park, document: str, revision: int) -> dict[str, Any]:
    """The form filled from a stored entry."""
    loc = park.location
    return {
        "park_id": park.id, "revision": revision, "name_zh": park.name_zh, "name_en": park.name_en,
        "address_zh": park.address_zh or "", "notes": park.notes or "", "style": park.style,
        "area_m2": f"{park.area.m2:g}" if park.area.m2 < 1e6 else f"{park.area.m2:.0f}",
        "area_kind": park.area.kind, "area_estimated": park.area.estimated, "area_basis": park.area.basis,
        "location_lat": "" if loc is None else f"{loc.lat}", "location_lon": "" if loc is None else f"{loc.lon}",
        "location_estimated": bool(loc and loc.estimated), "location_basis": loc.basis if loc else "",
        "sources": "\n".join(park.sources),
        "venues": [{"row": i, "id": v.id, "name": v.name, "kind": v.kind, "capacity": v.capacity or "",
                    "building": v.building or "", "estimated": v.estimated, "new": False}
                   for i, v in enumerate(park.venues)],
    }


def _blank(values: dict[str, Any]) -> dict[str, Any]:
    start = max((v["row"] for v in values["venues"]), default=-1) + 1
    values["venues"] = [*values["venues"], *({"row": start + k, "id": "", "name": "", "kind": "hall",
                                               "capacity": "", "building": "", "estimated": False, "new": True}
                                              for k in range(BLANK_VENUES))]
    return values


def _submitted(data: dict[str, Any], order: list[int]) -> dict[str, Any]:
    """What was typed, to show the form again with its errors."""
    values = {k: v for k, v in data.items() if k != "venues"}
    for k in NUMBERS:
        values[k] = values.get(k) or ""
    values["venues"] = [{"row": n, "id": r.get("id", ""), "name": r.get("name", ""), "kind": r.get("kind", "hall"),
                         "capacity": r.get("capacity") or "", "building": r.get("building", ""),
                         "estimated": bool(r.get("estimated")), "new": bool(r.get("new"))}
                        for n, r in zip(order, data["venues"], strict=True)
                        if not r.get("remove") and not (r.get("new") and not r.get("name"))]
    return values


Say = Callable[..., str]


def _say(request: Request, lang: str) -> Say:
    """The catalogue's words in ``lang``."""
    t = web_of(request).texts.translate
    return lambda key, **params: t(lang, key, **params)


def _shown(value: object) -> object:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return value


async def _read_form(request: Request, say: Say) -> tuple[ParkFacts | None, dict[str, Any], list[int], dict[str, str]]:
    data, order = _collect(await request.form())
    try:
        facts = ParkFacts.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            code, params = pydantic_code(e)
            errors[_field_of(tuple(e["loc"]), order)] = say(f"profile.p.{code}", **params)
        return None, data, order, errors
    return facts, data, order, {}


def _problems(exc: CatalogueError, venue_rows: list[int], say: Say) -> dict[str, str]:
    """The catalogue's problems by form field, in the person's language (the English
    where a problem has no words in the catalogue)."""
    out: dict[str, str] = {}
    for (_file, fld, problem), (code, params) in zip(exc.problems, exc.codes, strict=True):
        key = _catalogue_field(fld, venue_rows)
        text = say(f"catalogue.p.{code}", **{k: _shown(v) for k, v in params.items()}) if code else problem
        out[key] = f"{out[key]}; {text}" if key in out else text
    return out


_PARTS = {"name": "venue_name", "kind": "venue_kind", "id": "venue_id", "capacity": "capacity",
          "building": "building", "estimated": "estimated"}


def error_label(say: Say, keys: frozenset[str], name: str) -> str:
    """A form field by its label, for the list of problems above the form ("" for the form itself)."""
    found = re.match(r"^venue-(\d+)-(\w+)$", name)
    if found:
        part = _PARTS.get(found.group(2), "venue_name")
        return f"{say('catalogue.venues')} {int(found.group(1)) + 1} · {say('catalogue.field.' + part)}"
    group, _, rest = name.partition("_")
    if group in ("area", "location") and rest in ("estimated", "basis", "lat", "lon"):
        return f"{say('catalogue.' + group)} · {say('catalogue.field.' + rest)}"
    if name in ("location", "venues"):
        return say(f"catalogue.{name}")
    if f"catalogue.field.{name}" in keys:
        return say(f"catalogue.field.{name}")
    return "" if name == "form" else name


def _page(request: Request, viewer: Viewer, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return render(request, viewer, template, status=status, console="park", styles=BUILDING_STYLES,
                  area_kinds=AREA_KINDS, venue_kinds=VENUE_KINDS, **context)


def _form_page(request: Request, viewer: Viewer, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page with the entry's form: its problems listed by the fields' labels."""
    say, keys = _say(request, viewer.lang), web_of(request).texts.keys()
    labels = {name: error_label(say, keys, name) for name in context.get("errors") or {}}
    return _page(request, viewer, template, status, error_labels=labels, **context)


# --- editing a live park -------------------------------------------------------------

async def _live(request: Request, park: str) -> CatalogueEntry:
    entry = await web_of(request).store.catalogue.get(park)
    if entry is None or entry.state != "live":
        raise HTTPException(404, f"no park {park} in the catalogue")
    return entry


def _edit_page(request: Request, viewer: Viewer, entry: CatalogueEntry, values: dict[str, Any], *,
               status: int = 200, errors: dict[str, str] | None = None, note: str = "") -> HTMLResponse:
    web = web_of(request)
    park = entry.park()
    state, last = web.live.status(entry.park_id, entry.revision)
    return _form_page(request, viewer, "park_catalogue_edit.html", status=status, park=park, entry=entry,
                 values=_blank(values), errors=errors or {}, note=note, rebuild=state, rebuilt=last,
                 title=park.name_zh if viewer.lang == "zh" else park.name_en)


@router.get("/catalogue/{park}", response_class=HTMLResponse)
async def edit_page(request: Request, viewer: Editor, park: ParkId) -> Response:
    entry = await _live(request, park)
    saved = request.query_params.get("saved", "")
    note = web_of(request).texts.translate(viewer.lang, "catalogue.saved", revision=saved) if saved.isdigit() else ""
    return _edit_page(request, viewer, entry, values_of(entry.park(), entry.document, entry.revision), note=note)


@router.post("/catalogue/{park}", response_class=HTMLResponse)
async def save(request: Request, viewer: Editor, park: ParkId) -> Response:
    web = web_of(request)
    entry = await _live(request, park)
    say = _say(request, viewer.lang)
    facts, data, order, errors = await _read_form(request, say)
    if facts is None:
        return _edit_page(request, viewer, entry, _submitted(data, order), status=422, errors=errors)
    document, venue_rows = document_from(facts, entry.document, park, order)
    try:
        saved = await web.store.catalogue.save(park, document, revision=facts.revision, now=web.clock.now())
    except CatalogueError as exc:
        return _edit_page(request, viewer, entry, _submitted(data, order), status=422,
                          errors=_problems(exc, venue_rows, say))
    except CatalogueConflict:
        fresh = await _live(request, park)
        return _edit_page(request, viewer, fresh, _submitted(data, order) | {"revision": fresh.revision},
                          status=409, errors={"form": say("catalogue.p.conflict")})
    await web.store.audit.add(viewer.person.user_id, "park.edit", f"park:{park}",
                              {"revision": saved.revision, "name_en": facts.name_en}, now=web.clock.now())
    await sync_park(web.store, saved.park(), entry.park(), now=web.clock.now())  # every venue a space
    web.live.changed(park, saved.revision)
    web.bus.publish(CHANGED, {"park": park, "revision": saved.revision})
    return RedirectResponse(f"/console/park/catalogue/{park}?saved={saved.revision}", status_code=303)


# --- proposing a new park ------------------------------------------------------------

def _empty_values() -> dict[str, Any]:
    return {"park_id": "", "revision": 0, "name_zh": "", "name_en": "", "address_zh": "", "notes": "",
            "style": "campus", "area_m2": "", "area_kind": "site", "area_estimated": False, "area_basis": "",
            "location_lat": "", "location_lon": "", "location_estimated": False, "location_basis": "",
            "sources": "", "venues": []}


async def _new_page(request: Request, viewer: Viewer, values: dict[str, Any], *, status: int = 200,
                    errors: dict[str, str] | None = None, note: str = "") -> HTMLResponse:
    mine = await web_of(request).store.catalogue.of_proposer(viewer.person.user_id)
    return _form_page(request, viewer, "park_catalogue_new.html", status=status, values=_blank(values),
                      errors=errors or {}, note=note, mine=mine)


@router.get("/new", response_class=HTMLResponse)
async def new_page(request: Request, viewer: Proposer) -> Response:
    sent = request.query_params.get("sent", "")
    note = web_of(request).texts.translate(viewer.lang, "catalogue.proposed", park=sent) if sent else ""
    return await _new_page(request, viewer, _empty_values(), note=note[:300])


@router.post("/new", response_class=HTMLResponse)
async def propose(request: Request, viewer: Proposer) -> Response:
    web = web_of(request)
    say = _say(request, viewer.lang)
    facts, data, order, errors = await _read_form(request, say)
    if facts is None:
        return await _new_page(request, viewer, _submitted(data, order), status=422, errors=errors)
    if not facts.park_id:
        return await _new_page(request, viewer, _submitted(data, order), status=422,
                               errors={"park_id": say("profile.p.required")})
    document, venue_rows = document_from(facts, "", facts.park_id, order)
    try:
        entry = await web.store.catalogue.propose(document, by=viewer.person.user_id, now=web.clock.now())
    except CatalogueError as exc:
        return await _new_page(request, viewer, _submitted(data, order), status=422,
                               errors=_problems(exc, venue_rows, say))
    await web.store.audit.add(viewer.person.user_id, "park.propose", f"park:{entry.park_id}",
                              {"name_en": facts.name_en}, now=web.clock.now())
    return RedirectResponse(f"/console/park/new?sent={entry.park_id}", status_code=303)


# --- deciding proposals (platform admins) -----------------------------------------------

@router.get("/proposals", response_class=HTMLResponse)
async def proposals(request: Request, viewer: Admin) -> Response:
    store = web_of(request).store
    waiting = [(e, e.park()) for e in await store.catalogue.of_state("proposed")]
    decided = await store.catalogue.of_state("rejected", limit=20)
    done = request.query_params.get("done", "")[:80]
    entry = await store.catalogue.get(done) if done else None  # what was decided, as the catalogue now holds it
    note = ""
    if entry is not None and entry.decided_by and entry.state in ("live", "rejected"):
        facts, t = entry.park(), web_of(request).texts.translate
        name = (facts.name_zh or facts.name_en) if viewer.lang == "zh" else (facts.name_en or facts.name_zh)
        note = (t(viewer.lang, "catalogue.proposals.done_approved", name=name, park=done) if entry.state == "live"
                else t(viewer.lang, "catalogue.proposals.done_rejected", name=name, park=done, note=entry.note))
    elif done:
        note = web_of(request).texts.translate(viewer.lang, "catalogue.proposals.done", park=done)
    return _page(request, viewer, "park_catalogue_proposals.html", waiting=waiting, decided=decided,
                 errors={}, done=note)


@router.post("/proposals/{park}", response_class=HTMLResponse)
async def decide(request: Request, viewer: DecideAdmin, park: ParkId,
                 decision: Annotated[str, Form(pattern="^(approve|reject)$")],
                 note: Annotated[str, Form(max_length=500)] = "") -> Response:
    web = web_of(request)
    who, now = viewer.person.user_id, web.clock.now()
    note = note.strip()
    if decision == "reject" and not note:
        waiting = [(e, e.park()) for e in await web.store.catalogue.of_state("proposed")]
        decided = await web.store.catalogue.of_state("rejected", limit=20)
        return _page(request, viewer, "park_catalogue_proposals.html", status=422, waiting=waiting,
                     decided=decided, errors={park: web.texts.translate(viewer.lang, "catalogue.proposals.note_needed")},
                     done="")
    try:
        if decision == "approve":
            entry = await web.store.catalogue.approve(park, by=who, now=now)
        else:
            entry = await web.store.catalogue.reject(park, by=who, note=note, now=now)
    except (CatalogueConflict, CatalogueError) as exc:
        waiting = [(e, e.park()) for e in await web.store.catalogue.of_state("proposed")]
        decided = await web.store.catalogue.of_state("rejected", limit=20)
        return _page(request, viewer, "park_catalogue_proposals.html", status=409, waiting=waiting,
                     decided=decided, done="", errors={park: "; ".join(
                         _problems(exc, [], _say(request, viewer.lang)).values()) if isinstance(exc, CatalogueError)
                         else web.texts.translate(viewer.lang, "catalogue.p.no_proposal")})
    facts = entry.park()
    await web.store.audit.add(who, f"park.{decision}", f"park:{park}",
                              {"proposed_by": entry.proposed_by, "note": note}, now=now)
    if entry.proposed_by:
        kind = "approved" if decision == "approve" else "rejected"
        notice = Notice("catalogue", f"inbox.park_{kind}.title", f"inbox.park_{kind}.body",
                        {"park": park, "name_zh": facts.name_zh, "name_en": facts.name_en, "note": note},
                        link=f"/console/park/catalogue/{park}" if decision == "approve" else "/console/park/new")
        try:
            await notices.send(web.store, web.bus, [entry.proposed_by], notice, now=now)
        except IntegrityError:  # the proposer's account is gone: nobody to tell
            log.info("park %s decided; its proposer %s has no account any more", park, entry.proposed_by)
    if decision == "approve":
        await sync_park(web.store, facts, None, now=now)  # the new park's venues are bookable spaces
        web.live.changed(park, entry.revision)
        web.bus.publish(CHANGED, {"park": park, "revision": entry.revision})
    return RedirectResponse(f"/console/park/proposals?done={park}", status_code=303)
