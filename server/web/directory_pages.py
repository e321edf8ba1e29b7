"""``/directory``: the portal's directory of the zone's enterprises and institutions
(the same search as ``GET /api/directory``, as a page; public, no contacts), and
``/directory/<org>``: one organization's page (its self-description, and the contacts
the viewer may see by each contact's visibility: ``world.profiles.contacts_for``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from server.web.directory_api import DirectorySearch, search_directory
from server.web.guard import Viewer, public, web_of
from server.web.parks import park_titles
from server.web.render import render
from world.profiles import EnterpriseProfile, contact_audience, contacts_for

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


@router.get("/directory/{org}", response_class=HTMLResponse)
async def organization_page(request: Request, viewer: Annotated[Viewer, Depends(public)],
                            org: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    web = web_of(request)
    profile = await web.store.profiles.get(org)
    if profile is None:
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    names = await park_titles(web, viewer.lang)
    return render(request, viewer, "directory_org.html", org=org, profile=profile,
                  kind="enterprise" if isinstance(profile, EnterpriseProfile) else "institution",
                  park=names.get(profile.park_id, profile.park_id) if profile.park_id else "",
                  contacts=contacts_for(viewer.person, org, profile),
                  audience=contact_audience(viewer.person, org, profile.park_id))
