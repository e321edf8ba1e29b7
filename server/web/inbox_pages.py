"""The inbox in the consoles: ``/console/inbox`` for every signed-in person, and the
JSON API ``GET /api/inbox``, ``POST /api/inbox/read``.

Notifications are written by the services through ``server.notices.send`` (which also
pushes them into the 3D parks); here they are read newest first with keyset paging
(``before``: the last id of the page before), unread ones marked, and marked read one
by one or all at once. A notification holds catalogue keys and parameters: it is
rendered in the viewer's language here. Everyone sees only their own inbox (the
repository filters by recipient; another person's ids are left alone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from server.db.inbox import MAX_PAGE, Notification
from server.notices import render as render_notice
from server.web.guard import Viewer, need, web_of
from server.web.render import render, safe_next

router = APIRouter(prefix="/console/inbox", include_in_schema=False)
api = APIRouter(prefix="/api/inbox")
Self = Annotated[Viewer, Depends(need("account.self"))]
PAGE = 20
Before = Annotated[int | None, Query(ge=1, le=2**62, description="the last id of the page before (keyset paging)")]


class InboxItem(BaseModel):
    id: int
    kind: str = Field(description="the service that wrote it: booking, event, policy, park, enterprise, account")
    title: str = Field(description="rendered in the viewer's language")
    body: str
    title_key: str = Field(description="the catalogue keys and parameters it was rendered from")
    body_key: str
    params: dict[str, Any]
    link: str = Field(description="a path on this site, or empty")
    created: float = Field(description="Unix seconds")
    unread: bool


class InboxPage(BaseModel):
    items: list[InboxItem]
    unread: int = Field(description="unread notifications in all")
    next_before: int | None = Field(description="pass as `before` for the next (older) page; null: no more")


class MarkRead(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(default_factory=list, max_length=MAX_PAGE,
                                                   description="notifications to mark read")
    all: bool = Field(default=False, description="mark every unread notification read")

    @model_validator(mode="after")
    def _something(self) -> MarkRead:
        if not self.ids and not self.all:
            raise ValueError("ids: name at least one notification id, or send all: true")
        return self


class Marked(BaseModel):
    marked: int = Field(description="notifications that were unread and are read now")
    unread: int


class Problem(BaseModel):
    detail: str


def _local(link: str) -> str:
    """Only links to this site are shown as links."""
    return link if safe_next(link, "") else ""


def _item(request: Request, viewer: Viewer, n: Notification) -> InboxItem:
    title, body = render_notice(web_of(request).texts, viewer.lang, n.notice)
    return InboxItem(id=n.id, kind=n.notice.kind, title=title, body=body, title_key=n.notice.title_key,
                     body_key=n.notice.body_key, params=n.notice.params, link=_local(n.notice.link),
                     created=n.created, unread=n.unread)


async def _page(request: Request, viewer: Viewer, before: int | None, limit: int, unread_only: bool) -> InboxPage:
    inbox = web_of(request).store.inbox
    user = viewer.person.user_id
    found = await inbox.page(user, before=before, limit=limit, unread_only=unread_only)
    more = len(found) == limit and bool(await inbox.page(user, before=found[-1].id, limit=1, unread_only=unread_only))
    return InboxPage(items=[_item(request, viewer, n) for n in found], unread=await inbox.unread_count(user),
                     next_before=found[-1].id if more else None)


@router.get("", response_class=HTMLResponse)
async def inbox_page(request: Request, viewer: Self, before: Before = None,
                     unread: Annotated[bool, Query()] = False) -> Response:
    web = web_of(request)
    page = await _page(request, viewer, before, PAGE, unread)
    zone = ZoneInfo(getattr(web.config, "zone_timezone", "Asia/Shanghai"))
    when = {i.id: datetime.fromtimestamp(i.created, zone).strftime("%Y-%m-%d %H:%M") for i in page.items}
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return render(request, viewer, "inbox.html", console="inbox", page=page, when=when, unread_only=unread,
                  first=before is None, here=here)


@router.post("/read")
async def mark_read_form(request: Request, viewer: Self,
                         id: Annotated[int | None, Form(ge=1, le=2**62)] = None,
                         all: Annotated[bool, Form()] = False,
                         back: Annotated[str, Form(max_length=512)] = "/console/inbox",
                         csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    if id is not None or all:
        await web.store.inbox.mark_read(viewer.person.user_id, None if all else [id], now=web.clock.now())
    return RedirectResponse(safe_next(back, "/console/inbox"), status_code=303)


@api.get("", response_model=InboxPage, responses={401: {"model": Problem}})
async def inbox_api(request: Request, viewer: Self, before: Before = None,
                    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
                    unread_only: Annotated[bool, Query()] = False) -> InboxPage:
    """Your notifications, newest first, rendered in your language."""
    return await _page(request, viewer, before, limit, unread_only)


@api.post("/read", response_model=Marked, responses={401: {"model": Problem}, 403: {"model": Problem}})
async def mark_read_api(request: Request, viewer: Self, body: MarkRead) -> Marked:
    """Mark some (``ids``) or all (``all: true``) of your notifications read."""
    web = web_of(request)
    user = viewer.person.user_id
    marked = await web.store.inbox.mark_read(user, None if body.all else body.ids, now=web.clock.now())
    return Marked(marked=marked, unread=await web.store.inbox.unread_count(user))
