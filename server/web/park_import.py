"""The park console's tenant import: a spreadsheet of tenants (CSV or XLSX) becomes
the park's enterprises in one transaction, or, if anything is wrong with it, nothing
is written and the page lists every problem (row, column, what is wrong) in the
person's language. Templates to fill in come as CSV and XLSX with the header row in
that language; either language's header is understood.

The upload has its own body limit (``LARGER``, given to ``protect.BodyLimit``): a
sheet up to ``tenant_import.MAX_UPLOAD`` bytes, refused above with 413 and this page.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.types import Scope

from server.db.park_office import ImportChanged
from server.web.guard import Viewer, need, viewer_of, web_of
from server.web.park_console import (
    ParkId,
    audit_target,
    name_in,
    park_names,
    park_page,
    park_resource,
    zone_of,
)
from server.web.protect import Larger
from server.web.render import render
from server.web.services import Web
from server.web.tenant_import import (
    MAX_UPLOAD,
    XLSX_TYPE,
    SheetFileError,
    read_upload,
    template_csv,
    template_xlsx,
)
from world.i18n import LANGS
from world.profiles import Verification
from world.tenants import COLUMNS, MAX_ROWS, Problem, plan_import, read_sheet

router = APIRouter(prefix="/console/park", include_in_schema=False)
Importer = Annotated[Viewer, Depends(need("park.tenants", park_resource))]
Format = Annotated[str, Path(pattern=r"^(csv|xlsx)$")]
UPLOAD_PATH = re.compile(r"/console/park/(?P<park>[a-z0-9][a-z0-9-]{0,63})/import")
MULTIPART_ROOM = 64 * 1024  # the form's other fields and the multipart framing


def _labels(request: Request, lang: str) -> list[str]:
    t = web_of(request).texts.translate
    return [t(lang, f"import.col.{c}") for c in COLUMNS]


def _form(request: Request, viewer: Viewer, park: str, *, status: int = 200, error: str = "",
          problems: list[dict[str, Any]] | None = None, done: dict[str, Any] | None = None,
          filename: str = "") -> HTMLResponse:
    return park_page(request, viewer, "park_import.html", park, "import", status=status, error=error,
                     problems=problems or [], done=done, labels=_labels(request, viewer.lang), columns=COLUMNS,
                     max_rows=MAX_ROWS, max_mib=MAX_UPLOAD // (1024 * 1024), filename=filename)


@router.get("/{park}/import", response_class=HTMLResponse)
async def import_page(request: Request, viewer: Importer, park: ParkId) -> Response:
    return _form(request, viewer, park)


@router.get("/{park}/import/template.{fmt}")
async def template(request: Request, viewer: Importer, park: ParkId, fmt: Format) -> Response:
    labels = _labels(request, viewer.lang)
    name = f"tenants-{park}-{viewer.lang}.{fmt}"
    disposition = {"content-disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(template_csv(labels), media_type="text/csv; charset=utf-8", headers=disposition)
    title = web_of(request).texts.translate(viewer.lang, "import.sheet_title")
    return Response(template_xlsx(labels, title), media_type=XLSX_TYPE, headers=disposition)


def _problem(request: Request, lang: str, p: Problem) -> dict[str, Any]:
    t = web_of(request).texts.translate
    column = t(lang, f"import.col.{p.column}") if p.column else ""
    params = dict(p.params)
    if "park" in params:  # a park id: shown by its name
        params["park"] = name_in(lang, *park_names(web_of(request), str(params["park"])))
    return {"row": p.row, "column": column, "text": t(lang, f"import.p.{p.code}", **params)}


def _order(p: Problem) -> tuple[int, int]:
    return p.row, COLUMNS.index(p.column) if p.column in COLUMNS else -1


def _aliases(request: Request) -> dict[str, str]:
    t = web_of(request).texts.translate
    return {t(lang, f"import.col.{c}"): c for lang in LANGS for c in COLUMNS}


@router.post("/{park}/import", response_class=HTMLResponse)
async def upload(request: Request, viewer: Importer, park: ParkId, sheet: Annotated[UploadFile, File()],
                 csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    t, lang, now = web.texts.translate, viewer.lang, web.clock.now()
    filename = (sheet.filename or "")[:200]
    data = await sheet.read(MAX_UPLOAD + 1)
    try:
        grid = read_upload(filename, data)
    except SheetFileError as exc:
        return _form(request, viewer, park, status=413 if exc.code == "too_large" else 422, filename=filename,
                     error=t(lang, f"import.file.{exc.code}", **exc.params))
    read = read_sheet(grid.header, grid.rows, park_id=park, this_year=_year(web, now), aliases=_aliases(request))
    if read.problems:  # the good rows are set against the database too: the report is whole
        known = await web.store.park_office.registered([r.profile.credit_code or "" for r in read.rows])
        found = sorted((*read.problems, *plan_import(read.rows, known, park).problems), key=_order)
        return _form(request, viewer, park, status=422, filename=filename,
                     problems=[_problem(request, lang, p) for p in found])
    office = await web.store.park_office.office(park, now)
    try:
        imported = await web.store.park_office.import_tenants(park, read.rows, Verification(
            viewer.person.user_id, office, now), now=now)
    except (IntegrityError, ImportChanged):
        return _form(request, viewer, park, status=409, filename=filename, error=t(lang, "import.changed"))
    if not imported.written:
        return _form(request, viewer, park, status=422, filename=filename,
                     problems=[_problem(request, lang, p) for p in imported.plan.problems])
    plan = imported.plan
    done = {"created": len(plan.create), "admitted": len(plan.admit), "here": len(plan.here)}
    await web.store.audit.add(viewer.person.user_id, "park.import", audit_target(park, "import"),
                              {**done, "file": filename, "rows": len(read.rows)}, now=now)
    return _form(request, viewer, park, done=done, filename=filename)


def _year(web: Web, now: float) -> int:
    """This year in the zone: no enterprise was founded after it."""
    return datetime.fromtimestamp(now, ZoneInfo(zone_of(web))).year


async def too_large(scope: Scope, limit: int) -> Response:
    """The page saying the file is too large (the body limit's answer for this route,
    before anyone's rights are known: it shows the limit and the way back, nothing of the park)."""
    request = Request(scope)
    viewer = await viewer_of(request)
    found = UPLOAD_PATH.fullmatch(scope.get("path", ""))
    return render(request, viewer, "park_upload_refused.html", status=413, park=found.group("park") if found else "",
                  max_mib=MAX_UPLOAD // (1024 * 1024))


LARGER = (Larger(UPLOAD_PATH, MAX_UPLOAD + MULTIPART_ROOM, too_large),)
