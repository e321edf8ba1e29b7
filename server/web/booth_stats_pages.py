"""An enterprise's booth figures: visits, distinct visitors, likes and cards per day over
the last 30 days (Beijing days), drawn with ECharts and listed in a table with the same
numbers; visitors in each booth's park now (from the world server, when it answers);
the cards visitors left (with the consent they gave), also as CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from server.web.enterprise_console import enterprise_or_404, org_id_of, park_title
from server.web.guard import Viewer, need, web_of
from server.web.render import render
from world.people import Person
from world.permissions import Resource

router = APIRouter(prefix="/console/enterprise", include_in_schema=False)
ZONE = ZoneInfo("Asia/Shanghai")
WINDOW_DAYS = 30
CARDS_PER_BOOTH = 1000
CSV_COLUMNS = ("park", "booth", "time", "name", "company", "email", "phone", "message", "consent")


async def _org_booths(request: Request, person: Person) -> Resource:
    return Resource(owner_org=org_id_of(request), booth_id="*")


Stats = Annotated[Viewer, Depends(need("booth.stats", _org_booths))]


def local_day_start(now: float) -> datetime:
    return datetime.fromtimestamp(now, ZONE).replace(hour=0, minute=0, second=0, microsecond=0)


def offset_s(at: datetime) -> int:
    """The zone's UTC offset then (Beijing: +8 h, no daylight saving since 1991)."""
    delta = at.utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def local_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, ZONE).strftime("%Y-%m-%d %H:%M")


async def _booths_of(request: Request, org_id: int) -> list[Any]:
    return sorted((b for b in await web_of(request).store.booths.all() if b.owner_org == org_id),
                  key=lambda b: (b.park, b.booth))


@router.get("/{org}/stats", response_class=HTMLResponse)
async def stats(request: Request, viewer: Stats, org: int) -> Response:
    web = web_of(request)
    found = await enterprise_or_404(request, org)
    today = local_day_start(web.clock.now())
    first = today - timedelta(days=WINDOW_DAYS - 1)
    until = (today + timedelta(days=1)).timestamp()
    booths = await _booths_of(request, org)
    figures = await web.store.booth_figures.days([(b.park, b.booth) for b in booths], since=first.timestamp(),
                                                 until=until, offset_s=offset_s(today))
    online = await web.online.counts()
    t = web.texts.translate
    rows = []
    for b, fig in zip(booths, figures, strict=True):
        labels = [(datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=d.day)).strftime("%m-%d") for d in fig.days]
        series = [{"name": t(viewer.lang, f"stats.{k}"), "data": [getattr(d, k) for d in fig.days]}
                  for k in ("visits", "visitors", "likes", "cards")]
        cards = await web.store.cards.of_booth(b.park, b.booth, limit=CARDS_PER_BOOTH)
        rows.append({
            "park": b.park, "booth": b.booth, "name": b.content.name, "park_title": park_title(request, viewer.lang,
                                                                                              b.park),
            "days": list(zip(labels, fig.days, strict=True)), "visitors": fig.visitors,
            "totals": {k: sum(getattr(d, k) for d in fig.days) for k in ("visits", "likes", "cards")},
            "online": None if online is None else online.get(b.park, 0),
            "chart": json.dumps({"kind": "lines", "labels": labels, "series": series}, ensure_ascii=False)
            .replace("</", "<\\/"),
            "cards": [{"when": local_time(c.ts), "name": c.name, "company": c.company, "email": c.email,
                       "phone": c.phone, "message": c.message} for c in cards],
        })
    return render(request, viewer, "enterprise_stats.html", console="enterprise", org=found, booths=rows,
                  first=first.strftime("%Y-%m-%d"), last=today.strftime("%Y-%m-%d"), window=WINDOW_DAYS)


def _cell(value: str) -> str:
    """A spreadsheet opens a cell starting with = + - @ as a formula: quote it."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get("/{org}/cards.csv")
async def cards_csv(request: Request, viewer: Stats, org: int) -> Response:
    web = web_of(request)
    found = await enterprise_or_404(request, org)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for b in await _booths_of(request, org):
        for c in await web.store.cards.of_booth(b.park, b.booth, limit=CARDS_PER_BOOTH):
            writer.writerow([_cell(v) for v in (c.park, c.booth, local_time(c.ts), c.name, c.company, c.email,
                                                c.phone, c.message, "yes")])
    await web.store.audit.add(viewer.person.user_id, "booth.cards_export", f"org:{org}", {}, now=web.clock.now())
    name = f"cards-{found.id}-{local_day_start(web.clock.now()).strftime('%Y%m%d')}.csv"
    # a byte-order mark so that spreadsheet programs read the Chinese text as UTF-8
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
