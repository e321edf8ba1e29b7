"""``/directory``: the portal's directory of the zone's enterprises and institutions
(the same search as ``GET /api/directory``, as a page; public, no contacts)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from server.web.directory_api import DirectorySearch, search_directory
from server.web.guard import Viewer, public, web_of
from server.web.parks import park_titles
from server.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/directory", response_class=HTMLResponse)
async def directory_page(request: Request, viewer: Annotated[Viewer, Depends(public)],
                         search: Annotated[DirectorySearch, Query()]) -> Response:
    query, page = await search_directory(request, search)
    asked = {"q": search.q, "kind": search.kind or "", "park": search.park or "", "industry": search.industry or "",
             "tag": search.tag[0] if search.tag else ""}
    shown = [(k, v) for k, v in asked.items() if v and k != "tag"] + [("tag", t) for t in search.tag]
    first = "/directory" + ("?" + urlencode(shown) if shown else "")
    after = "/directory?" + urlencode([*shown, ("cursor", page.next.encode(query))]) if page.next else None
    web = web_of(request)
    names = await park_titles(web, viewer.lang)
    catalogued = {p.id for p in web.catalogue}
    return render(request, viewer, "directory.html", asked=asked, hits=page.hits, names=names,
                  parks=sorted(((k, v) for k, v in names.items() if k in catalogued), key=lambda kv: kv[1]),
                  next_url=after,
                  first_url=first if search.cursor else None)
