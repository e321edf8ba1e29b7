"""The enterprise console's booth editor: the same content rules and the same stored
write as the 3D clients' ``booth_edit``, and the same live push: a ``booth.changed``
hint on the bus makes the world server re-read the booth and show it to the visitors
standing in it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from server.web.guard import Viewer, need, web_of
from server.web.render import render
from world.booths import BoothRecord, BoothRuleError, apply_patch
from world.people import ENTERPRISE_MANAGERS, Person
from world.permissions import Resource
from world.protocol.constants import MAX_SHORT_CHARS, MAX_TEXT_CHARS, MAX_URL_CHARS
from world.protocol.messages import BoothPatch

router = APIRouter(prefix="/console/enterprise/booths", include_in_schema=False)
ParkId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
BoothId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
FIELDS = ("name", "tagline", "description", "logo", "image", "video")


async def _booth(request: Request, person: Person) -> Resource:
    park, booth = request.path_params["park"], request.path_params["booth"]
    row = await web_of(request).store.booths.get(park, booth)
    return Resource(park_id=park, booth_id=booth, owner_org=row.owner_org if row is not None else None)


Editor = Annotated[Viewer, Depends(need("booth.edit", _booth))]


async def _form(request: Request, viewer: Viewer, park: str, booth: str, values: dict[str, str], *,
                status: int = 200, note: str = "", error: str = "") -> HTMLResponse:
    """The editor, under the tabs of the console the person came from: the owning
    enterprise's for its owners and admins, the park console's for the park's staff."""
    web = web_of(request)
    entry = next((p for p in web.catalogue if p.id == park), None)
    title = (entry.name_zh if viewer.lang == "zh" else entry.name_en) if entry is not None else park
    row = await web.store.booths.get(park, booth)
    person, org = viewer.person, None
    if row is not None and row.owner_org is not None and person.role_in(row.owner_org) in ENTERPRISE_MANAGERS:
        org = await web.store.orgs.get(row.owner_org)
    console = "enterprise" if org is not None or park not in person.parks else "park"
    return render(request, viewer, "booth_edit.html", status=status, console=console, park=park, booth=booth,
                  park_title=title, values=values, fields=FIELDS, note=note, error=error, org=org)


def _refusal(request: Request, lang: str, exc: BoothRuleError) -> str:
    """Why the content was refused, in ``lang``, naming the field by its label."""
    t = web_of(request).texts.translate
    if not exc.code or exc.field not in FIELDS:  # a rule without words in the catalogue
        return t(lang, "booth.invalid", problem=str(exc))
    return t(lang, "booth.refused", field=t(lang, f"booth.field.{exc.field}"),
             problem=t(lang, f"field.p.{exc.code}", **exc.params))


@router.get("/{park}/{booth}", response_class=HTMLResponse)
async def edit_page(request: Request, viewer: Editor, park: ParkId, booth: BoothId) -> Response:
    row = await web_of(request).store.booths.get(park, booth)
    content = row.content if row is not None else None
    values = {f: str(getattr(content, f, "") or "") for f in FIELDS}
    return await _form(request, viewer, park, booth, values)


@router.post("/{park}/{booth}", response_class=HTMLResponse)
async def save(request: Request, viewer: Editor, park: ParkId, booth: BoothId,
               name: Annotated[str, Form(max_length=MAX_SHORT_CHARS)] = "",
               tagline: Annotated[str, Form(max_length=MAX_SHORT_CHARS)] = "",
               description: Annotated[str, Form(max_length=MAX_TEXT_CHARS)] = "",
               logo: Annotated[str, Form(max_length=MAX_URL_CHARS)] = "",
               image: Annotated[str, Form(max_length=MAX_URL_CHARS)] = "",
               video: Annotated[str, Form(max_length=MAX_URL_CHARS)] = "",
               csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    values = {"name": name, "tagline": tagline, "description": description, "logo": logo, "image": image,
              "video": video}
    row = await web.store.booths.get(park, booth)
    record = BoothRecord(booth, park, owner_org=row.owner_org if row else None)
    if row is not None:
        record.content = row.content
    t = web.texts.translate
    try:
        content = apply_patch(record, BoothPatch(**values))
    except BoothRuleError as exc:
        return await _form(request, viewer, park, booth, values, status=422,
                     error=_refusal(request, viewer.lang, exc))
    if not await web.store.booths.save_content(park, booth, record.owner_org, content, web.clock.now()):
        return await _form(request, viewer, park, booth, values, status=409, error=t(viewer.lang, "booth.conflict"))
    web.bus.publish("booth.changed", {"park": park, "booth": booth})
    return await _form(request, viewer, park, booth, {f: str(getattr(content, f) or "") for f in FIELDS},
                 note=t(viewer.lang, "booth.saved"))
