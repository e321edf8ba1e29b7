"""What the application pages share: the service (made once per app), reading uploaded
files out of a multipart form (bounded), the uploads' body limit, and the words of a
refusal.

Files come as form fields named ``file.<material key>`` (several per material); the
form's other fields are the amount claimed (``claimed``), a note and the step. A
request's body is limited by ``LARGER`` (``protect.BodyLimit``): at most
``MAX_REQUEST`` bytes, a 413 page above."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from starlette.types import Scope

from server import uploads
from server.policies.applications import MAX_FILES, ApplicationService, ApplyRefused, Incoming
from server.web.guard import viewer_of, web_of
from server.web.protect import Larger
from server.web.render import render

MAX_REQUEST = 3 * uploads.MAX_BYTES + 64 * 1024  # a few files at once; more go in a later step
UPLOAD_PATHS = re.compile(r"/console/enterprise/\d{1,18}/(policies/\d{1,18}/apply|applications/\d{1,18}/step)"
                          r"|/api/enterprise/\d{1,18}/(policies/\d{1,18}/applications|applications/\d{1,18}/steps)")
FILE_FIELD = "file."


def service_of(request: Request) -> ApplicationService:
    web = web_of(request)
    if web.applications is None:
        web.applications = ApplicationService(web.store, web.bus, uploads.local(web.config.data_dir), web.clock,
                                              zone=web.config.zone_timezone)
    service: ApplicationService = web.applications
    return service


async def _too_large(scope: Scope, limit: int) -> Response:
    request = Request(scope)
    if request.url.path.startswith("/api/"):
        from fastapi.responses import JSONResponse
        return JSONResponse({"detail": f"request body too large: at most {limit} bytes"}, status_code=413)
    return render(request, await viewer_of(request), "error.html", status=413, message="apply.too_large",
                  fields=[], mib=limit // (1024 * 1024))


LARGER = Larger(UPLOAD_PATHS, MAX_REQUEST, _too_large)


async def read_files(request: Request) -> tuple[dict[str, str], list[Incoming]]:
    """The form's text fields and its files (``ApplyRefused`` naming the field when a
    file is over the limit or there are too many)."""
    form = await request.form(max_files=MAX_FILES, max_fields=50)
    fields: dict[str, str] = {}
    files: list[Incoming] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if not name.startswith(FILE_FIELD):
                raise ApplyRefused("unknown_material", f"{name}: files go in file.<material> fields", field=name,
                                   material=name)
            if not value.filename and not value.size:
                continue  # a file input left empty
            data = await value.read(uploads.MAX_BYTES + 1)
            if len(data) > uploads.MAX_BYTES:
                raise ApplyRefused("upload.refused.too_large", f"{name}: over {uploads.MAX_BYTES} bytes",
                                   field=name, name=value.filename or "", mib=uploads.MAX_BYTES // 1024 // 1024,
                                   material=name[len(FILE_FIELD):], material_en=name[len(FILE_FIELD):])
            files.append(Incoming(name[len(FILE_FIELD):], value.filename or "", data))
        else:
            fields[name] = value
    return fields, files


def refusal_text(request: Request, lang: str, why: ApplyRefused) -> str:
    """The refusal in the viewer's words (the material's name in their language)."""
    params: dict[str, Any] = dict(why.params)
    if lang != "zh" and "material_en" in params:
        params["material"] = params["material_en"]
    return web_of(request).texts.translate(lang, why.key, **params)


def parse_amount(text: str | None, field: str) -> float | None:
    """A yuan amount typed in a form ("150000", "150,000", "1.5e5" refused); None when empty."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if not re.fullmatch(r"\d{1,11}(\.\d{1,2})?", text):
        raise ApplyRefused("bad_amount", f"{field}: a whole amount of yuan, such as 150000", field=field)
    return float(text)
