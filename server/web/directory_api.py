"""``GET /api/directory``: the zone's directory of enterprises and institutions.

Public: who is in the zone, in which park, in which industry, is public information
(the portal's ``/directory`` page shows the same). Contacts are not: the directory
never reads them (``server.db.directory`` selects names, park, codes and tags only).

Pages go by cursor: each answer's ``next`` is an opaque string to pass back as
``cursor`` for the page after it (bound to the search it came from; keyset paging,
so a deep page costs what the first does and pages neither repeat nor skip rows
while enterprises are added).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from server.db.directory import KINDS, Cursor, CursorError, DirectoryPage, DirectoryQuery
from server.web.guard import Viewer, public, web_of
from world.profiles import SERVICE_KINDS

router = APIRouter(prefix="/api")
Public = Annotated[Viewer, Depends(public)]
MAX_LIMIT = 50
MATCHES = ("exact", "prefix", "contains", "listed")
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL in text)
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=PRINTABLE)]


class DirectorySearch(BaseModel):
    """What a directory search may ask (query parameters; any other is refused)."""

    model_config = ConfigDict(extra="forbid")
    q: str = Field(default="", max_length=64, pattern=PRINTABLE, description="part of a name, Chinese or English (case and spacing "
                   "ignored); empty lists everything that passes the filters")
    kind: Literal["enterprise", "institution"] | None = Field(default=None, description="only this kind")
    park: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="a park id")
    industry: str | None = Field(default=None, pattern=r"^[0-9]{1,4}$",
                                 description="a GB/T 4754 industry code or its first digits (87 finds 8730)")
    service: Literal[SERVICE_KINDS] | None = Field(  # type: ignore[valid-type]
        default=None, description="institutions offering this service")
    tag: list[Tag] = Field(default=[], max_length=5, description="tags; every one must be present")
    cursor: str | None = Field(default=None, max_length=600,
                               description="the `next` of the previous page, unchanged (the first page: none)")
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT, description=f"entries per page, 1 to {MAX_LIMIT}")

    @field_validator("kind", "park", "industry", "service", "cursor", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:  # a form's empty field means "any"
        return None if value == "" else value

    @field_validator("tag", mode="before")
    @classmethod
    def _no_blank_tags(cls, value: object) -> object:
        return [v for v in value if v.strip()] if isinstance(value, list) else value


class DirectoryEntry(BaseModel):
    id: int = Field(description="the organization's id")
    kind: Literal["enterprise", "institution"]
    name_zh: str
    name_en: str
    park_id: str = Field(description="the park it is in ('' for none)")
    industry_codes: list[str]
    service_kinds: list[str]
    tags: list[str]
    match: Literal["exact", "prefix", "contains", "listed"] = Field(
        description="how the name matched q: equal, starts with it, contains it; listed when q is empty")


class DirectoryResults(BaseModel):
    entries: list[DirectoryEntry] = Field(description="relevant first (exact, prefix, contains), then by name")
    next: str | None = Field(description="pass as cursor for the next page; null on the last page")
    limit: int


class FieldProblem(BaseModel):
    field: str = Field(description="the parameter, e.g. cursor, limit, tag.0")
    message: str
    type: str
    ctx: dict[str, str]


class Invalid(BaseModel):
    """How the app answers bad input (server/web/app.py): every bad field named."""

    detail: list[FieldProblem]
    message: str = Field(description="'field: message; ...' in one line")


def directory_query(search: DirectorySearch) -> DirectoryQuery:
    """The repository's query for ``search``; a bad cursor is refused naming the field."""
    query = DirectoryQuery(search.q, kinds=(search.kind,) if search.kind else KINDS, park_id=search.park,
                           industry=search.industry, service=search.service, tags=tuple(search.tag),
                           limit=search.limit)
    if search.cursor is None:
        return query
    try:
        return replace(query, after=Cursor.decode(search.cursor, query))
    except CursorError as exc:
        raise RequestValidationError([{"loc": ("query", "cursor"), "msg": str(exc), "type": "value_error",
                                       "input": search.cursor}]) from None


async def search_directory(request: Request, search: DirectorySearch) -> tuple[DirectoryQuery, DirectoryPage]:
    query = directory_query(search)
    return query, await web_of(request).store.directory.search(query)


@router.get("/directory", response_model=DirectoryResults, responses={422: {"model": Invalid}})
async def directory(request: Request, viewer: Public,
                    search: Annotated[DirectorySearch, Query()]) -> DirectoryResults:
    query, page = await search_directory(request, search)
    return DirectoryResults(
        entries=[DirectoryEntry(id=h.org_id, kind=h.kind, name_zh=h.name_zh,  # type: ignore[arg-type]
                                name_en=h.name_en, park_id=h.park_id, industry_codes=list(h.industry_codes),
                                service_kinds=list(h.service_kinds), tags=list(h.tags), match=MATCHES[h.match])  # type: ignore[arg-type]
                 for h in page.hits],
        next=page.next.encode(query) if page.next else None, limit=page.limit)
