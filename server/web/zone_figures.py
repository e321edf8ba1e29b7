"""The government console: the zone from live data. Parks (catalogued, and online in
the world server now), visitors online, enterprises by park and by industry division,
service institutions by kind, booths held by enterprises, and how many records are
demo data (``cloudpark demo seed``), each figure one aggregate query
(``server.db.zone_figures``), charted with ECharts and listed in tables."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from server.web.guard import Viewer, need, web_of
from server.web.parks import park_cards, park_titles
from server.web.render import render
from world.permissions import can
from world.profiles import SERVICE_KINDS

router = APIRouter(prefix="/console", include_in_schema=False)
# GB/T 4754-2017 divisions the zone's cultural enterprises mostly fall in (the catalogue
# names these; any other division is shown by its code)
DIVISIONS = ("18", "24", "51", "64", "65", "72", "74", "80", "83", "86", "87", "88", "89")
TOP_PARKS = 30


def _chart(labels: list[str], name: str, data: list[int]) -> str:
    return json.dumps({"kind": "bars", "labels": labels, "series": [{"name": name, "data": data}]},
                      ensure_ascii=False).replace("</", "<\\/")


@router.get("/government", response_class=HTMLResponse)
async def government(request: Request, viewer: Annotated[Viewer, Depends(need("console.government"))]) -> Response:
    web = web_of(request)
    t = web.texts.translate
    lang = viewer.lang
    cards = await park_cards(web)
    counts = await web.store.zone_figures.counts()
    known = [c.online for c in cards if c.online is not None]
    names = await park_titles(web, lang)

    def park_name(pid: str) -> str:
        return names.get(pid, pid) if pid else t(lang, "gov.no_park")

    by_park = sorted(counts.enterprises_by_park.items(), key=lambda kv: (-kv[1], kv[0]))
    by_division = sorted(counts.enterprises_by_division.items(), key=lambda kv: (-kv[1], kv[0]))
    services = [(k, counts.institutions_by_service.get(k, 0)) for k in SERVICE_KINDS]
    division_label = {d: t(lang, f"industry.{d}") for d in DIVISIONS}

    def division(code: str) -> str:
        return f"{code} {division_label[code]}" if code in division_label else code

    top = by_park[:TOP_PARKS]
    figures: dict[str, Any] = {
        "parks": len(cards), "parks_online": sum(1 for c in cards if c.online) if known else None,
        "online": sum(known) if known else None,
        "enterprises": sum(counts.enterprises_by_park.values()),
        "institutions": counts.institutions, "booths": counts.booths, "booths_occupied": counts.booths_occupied,
        "organizations": counts.organizations, "demo": counts.demo_organizations,
    }
    busiest = sorted((c for c in cards if c.online), key=lambda c: -(c.online or 0))[:10]
    return render(
        request, viewer, "government_overview.html", console="government", figures=figures, busiest=busiest,
        by_park=[(park_name(p), n) for p, n in by_park], by_division=[(division(d), n) for d, n in by_division],
        services=services, confirms=bool(can(viewer.person, "org.confirm")),
        park_chart=_chart([park_name(p) for p, _ in top], t(lang, "gov.enterprises"), [n for _, n in top]),
        division_chart=_chart([division(d) for d, _ in by_division[:20]], t(lang, "gov.enterprises"),
                              [n for _, n in by_division[:20]]),
        service_chart=_chart([t(lang, f"service.{k}") for k, _ in services], t(lang, "gov.institutions"),
                             [n for _, n in services]))
